#include "duckstore/storage/catalog/sqlite_migrations.hpp"

#include <cstdint>
#include <set>

#include "duckstore/storage/catalog/entities.hpp"
#include "duckstore/storage/catalog/sqlite_db.hpp"

namespace duckstore {
namespace {

constexpr Migration kMigrations[] = {
    {1, "projects, keys, branches, settings, operations log", R"sql(
CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  settings TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE branches (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (project_id, id),
  UNIQUE (project_id, name)
);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  branch_id TEXT,
  scope TEXT NOT NULL,
  description TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  revoked_at TEXT,
  last_used_at TEXT,
  FOREIGN KEY (project_id, branch_id) REFERENCES branches(project_id, id) ON DELETE CASCADE
);
CREATE INDEX api_keys_by_project ON api_keys(project_id, created_at);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE operations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  request_id TEXT NOT NULL,
  project_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  resource TEXT NOT NULL,
  details TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  status TEXT NOT NULL
);
CREATE INDEX operations_by_project ON operations(project_id, id);
)sql"},
    {2, "object store: buckets and objects", R"sql(
CREATE TABLE object_buckets (
  name TEXT PRIMARY KEY,
  project_id TEXT NULL REFERENCES projects(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL
);
CREATE INDEX object_buckets_by_project ON object_buckets(project_id, name);
CREATE TABLE objects (
  bucket TEXT NOT NULL REFERENCES object_buckets(name) ON DELETE CASCADE,
  key TEXT NOT NULL,
  blob TEXT NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  content_type TEXT NOT NULL,
  metadata TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (bucket, key)
);
)sql"},
    {3, "files: named, tagged objects of a project", R"sql(
CREATE TABLE files (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  owned INTEGER NOT NULL,
  tags TEXT NOT NULL,
  created_at TEXT NOT NULL,
  FOREIGN KEY (bucket, key) REFERENCES objects(bucket, key) ON DELETE CASCADE
);
CREATE INDEX files_by_project ON files(project_id, created_at, id);
CREATE INDEX files_by_object ON files(bucket, key);
)sql"},
    {4, "S3 multipart uploads and their parts", R"sql(
CREATE TABLE multipart_uploads (
  id TEXT PRIMARY KEY,
  bucket TEXT NOT NULL REFERENCES object_buckets(name) ON DELETE CASCADE,
  key TEXT NOT NULL,
  content_type TEXT NOT NULL,
  metadata TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX multipart_uploads_by_key ON multipart_uploads(bucket, key, created_at, id);
CREATE TABLE upload_parts (
  upload_id TEXT NOT NULL REFERENCES multipart_uploads(id) ON DELETE CASCADE,
  part_number INTEGER NOT NULL,
  blob TEXT NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (upload_id, part_number)
);
)sql"},
    {5, "DAS registrations", R"sql(
CREATE TABLE das_registrations (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  branch_id TEXT NOT NULL,
  key_id TEXT,
  buckets TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX das_registrations_by_project ON das_registrations(project_id);
)sql"},
    {6, "workspaces and their users; bucket shares, links and read-only grants", R"sql(
CREATE TABLE workspaces (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  branch_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (project_id, id)
);
CREATE TABLE workspace_users (
  name TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  password_verifier TEXT NOT NULL,
  created_at TEXT NOT NULL,
  FOREIGN KEY (project_id, workspace_id) REFERENCES workspaces(project_id, id) ON DELETE CASCADE
);
CREATE INDEX workspace_users_by_workspace ON workspace_users(project_id, workspace_id);
CREATE TABLE bucket_shares (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  bucket TEXT NOT NULL,
  targets TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (project_id, bucket)
);
CREATE TABLE bucket_links (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  bucket TEXT NOT NULL,
  source_project_id TEXT NOT NULL,
  source_bucket TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (project_id, bucket),
  FOREIGN KEY (source_project_id, source_bucket) REFERENCES bucket_shares(project_id, bucket) ON DELETE CASCADE
);
CREATE INDEX bucket_links_by_source ON bucket_links(source_project_id, source_bucket);
CREATE TABLE readonly_grants (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  bucket TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (project_id, bucket)
);
)sql"},
    {7, "import/export jobs", R"sql(
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  branch_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  status TEXT NOT NULL,
  request TEXT NOT NULL,
  progress TEXT NOT NULL,
  result TEXT,
  error TEXT,
  cancel_requested INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT
);
CREATE INDEX jobs_by_project ON jobs(project_id);
CREATE INDEX jobs_unfinished ON jobs(status) WHERE status IN ('queued', 'running');
)sql"},
    {8, "DAS registrations of standalone DuckDB files (no project)", R"sql(
CREATE TABLE das_registrations_v8 (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  project_id TEXT REFERENCES projects(id) ON DELETE CASCADE,
  database TEXT,
  branch_id TEXT NOT NULL,
  key_id TEXT,
  buckets TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  created_at TEXT NOT NULL,
  CHECK ((project_id IS NULL) <> (database IS NULL))
);
INSERT INTO das_registrations_v8 (id, type, project_id, database, branch_id, key_id, buckets, fingerprint,
                                  created_at)
  SELECT id, type, project_id, NULL, branch_id, key_id, buckets, fingerprint, created_at FROM das_registrations;
DROP TABLE das_registrations;
ALTER TABLE das_registrations_v8 RENAME TO das_registrations;
CREATE INDEX das_registrations_by_project ON das_registrations(project_id);
)sql"},
    {9, "read-only role grants per branch; grants follow their branch and link", R"sql(
CREATE TABLE readonly_grants_v9 (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  branch_id TEXT NOT NULL,
  bucket TEXT NOT NULL COLLATE NOCASE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (project_id, branch_id, bucket)
);
INSERT INTO readonly_grants_v9 (project_id, branch_id, bucket, created_at)
  SELECT project_id, 'default', bucket, created_at FROM readonly_grants;
DROP TABLE readonly_grants;
ALTER TABLE readonly_grants_v9 RENAME TO readonly_grants;
CREATE TRIGGER readonly_grants_follow_branches AFTER DELETE ON branches BEGIN
  DELETE FROM readonly_grants WHERE project_id = OLD.project_id AND branch_id = OLD.id;
END;
CREATE TRIGGER readonly_grants_follow_links AFTER DELETE ON bucket_links BEGIN
  DELETE FROM readonly_grants
   WHERE project_id = OLD.project_id AND branch_id = 'default' AND bucket = OLD.bucket;
END;
)sql"},
    {10, "S3 checksums of objects, upload parts and uploads (StoredChecksum)", R"sql(
ALTER TABLE objects ADD COLUMN checksum_algorithm TEXT NOT NULL DEFAULT '';
ALTER TABLE objects ADD COLUMN checksum_type TEXT NOT NULL DEFAULT '';
ALTER TABLE objects ADD COLUMN checksum TEXT NOT NULL DEFAULT '';
ALTER TABLE upload_parts ADD COLUMN checksum_algorithm TEXT NOT NULL DEFAULT '';
ALTER TABLE upload_parts ADD COLUMN checksum_type TEXT NOT NULL DEFAULT '';
ALTER TABLE upload_parts ADD COLUMN checksum TEXT NOT NULL DEFAULT '';
ALTER TABLE multipart_uploads ADD COLUMN checksum_algorithm TEXT NOT NULL DEFAULT '';
ALTER TABLE multipart_uploads ADD COLUMN checksum_type TEXT NOT NULL DEFAULT '';
ALTER TABLE multipart_uploads ADD COLUMN checksum TEXT NOT NULL DEFAULT '';
)sql"},
    {11, "S3 standard object headers, multipart part sizes, bucket CORS, completed uploads", R"sql(
ALTER TABLE objects ADD COLUMN headers TEXT NOT NULL DEFAULT '{}';
ALTER TABLE objects ADD COLUMN part_sizes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE multipart_uploads ADD COLUMN headers TEXT NOT NULL DEFAULT '{}';
ALTER TABLE object_buckets ADD COLUMN cors TEXT NULL;
CREATE TABLE completed_uploads (
  id TEXT PRIMARY KEY,
  bucket TEXT NOT NULL REFERENCES object_buckets(name) ON DELETE CASCADE,
  key TEXT NOT NULL,
  etag TEXT NOT NULL,
  parts_digest TEXT NOT NULL,
  checksum_algorithm TEXT NOT NULL,
  checksum_type TEXT NOT NULL,
  checksum TEXT NOT NULL,
  completed_at TEXT NOT NULL
);
CREATE INDEX completed_uploads_by_time ON completed_uploads(completed_at);
)sql"},
    // A completed multipart object keeps its parts' blobs instead of a concatenated copy: `blob` is the
    // first part's, next_blobs a JSON array of the others' stored paths in part order (part_sizes holds
    // each one's size).
    {12, "multipart objects stored as their parts' blobs", R"sql(
ALTER TABLE objects ADD COLUMN next_blobs TEXT NOT NULL DEFAULT '[]';
)sql"},
    {13, "object usage per bucket, kept by triggers on objects (metrics of bytes and objects per project)",
     R"sql(
CREATE TABLE object_usage (
  bucket TEXT PRIMARY KEY REFERENCES object_buckets(name) ON DELETE CASCADE,
  objects INTEGER NOT NULL,
  bytes INTEGER NOT NULL
);
INSERT INTO object_usage (bucket, objects, bytes)
  SELECT b.name, COUNT(o.key), COALESCE(SUM(o.size), 0)
    FROM object_buckets b LEFT JOIN objects o ON o.bucket = b.name GROUP BY b.name;
CREATE TRIGGER object_usage_bucket AFTER INSERT ON object_buckets BEGIN
  INSERT OR IGNORE INTO object_usage (bucket, objects, bytes) VALUES (NEW.name, 0, 0);
END;
CREATE TRIGGER object_usage_insert AFTER INSERT ON objects BEGIN
  UPDATE object_usage SET objects = objects + 1, bytes = bytes + NEW.size WHERE bucket = NEW.bucket;
END;
CREATE TRIGGER object_usage_delete AFTER DELETE ON objects BEGIN
  UPDATE object_usage SET objects = objects - 1, bytes = bytes - OLD.size WHERE bucket = OLD.bucket;
END;
CREATE TRIGGER object_usage_update AFTER UPDATE OF bucket, size ON objects BEGIN
  UPDATE object_usage SET objects = objects - 1, bytes = bytes - OLD.size WHERE bucket = OLD.bucket;
  UPDATE object_usage SET objects = objects + 1, bytes = bytes + NEW.size WHERE bucket = NEW.bucket;
END;
)sql"},
    // GrantWorkspaceAccessToProject: a project's key may log in to one of its workspaces with the key as the
    // password (docs/design/pgwire.md). The verifier is made from the key's token when the grant is given.
    {14, "workspace grants: project keys that may log in to a workspace", R"sql(
CREATE TABLE workspace_grants (
  project_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  key_id TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
  password_verifier TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (key_id, workspace_id),
  FOREIGN KEY (project_id, workspace_id) REFERENCES workspaces(project_id, id) ON DELETE CASCADE
);
CREATE INDEX workspace_grants_by_workspace ON workspace_grants(project_id, workspace_id);
)sql"},
};

}  // namespace

std::span<const Migration> SqliteMigrations() {
  return kMigrations;
}

void ApplySqliteMigrations(SqliteDb& db) {
  db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT "
      "NULL, applied_at TEXT NOT NULL)");
  // Every migration not applied yet, not only those above the highest applied one: migration numbers
  // are assigned ahead to parallel branches, which may land out of order.
  std::set<int64_t> applied;
  auto current = db.Prepare("SELECT version FROM schema_migrations");
  while (current.Step()) applied.insert(current.Int(0));
  for (const Migration& m : SqliteMigrations()) {
    if (applied.contains(m.version)) continue;
    db.Exec("BEGIN IMMEDIATE");
    try {
      db.Exec(m.sql);
      db.Prepare("INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)")
          .Bind(1, static_cast<int64_t>(m.version))
          .Bind(2, std::string(m.description))
          .Bind(3, NowTimestamp())
          .Run();
      db.Exec("COMMIT");
    } catch (...) {
      db.Exec("ROLLBACK");
      throw;
    }
  }
}

}  // namespace duckstore
