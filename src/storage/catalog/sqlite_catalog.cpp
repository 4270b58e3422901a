// The embedded catalog: one SQLite database (WAL mode, foreign keys on) behind a recursive mutex.
// Catalog operations are short point reads and writes, so one serialized connection is enough; the
// mutex also gives InTransaction() its meaning (the transaction owns the connection until it ends).
#include <mutex>
#include <set>

#include "duckstore/common/error.hpp"
#include "duckstore/storage/catalog/blob_paths.hpp"
#include "duckstore/storage/catalog/catalog.hpp"
#include "duckstore/storage/catalog/sqlite_db.hpp"
#include "duckstore/storage/catalog/sqlite_migrations.hpp"

namespace duckstore {
namespace {

constexpr const char* kProjectColumns = "id, name, status, settings, created_at, updated_at";
constexpr const char* kKeyColumns =
    "id, project_id, branch_id, scope, description, secret_hash, created_at, expires_at, revoked_at, "
    "last_used_at";

Project ReadProject(const SqliteStatement& row) {
  return Project{row.Text(0), row.Text(1), row.Text(2), nlohmann::json::parse(row.Text(3)),
                 row.Text(4), row.Text(5)};
}

ApiKey ReadKey(const SqliteStatement& row) {
  return ApiKey{row.Text(0),         row.Text(1),        row.OptionalText(2), ParseKeyScope(row.Text(3)),
                row.Text(4),         row.Text(5),        row.Text(6),         row.OptionalText(7),
                row.OptionalText(8), row.OptionalText(9)};
}

Branch ReadBranch(const SqliteStatement& row) {
  return Branch{row.Text(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4)};
}

constexpr const char* kJobColumns =
    "id, project_id, branch_id, kind, target, status, request, progress, result, error, cancel_requested, "
    "created_at, started_at, finished_at";

std::optional<std::string> OptionalJson(const nlohmann::json& value) {
  if (value.is_null()) return std::nullopt;
  return value.dump();
}

nlohmann::json ParseOptionalJson(const std::optional<std::string>& text) {
  return text ? nlohmann::json::parse(*text) : nlohmann::json(nullptr);
}

Job ReadJob(const SqliteStatement& row) {
  Job job;
  job.id = row.Text(0);
  job.project_id = row.Text(1);
  job.branch_id = row.Text(2);
  job.kind = row.Text(3);
  job.target = row.Text(4);
  job.status = row.Text(5);
  job.request = nlohmann::json::parse(row.Text(6));
  job.progress = nlohmann::json::parse(row.Text(7));
  job.result = ParseOptionalJson(row.OptionalText(8));
  job.error = ParseOptionalJson(row.OptionalText(9));
  job.cancel_requested = row.Int(10) != 0;
  job.created_at = row.Text(11);
  job.started_at = row.OptionalText(12);
  job.finished_at = row.OptionalText(13);
  return job;
}

constexpr const char* kObjectColumns = "bucket, key, blob, size, etag, content_type, metadata, created_at";

ObjectBucket ReadObjectBucket(const SqliteStatement& row) {
  return ObjectBucket{row.Text(0), row.OptionalText(1), row.Text(2)};
}

constexpr const char* kUploadColumns = "id, bucket, key, content_type, metadata, created_at";
constexpr const char* kPartColumns = "upload_id, part_number, blob, size, etag, created_at";

MultipartUpload ReadUpload(const SqliteStatement& row) {
  return MultipartUpload{
      row.Text(0), row.Text(1), row.Text(2), row.Text(3), nlohmann::json::parse(row.Text(4)), row.Text(5)};
}

UploadPart ReadPart(const SqliteStatement& row, const BlobPaths& blobs) {
  return UploadPart{row.Text(0), row.Int(1), blobs.Decode(row.Text(2)), row.Int(3), row.Text(4), row.Text(5)};
}

StoredObject ReadObject(const SqliteStatement& row, const BlobPaths& blobs) {
  return StoredObject{row.Text(0), row.Text(1), blobs.Decode(row.Text(2)),          row.Int(3),
                      row.Text(4), row.Text(5), nlohmann::json::parse(row.Text(6)), row.Text(7)};
}

Workspace ReadWorkspace(const SqliteStatement& row) {
  return Workspace{row.Text(0), row.Text(1), row.Text(2), row.Text(3)};
}

WorkspaceUser ReadWorkspaceUser(const SqliteStatement& row) {
  return WorkspaceUser{row.Text(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4)};
}

BucketShare ReadShare(const SqliteStatement& row) {
  return BucketShare{row.Text(0), row.Text(1),
                     nlohmann::json::parse(row.Text(2)).get<std::vector<std::string>>(), row.Text(3)};
}

BucketLink ReadLink(const SqliteStatement& row) {
  return BucketLink{row.Text(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4)};
}

constexpr const char* kFileColumns = "id, project_id, name, bucket, key, owned, tags, created_at";

FileRecord ReadFile(const SqliteStatement& row) {
  return FileRecord{row.Text(0),
                    row.Text(1),
                    row.Text(2),
                    row.Text(3),
                    row.Text(4),
                    row.Int(5) != 0,
                    nlohmann::json::parse(row.Text(6)).get<std::vector<std::string>>(),
                    row.Text(7)};
}

// The smallest string greater than every string that starts with `prefix` (SQLite compares TEXT
// bytewise): drop trailing 0xFF bytes, then increment the last byte. nullopt when there is none (the
// prefix is empty or all 0xFF), i.e. the range is open above.
std::optional<std::string> PrefixUpperBound(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (prefix.empty()) return std::nullopt;
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

// Rethrows a uniqueness violation as the domain's conflict code.
template <typename Body>
void RenameConflict(const char* code, const std::string& message, Body body) {
  try {
    body();
  } catch (const Error& error) {
    if (error.kind() == ErrorKind::kConflict) throw Conflict(code, message);
    throw;
  }
}

class SqliteCatalog final : public Catalog {
 public:
  explicit SqliteCatalog(const std::string& path)
      : blobs_(std::filesystem::path(path).parent_path()), db_(path) {
    db_.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
    Migrate();
    RelativizeBlobPaths();
  }

  void InTransaction(const std::function<void()>& body) override {
    std::lock_guard lock(mutex_);
    db_.Exec("BEGIN IMMEDIATE");
    try {
      body();
      db_.Exec("COMMIT");
    } catch (...) {
      db_.Exec("ROLLBACK");
      throw;
    }
  }

  void CreateProject(const Project& p) override {
    std::lock_guard lock(mutex_);
    RenameConflict("project_exists", "project '" + p.id + "' already exists", [&] {
      db_.Prepare(std::string("INSERT INTO projects (") + kProjectColumns + ") VALUES (?,?,?,?,?,?)")
          .Bind(1, p.id)
          .Bind(2, p.name)
          .Bind(3, p.status)
          .Bind(4, p.settings.dump())
          .Bind(5, p.created_at)
          .Bind(6, p.updated_at)
          .Run();
    });
  }

  std::optional<Project> GetProject(const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare(std::string("SELECT ") + kProjectColumns + " FROM projects WHERE id = ?");
    stmt.Bind(1, id);
    if (!stmt.Step()) return std::nullopt;
    return ReadProject(stmt);
  }

  Page<Project> ListProjects(const PageRequest& page) override {
    std::lock_guard lock(mutex_);
    Page<Project> result;
    auto stmt = db_.Prepare(std::string("SELECT ") + kProjectColumns +
                            " FROM projects ORDER BY created_at, id LIMIT ? OFFSET ?");
    stmt.Bind(1, page.limit).Bind(2, page.offset);
    while (stmt.Step()) result.items.push_back(ReadProject(stmt));
    auto count = db_.Prepare("SELECT count(*) FROM projects");
    count.Step();
    result.total = count.Int(0);
    return result;
  }

  void UpdateProject(const Project& p) override {
    std::lock_guard lock(mutex_);
    db_.Prepare("UPDATE projects SET name = ?, status = ?, settings = ?, updated_at = ? WHERE id = ?")
        .Bind(1, p.name)
        .Bind(2, p.status)
        .Bind(3, p.settings.dump())
        .Bind(4, p.updated_at)
        .Bind(5, p.id)
        .Run();
  }

  void DeleteProject(const std::string& id) override {
    std::lock_guard lock(mutex_);
    // Operations rows name the project without a foreign key, so no cascade removes them.
    db_.Prepare("DELETE FROM operations WHERE project_id = ?").Bind(1, id).Run();
    db_.Prepare("DELETE FROM projects WHERE id = ?").Bind(1, id).Run();
  }

  void CreateKey(const ApiKey& k) override {
    std::lock_guard lock(mutex_);
    db_.Prepare(std::string("INSERT INTO api_keys (") + kKeyColumns + ") VALUES (?,?,?,?,?,?,?,?,?,?)")
        .Bind(1, k.id)
        .Bind(2, k.project_id)
        .Bind(3, k.branch_id)
        .Bind(4, ToString(k.scope))
        .Bind(5, k.description)
        .Bind(6, k.secret_hash)
        .Bind(7, k.created_at)
        .Bind(8, k.expires_at)
        .Bind(9, k.revoked_at)
        .Bind(10, k.last_used_at)
        .Run();
  }

  std::optional<ApiKey> GetKey(const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare(std::string("SELECT ") + kKeyColumns + " FROM api_keys WHERE id = ?");
    stmt.Bind(1, id);
    if (!stmt.Step()) return std::nullopt;
    return ReadKey(stmt);
  }

  std::vector<ApiKey> ListActiveKeys(const std::string& project_id) override {
    std::lock_guard lock(mutex_);
    std::vector<ApiKey> keys;
    auto stmt = db_.Prepare(
        std::string("SELECT ") + kKeyColumns +
        " FROM api_keys WHERE project_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, rowid DESC");
    stmt.Bind(1, project_id);
    while (stmt.Step()) keys.push_back(ReadKey(stmt));
    return keys;
  }

  void RevokeKey(const std::string& id, const std::string& at) override {
    std::lock_guard lock(mutex_);
    db_.Prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        .Bind(1, at)
        .Bind(2, id)
        .Run();
  }

  void TouchKey(const std::string& id, const std::string& at) override {
    std::lock_guard lock(mutex_);
    db_.Prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?").Bind(1, at).Bind(2, id).Run();
  }

  void CreateBranch(const Branch& b) override {
    std::lock_guard lock(mutex_);
    RenameConflict(
        "branch_exists", "branch '" + b.name + "' already exists in project '" + b.project_id + "'", [&] {
          db_.Prepare(
                 "INSERT INTO branches (project_id, id, name, description, created_at) VALUES (?,?,?,?,?)")
              .Bind(1, b.project_id)
              .Bind(2, b.id)
              .Bind(3, b.name)
              .Bind(4, b.description)
              .Bind(5, b.created_at)
              .Run();
        });
  }

  std::optional<Branch> GetBranch(const std::string& project_id, const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare(
        "SELECT id, project_id, name, description, created_at FROM branches WHERE project_id = ? AND id = ?");
    stmt.Bind(1, project_id).Bind(2, id);
    if (!stmt.Step()) return std::nullopt;
    return ReadBranch(stmt);
  }

  Page<Branch> ListBranches(const std::string& project_id, const PageRequest& page) override {
    std::lock_guard lock(mutex_);
    Page<Branch> result;
    auto stmt = db_.Prepare(
        "SELECT id, project_id, name, description, created_at FROM branches WHERE project_id = ? "
        "ORDER BY created_at, id LIMIT ? OFFSET ?");
    stmt.Bind(1, project_id).Bind(2, page.limit).Bind(3, page.offset);
    while (stmt.Step()) result.items.push_back(ReadBranch(stmt));
    auto count = db_.Prepare("SELECT count(*) FROM branches WHERE project_id = ?");
    count.Bind(1, project_id).Step();
    result.total = count.Int(0);
    return result;
  }

  void DeleteBranch(const std::string& project_id, const std::string& id) override {
    std::lock_guard lock(mutex_);
    db_.Prepare("DELETE FROM branches WHERE project_id = ? AND id = ?").Bind(1, project_id).Bind(2, id).Run();
  }

  void CreateWorkspace(const Workspace& w) override {
    std::lock_guard lock(mutex_);
    RenameConflict("workspace_exists", "workspace '" + w.id + "' already exists", [&] {
      db_.Prepare("INSERT INTO workspaces (project_id, id, branch_id, created_at) VALUES (?,?,?,?)")
          .Bind(1, w.project_id)
          .Bind(2, w.id)
          .Bind(3, w.branch_id)
          .Bind(4, w.created_at)
          .Run();
    });
  }

  std::optional<Workspace> GetWorkspace(const std::string& project_id, const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare(
        "SELECT id, project_id, branch_id, created_at FROM workspaces WHERE project_id = ? AND id = ?");
    stmt.Bind(1, project_id).Bind(2, id);
    if (!stmt.Step()) return std::nullopt;
    return ReadWorkspace(stmt);
  }

  std::vector<Workspace> ListWorkspaces(const std::string& project_id) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare(
        "SELECT id, project_id, branch_id, created_at FROM workspaces WHERE project_id = ? "
        "ORDER BY created_at, id");
    stmt.Bind(1, project_id);
    std::vector<Workspace> out;
    while (stmt.Step()) out.push_back(ReadWorkspace(stmt));
    return out;
  }

  void DeleteWorkspace(const std::string& project_id, const std::string& id) override {
    std::lock_guard lock(mutex_);
    db_.Prepare("DELETE FROM workspaces WHERE project_id = ? AND id = ?")
        .Bind(1, project_id)
        .Bind(2, id)
        .Run();
  }

  void CreateWorkspaceUser(const WorkspaceUser& u) override {
    std::lock_guard lock(mutex_);
    RenameConflict("workspace_user_exists", "workspace user '" + u.name + "' already exists", [&] {
      db_.Prepare(
             "INSERT INTO workspace_users (name, project_id, workspace_id, password_verifier, created_at) "
             "VALUES (?,?,?,?,?)")
          .Bind(1, u.name)
          .Bind(2, u.project_id)
          .Bind(3, u.workspace_id)
          .Bind(4, u.password_verifier)
          .Bind(5, u.created_at)
          .Run();
    });
  }

  std::optional<WorkspaceUser> GetWorkspaceUser(const std::string& name) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare(
        "SELECT name, project_id, workspace_id, password_verifier, created_at FROM workspace_users "
        "WHERE name = ?");
    stmt.Bind(1, name);
    if (!stmt.Step()) return std::nullopt;
    return ReadWorkspaceUser(stmt);
  }

  std::vector<WorkspaceUser> ListWorkspaceUsers(const std::string& project_id,
                                                const std::string& workspace_id) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare(
        "SELECT name, project_id, workspace_id, password_verifier, created_at FROM workspace_users "
        "WHERE project_id = ? AND workspace_id = ? ORDER BY created_at, name");
    stmt.Bind(1, project_id).Bind(2, workspace_id);
    std::vector<WorkspaceUser> out;
    while (stmt.Step()) out.push_back(ReadWorkspaceUser(stmt));
    return out;
  }

  void SetWorkspaceUserVerifier(const std::string& name, const std::string& verifier) override {
    std::lock_guard lock(mutex_);
    db_.Prepare("UPDATE workspace_users SET password_verifier = ? WHERE name = ?")
        .Bind(1, verifier)
        .Bind(2, name)
        .Run();
  }

  void DeleteWorkspaceUser(const std::string& name) override {
    std::lock_guard lock(mutex_);
    db_.Prepare("DELETE FROM workspace_users WHERE name = ?").Bind(1, name).Run();
  }

  void CreateShare(const BucketShare& share) override {
    std::lock_guard lock(mutex_);
    RenameConflict("bucket_already_shared", "bucket '" + share.bucket + "' is already shared", [&] {
      db_.Prepare("INSERT INTO bucket_shares (project_id, bucket, targets, created_at) VALUES (?,?,?,?)")
          .Bind(1, share.project_id)
          .Bind(2, share.bucket)
          .Bind(3, nlohmann::json(share.target_project_ids).dump())
          .Bind(4, share.created_at)
          .Run();
    });
  }

  std::optional<BucketShare> GetShare(const std::string& project_id, const std::string& bucket) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare(
        "SELECT project_id, bucket, targets, created_at FROM bucket_shares WHERE project_id = ? AND bucket = "
        "?");
    stmt.Bind(1, project_id).Bind(2, bucket);
    if (!stmt.Step()) return std::nullopt;
    return ReadShare(stmt);
  }

  std::vector<BucketShare> ListShares(const std::string& project_id) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare(
        "SELECT project_id, bucket, targets, created_at FROM bucket_shares WHERE project_id = ? ORDER BY "
        "bucket");
    stmt.Bind(1, project_id);
    std::vector<BucketShare> out;
    while (stmt.Step()) out.push_back(ReadShare(stmt));
    return out;
  }

  void DeleteShare(const std::string& project_id, const std::string& bucket) override {
    std::lock_guard lock(mutex_);
    db_.Prepare("DELETE FROM bucket_shares WHERE project_id = ? AND bucket = ?")
        .Bind(1, project_id)
        .Bind(2, bucket)
        .Run();
  }

  void CreateLink(const BucketLink& link) override {
    std::lock_guard lock(mutex_);
    auto share = db_.Prepare("SELECT 1 FROM bucket_shares WHERE project_id = ? AND bucket = ?");
    share.Bind(1, link.source_project_id).Bind(2, link.source_bucket);
    if (!share.Step()) {
      throw NotFound("share_not_found", "bucket '" + link.source_bucket + "' of project '" +
                                            link.source_project_id + "' is not shared");
    }
    RenameConflict("bucket_exists", "bucket '" + link.bucket + "' already exists", [&] {
      db_.Prepare(
             "INSERT INTO bucket_links (project_id, bucket, source_project_id, source_bucket, created_at) "
             "VALUES (?,?,?,?,?)")
          .Bind(1, link.project_id)
          .Bind(2, link.bucket)
          .Bind(3, link.source_project_id)
          .Bind(4, link.source_bucket)
          .Bind(5, link.created_at)
          .Run();
    });
  }

  std::vector<BucketLink> ListLinks(const std::string& project_id) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare(
        "SELECT project_id, bucket, source_project_id, source_bucket, created_at FROM bucket_links "
        "WHERE project_id = ? ORDER BY bucket");
    stmt.Bind(1, project_id);
    std::vector<BucketLink> out;
    while (stmt.Step()) out.push_back(ReadLink(stmt));
    return out;
  }

  std::vector<BucketLink> ListLinksFrom(const std::string& source_project_id,
                                        const std::string& source_bucket) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare(
        "SELECT project_id, bucket, source_project_id, source_bucket, created_at FROM bucket_links "
        "WHERE source_project_id = ? AND source_bucket = ? ORDER BY project_id, bucket");
    stmt.Bind(1, source_project_id).Bind(2, source_bucket);
    std::vector<BucketLink> out;
    while (stmt.Step()) out.push_back(ReadLink(stmt));
    return out;
  }

  void DeleteLink(const std::string& project_id, const std::string& bucket) override {
    std::lock_guard lock(mutex_);
    db_.Prepare("DELETE FROM bucket_links WHERE project_id = ? AND bucket = ?")
        .Bind(1, project_id)
        .Bind(2, bucket)
        .Run();
  }

  void SetReadOnlyGrant(const std::string& project_id, const std::string& branch_id,
                        const std::string& bucket, bool granted) override {
    std::lock_guard lock(mutex_);
    if (granted) {
      db_.Prepare(
             "INSERT OR IGNORE INTO readonly_grants (project_id, branch_id, bucket, created_at) VALUES "
             "(?,?,?,?)")
          .Bind(1, project_id)
          .Bind(2, branch_id)
          .Bind(3, bucket)
          .Bind(4, NowTimestamp())
          .Run();
    } else {
      db_.Prepare("DELETE FROM readonly_grants WHERE project_id = ? AND branch_id = ? AND bucket = ?")
          .Bind(1, project_id)
          .Bind(2, branch_id)
          .Bind(3, bucket)
          .Run();
    }
  }

  bool HasReadOnlyGrant(const std::string& project_id, const std::string& branch_id,
                        const std::string& bucket) override {
    std::lock_guard lock(mutex_);
    auto stmt =
        db_.Prepare("SELECT 1 FROM readonly_grants WHERE project_id = ? AND branch_id = ? AND bucket = ?");
    stmt.Bind(1, project_id).Bind(2, branch_id).Bind(3, bucket);
    return stmt.Step();
  }

  std::vector<std::string> ListReadOnlyGrants(const std::string& project_id,
                                              const std::string& branch_id) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare(
        "SELECT bucket FROM readonly_grants WHERE project_id = ? AND branch_id = ? ORDER BY bucket");
    stmt.Bind(1, project_id).Bind(2, branch_id);
    std::vector<std::string> out;
    while (stmt.Step()) out.push_back(stmt.Text(0));
    return out;
  }

  std::optional<std::string> GetSetting(const std::string& key) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare("SELECT value FROM settings WHERE key = ?");
    stmt.Bind(1, key);
    if (!stmt.Step()) return std::nullopt;
    return stmt.Text(0);
  }

  void PutSetting(const std::string& key, const std::string& value) override {
    std::lock_guard lock(mutex_);
    db_.Prepare(
           "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
           "excluded.value")
        .Bind(1, key)
        .Bind(2, value)
        .Run();
  }

  void CreateObjectBucket(const ObjectBucket& b) override {
    std::lock_guard lock(mutex_);
    // Checked first: the foreign key's violation would otherwise read as a taken name.
    if (b.project_id && !GetProject(*b.project_id)) {
      throw NotFound("project_not_found", "project '" + *b.project_id + "' not found");
    }
    RenameConflict("bucket_exists", "bucket '" + b.name + "' already exists", [&] {
      db_.Prepare("INSERT INTO object_buckets (name, project_id, created_at) VALUES (?,?,?)")
          .Bind(1, b.name)
          .Bind(2, b.project_id)
          .Bind(3, b.created_at)
          .Run();
    });
  }

  std::optional<ObjectBucket> GetObjectBucket(const std::string& name) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare("SELECT name, project_id, created_at FROM object_buckets WHERE name = ?");
    stmt.Bind(1, name);
    if (!stmt.Step()) return std::nullopt;
    return ReadObjectBucket(stmt);
  }

  std::vector<ObjectBucket> ListObjectBuckets(const std::optional<std::string>& project_id) override {
    std::lock_guard lock(mutex_);
    std::vector<ObjectBucket> buckets;
    std::string sql = "SELECT name, project_id, created_at FROM object_buckets";
    if (project_id) sql += " WHERE project_id = ?";
    auto stmt = db_.Prepare(sql + " ORDER BY name");
    if (project_id) stmt.Bind(1, *project_id);
    while (stmt.Step()) buckets.push_back(ReadObjectBucket(stmt));
    return buckets;
  }

  std::vector<std::string> DeleteObjectBucket(const std::string& name) override {
    std::lock_guard lock(mutex_);
    std::vector<std::string> blobs;
    // The select and the delete see the same rows: the connection is ours while the mutex is held.
    auto stmt = db_.Prepare(
        "SELECT blob FROM objects WHERE bucket = ? UNION ALL SELECT p.blob FROM upload_parts p JOIN "
        "multipart_uploads u ON u.id = p.upload_id WHERE u.bucket = ?");
    stmt.Bind(1, name).Bind(2, name);
    while (stmt.Step()) blobs.push_back(blobs_.Decode(stmt.Text(0)));
    db_.Prepare("DELETE FROM object_buckets WHERE name = ?").Bind(1, name).Run();
    return blobs;
  }

  std::vector<std::string> ListReferencedBlobs() override {
    std::lock_guard lock(mutex_);
    std::vector<std::string> blobs;
    auto stmt = db_.Prepare("SELECT blob FROM objects UNION ALL SELECT blob FROM upload_parts");
    while (stmt.Step()) blobs.push_back(blobs_.Decode(stmt.Text(0)));
    return blobs;
  }

  std::optional<std::string> PutObject(const StoredObject& o) override {
    std::lock_guard lock(mutex_);
    if (!GetObjectBucket(o.bucket)) throw NotFound("bucket_not_found", "bucket '" + o.bucket + "' not found");
    std::optional<std::string> previous;
    auto select = db_.Prepare("SELECT blob FROM objects WHERE bucket = ? AND key = ?");
    select.Bind(1, o.bucket).Bind(2, o.key);
    if (select.Step()) previous = blobs_.Decode(select.Text(0));
    db_.Prepare(std::string("INSERT INTO objects (") + kObjectColumns +
                ") VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (bucket, key) DO UPDATE SET blob = excluded.blob, "
                "size = excluded.size, etag = excluded.etag, content_type = excluded.content_type, "
                "metadata = excluded.metadata, created_at = excluded.created_at")
        .Bind(1, o.bucket)
        .Bind(2, o.key)
        .Bind(3, blobs_.Encode(o.blob))
        .Bind(4, o.size)
        .Bind(5, o.etag)
        .Bind(6, o.content_type)
        .Bind(7, o.metadata.dump())
        .Bind(8, o.created_at)
        .Run();
    return previous;
  }

  std::optional<StoredObject> GetObject(const std::string& bucket, const std::string& key) override {
    std::lock_guard lock(mutex_);
    auto stmt =
        db_.Prepare(std::string("SELECT ") + kObjectColumns + " FROM objects WHERE bucket = ? AND key = ?");
    stmt.Bind(1, bucket).Bind(2, key);
    if (!stmt.Step()) return std::nullopt;
    return ReadObject(stmt, blobs_);
  }

  std::optional<StoredObject> DeleteObject(const std::string& bucket, const std::string& key) override {
    std::lock_guard lock(mutex_);
    auto removed = GetObject(bucket, key);
    if (removed) {
      db_.Prepare("DELETE FROM objects WHERE bucket = ? AND key = ?").Bind(1, bucket).Bind(2, key).Run();
    }
    return removed;
  }

  std::vector<StoredObject> ListObjects(const std::string& bucket, const std::string& prefix,
                                        const std::string& start_after, int64_t limit) override {
    std::lock_guard lock(mutex_);
    std::vector<StoredObject> objects;
    if (limit <= 0) return objects;
    // One lower bound (the larger of the prefix and start_after) and an optional upper bound, so that
    // SQLite seeks the primary key index instead of filtering the bucket. std::string compares bytes as
    // unsigned, like SQLite's BINARY collation.
    bool after = !start_after.empty() && start_after >= prefix;
    std::optional<std::string> upper = PrefixUpperBound(prefix);
    std::string sql = std::string("SELECT ") + kObjectColumns + " FROM objects WHERE bucket = ? AND key " +
                      (after ? ">" : ">=") + " ?" + (upper ? " AND key < ?" : "") + " ORDER BY key LIMIT ?";
    auto stmt = db_.Prepare(sql);
    stmt.Bind(1, bucket).Bind(2, after ? start_after : prefix);
    if (upper) stmt.Bind(3, *upper);
    stmt.Bind(upper ? 4 : 3, limit);
    while (stmt.Step()) objects.push_back(ReadObject(stmt, blobs_));
    return objects;
  }

  void CreateDasRegistration(const DasRegistration& r) override {
    std::lock_guard lock(mutex_);
    auto optional = [](const std::string& text) {
      return text.empty() ? std::nullopt : std::optional<std::string>(text);
    };
    RenameConflict("das_exists", "DAS '" + r.id + "' is already registered", [&] {
      db_.Prepare(
             "INSERT INTO das_registrations (id, type, project_id, database, branch_id, key_id, buckets, "
             "fingerprint, created_at) VALUES (?,?,?,?,?,?,?,?,?)")
          .Bind(1, r.id)
          .Bind(2, r.type)
          .Bind(3, optional(r.project_id))
          .Bind(4, optional(r.database))
          .Bind(5, r.branch_id)
          .Bind(6, r.key_id)
          .Bind(7, nlohmann::json(r.buckets).dump())
          .Bind(8, r.fingerprint)
          .Bind(9, r.created_at)
          .Run();
    });
  }

  std::optional<DasRegistration> GetDasRegistration(const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare(
        "SELECT id, type, coalesce(project_id, ''), coalesce(database, ''), branch_id, key_id, buckets, "
        "fingerprint, created_at FROM das_registrations WHERE id = ?");
    stmt.Bind(1, id);
    if (!stmt.Step()) return std::nullopt;
    DasRegistration r;
    r.id = stmt.Text(0);
    r.type = stmt.Text(1);
    r.project_id = stmt.Text(2);
    r.database = stmt.Text(3);
    r.branch_id = stmt.Text(4);
    r.key_id = stmt.OptionalText(5);
    r.buckets = nlohmann::json::parse(stmt.Text(6)).get<std::vector<std::string>>();
    r.fingerprint = stmt.Text(7);
    r.created_at = stmt.Text(8);
    return r;
  }

  bool DeleteDasRegistration(const std::string& id) override {
    std::lock_guard lock(mutex_);
    db_.Prepare("DELETE FROM das_registrations WHERE id = ?").Bind(1, id).Run();
    return db_.Changes() > 0;
  }

  void CreateMultipartUpload(const MultipartUpload& u) override {
    std::lock_guard lock(mutex_);
    if (!GetObjectBucket(u.bucket)) throw NotFound("bucket_not_found", "bucket '" + u.bucket + "' not found");
    db_.Prepare(std::string("INSERT INTO multipart_uploads (") + kUploadColumns + ") VALUES (?,?,?,?,?,?)")
        .Bind(1, u.id)
        .Bind(2, u.bucket)
        .Bind(3, u.key)
        .Bind(4, u.content_type)
        .Bind(5, u.metadata.dump())
        .Bind(6, u.created_at)
        .Run();
  }

  std::optional<MultipartUpload> GetMultipartUpload(const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare(std::string("SELECT ") + kUploadColumns + " FROM multipart_uploads WHERE id = ?");
    stmt.Bind(1, id);
    if (!stmt.Step()) return std::nullopt;
    return ReadUpload(stmt);
  }

  std::vector<MultipartUpload> ListMultipartUploads(const std::string& bucket, const std::string& prefix,
                                                    const std::string& key_marker,
                                                    const std::string& upload_id_marker,
                                                    int64_t limit) override {
    std::lock_guard lock(mutex_);
    std::vector<MultipartUpload> uploads;
    if (limit <= 0) return uploads;
    // The position after which to list: (key_marker, created_at of the marker upload, its id), or after
    // every upload of key_marker when there is no (known) upload id marker.
    std::optional<MultipartUpload> marker;
    if (!upload_id_marker.empty()) {
      marker = GetMultipartUpload(upload_id_marker);
      if (marker && marker->key != key_marker) marker.reset();
    }
    std::optional<std::string> upper = PrefixUpperBound(prefix);
    std::string sql = std::string("SELECT ") + kUploadColumns +
                      " FROM multipart_uploads WHERE bucket = ? AND key >= ?" + (upper ? " AND key < ?" : "");
    if (marker) {
      sql += " AND (key, created_at, id) > (?, ?, ?)";
    } else if (!key_marker.empty()) {
      sql += " AND key > ?";
    }
    auto stmt = db_.Prepare(sql + " ORDER BY key, created_at, id LIMIT ?");
    std::vector<std::string> values = {bucket, prefix};
    if (upper) values.push_back(*upper);
    if (marker) {
      values.insert(values.end(), {marker->key, marker->created_at, marker->id});
    } else if (!key_marker.empty()) {
      values.push_back(key_marker);
    }
    int index = 1;
    for (const auto& value : values) stmt.Bind(index++, value);
    stmt.Bind(index, limit);
    while (stmt.Step()) uploads.push_back(ReadUpload(stmt));
    return uploads;
  }

  std::optional<std::string> PutUploadPart(const UploadPart& p) override {
    std::lock_guard lock(mutex_);
    if (!GetMultipartUpload(p.upload_id)) {
      throw NotFound("upload_not_found", "multipart upload '" + p.upload_id + "' not found");
    }
    std::optional<std::string> previous;
    auto select = db_.Prepare("SELECT blob FROM upload_parts WHERE upload_id = ? AND part_number = ?");
    select.Bind(1, p.upload_id).Bind(2, p.part_number);
    if (select.Step()) previous = blobs_.Decode(select.Text(0));
    db_.Prepare(
           std::string("INSERT INTO upload_parts (") + kPartColumns +
           ") VALUES (?,?,?,?,?,?) ON CONFLICT (upload_id, part_number) DO UPDATE SET blob = excluded.blob, "
           "size = excluded.size, etag = excluded.etag, created_at = excluded.created_at")
        .Bind(1, p.upload_id)
        .Bind(2, p.part_number)
        .Bind(3, blobs_.Encode(p.blob))
        .Bind(4, p.size)
        .Bind(5, p.etag)
        .Bind(6, p.created_at)
        .Run();
    return previous;
  }

  std::vector<UploadPart> ListUploadParts(const std::string& upload_id, int64_t after_part_number,
                                          int64_t limit) override {
    std::lock_guard lock(mutex_);
    std::vector<UploadPart> parts;
    auto stmt = db_.Prepare(std::string("SELECT ") + kPartColumns +
                            " FROM upload_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number "
                            "LIMIT ?");
    stmt.Bind(1, upload_id).Bind(2, after_part_number).Bind(3, limit);
    while (stmt.Step()) parts.push_back(ReadPart(stmt, blobs_));
    return parts;
  }

  std::optional<std::vector<std::string>> DeleteMultipartUpload(const std::string& id) override {
    std::lock_guard lock(mutex_);
    if (!GetMultipartUpload(id)) return std::nullopt;
    std::vector<std::string> blobs;
    auto stmt = db_.Prepare("SELECT blob FROM upload_parts WHERE upload_id = ? ORDER BY part_number");
    stmt.Bind(1, id);
    while (stmt.Step()) blobs.push_back(blobs_.Decode(stmt.Text(0)));
    db_.Prepare("DELETE FROM multipart_uploads WHERE id = ?").Bind(1, id).Run();
    return blobs;
  }

  void CreateFile(const FileRecord& f) override {
    std::lock_guard lock(mutex_);
    // Checked first: a foreign key violation does not say which reference failed.
    if (!GetObject(f.bucket, f.key)) {
      throw NotFound("object_not_found",
                     "object '" + f.key + "' does not exist in bucket '" + f.bucket + "'");
    }
    db_.Prepare(std::string("INSERT INTO files (") + kFileColumns + ") VALUES (?,?,?,?,?,?,?,?)")
        .Bind(1, f.id)
        .Bind(2, f.project_id)
        .Bind(3, f.name)
        .Bind(4, f.bucket)
        .Bind(5, f.key)
        .Bind(6, static_cast<int64_t>(f.owned))
        .Bind(7, nlohmann::json(f.tags).dump())
        .Bind(8, f.created_at)
        .Run();
  }

  std::optional<FileRecord> GetFile(const std::string& project_id, const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto stmt =
        db_.Prepare(std::string("SELECT ") + kFileColumns + " FROM files WHERE project_id = ? AND id = ?");
    stmt.Bind(1, project_id).Bind(2, id);
    if (!stmt.Step()) return std::nullopt;
    return ReadFile(stmt);
  }

  Page<FileRecord> ListFiles(const std::string& project_id, const std::vector<std::string>& tags,
                             const PageRequest& page) override {
    std::lock_guard lock(mutex_);
    // Every requested tag must be among the file's tags: count the matches per file.
    std::string filter = " FROM files WHERE project_id = ?1";
    if (!tags.empty()) {
      filter +=
          " AND (SELECT count(DISTINCT t.value) FROM json_each(files.tags) t WHERE t.value IN (SELECT value "
          "FROM json_each(?2))) = json_array_length(?2)";
    }
    Page<FileRecord> result;
    auto stmt = db_.Prepare(std::string("SELECT ") + kFileColumns + filter +
                            " ORDER BY created_at DESC, rowid DESC LIMIT ?3 OFFSET ?4");
    std::string tag_array = nlohmann::json(tags).dump();
    stmt.Bind(1, project_id).Bind(2, tag_array).Bind(3, page.limit).Bind(4, page.offset);
    while (stmt.Step()) result.items.push_back(ReadFile(stmt));
    auto count = db_.Prepare("SELECT count(*)" + filter);
    count.Bind(1, project_id);
    if (!tags.empty()) count.Bind(2, tag_array);
    count.Step();
    result.total = count.Int(0);
    return result;
  }

  void DeleteFile(const std::string& project_id, const std::string& id) override {
    std::lock_guard lock(mutex_);
    db_.Prepare("DELETE FROM files WHERE project_id = ? AND id = ?").Bind(1, project_id).Bind(2, id).Run();
  }

  void CreateJob(const Job& job) override {
    std::lock_guard lock(mutex_);
    db_.Prepare(
           "INSERT INTO jobs (id, project_id, branch_id, kind, target, status, request, progress, result, "
           "error, "
           "cancel_requested, created_at, started_at, finished_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
        .Bind(1, job.id)
        .Bind(2, job.project_id)
        .Bind(3, job.branch_id)
        .Bind(4, job.kind)
        .Bind(5, job.target)
        .Bind(6, job.status)
        .Bind(7, job.request.dump())
        .Bind(8, job.progress.dump())
        .Bind(9, OptionalJson(job.result))
        .Bind(10, OptionalJson(job.error))
        .Bind(11, static_cast<int64_t>(job.cancel_requested))
        .Bind(12, job.created_at)
        .Bind(13, job.started_at)
        .Bind(14, job.finished_at)
        .Run();
  }

  void UpdateJob(const Job& job) override {
    std::lock_guard lock(mutex_);
    db_.Prepare(
           "UPDATE jobs SET status = ?, progress = ?, result = ?, error = ?, cancel_requested = ?, "
           "started_at = ?, "
           "finished_at = ? WHERE id = ?")
        .Bind(1, job.status)
        .Bind(2, job.progress.dump())
        .Bind(3, OptionalJson(job.result))
        .Bind(4, OptionalJson(job.error))
        .Bind(5, static_cast<int64_t>(job.cancel_requested))
        .Bind(6, job.started_at)
        .Bind(7, job.finished_at)
        .Bind(8, job.id)
        .Run();
  }

  std::optional<Job> GetJob(const std::string& project_id, const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto stmt =
        db_.Prepare(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE project_id = ? AND id = ?");
    stmt.Bind(1, project_id).Bind(2, id);
    if (!stmt.Step()) return std::nullopt;
    return ReadJob(stmt);
  }

  Page<Job> ListJobs(const std::string& project_id, const PageRequest& page) override {
    std::lock_guard lock(mutex_);
    Page<Job> result;
    auto stmt = db_.Prepare(std::string("SELECT ") + kJobColumns +
                            " FROM jobs WHERE project_id = ? ORDER BY rowid DESC LIMIT ? OFFSET ?");
    stmt.Bind(1, project_id).Bind(2, page.limit).Bind(3, page.offset);
    while (stmt.Step()) result.items.push_back(ReadJob(stmt));
    auto count = db_.Prepare("SELECT count(*) FROM jobs WHERE project_id = ?");
    count.Bind(1, project_id);
    count.Step();
    result.total = count.Int(0);
    return result;
  }

  int64_t FailUnfinishedJobs(const nlohmann::json& error, const std::string& at) override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.Prepare(
        "UPDATE jobs SET status = 'failed', error = ?, finished_at = ? WHERE status IN ('queued', "
        "'running')");
    stmt.Bind(1, error.dump()).Bind(2, at).Run();
    auto changes = db_.Prepare("SELECT changes()");
    changes.Step();
    return changes.Int(0);
  }

  void AppendOperation(const Operation& op) override {
    std::lock_guard lock(mutex_);
    db_.Prepare(
           "INSERT INTO operations (at, request_id, project_id, operation, resource, details, duration_ms, "
           "status) "
           "VALUES (?,?,?,?,?,?,?,?)")
        .Bind(1, op.at)
        .Bind(2, op.request_id)
        .Bind(3, op.project_id)
        .Bind(4, op.operation)
        .Bind(5, op.resource)
        .Bind(6, op.details.dump())
        .Bind(7, op.duration_ms)
        .Bind(8, op.status)
        .Run();
  }

  Page<Operation> ListOperations(const std::string& project_id, const PageRequest& page) override {
    std::lock_guard lock(mutex_);
    Page<Operation> result;
    auto stmt = db_.Prepare(
        "SELECT id, at, request_id, project_id, operation, resource, details, duration_ms, status FROM "
        "operations "
        "WHERE project_id = ? ORDER BY id DESC LIMIT ? OFFSET ?");
    stmt.Bind(1, project_id).Bind(2, page.limit).Bind(3, page.offset);
    while (stmt.Step()) {
      result.items.push_back(Operation{stmt.Int(0), stmt.Text(1), stmt.Text(2), stmt.Text(3), stmt.Text(4),
                                       stmt.Text(5), nlohmann::json::parse(stmt.Text(6)), stmt.Int(7),
                                       stmt.Text(8)});
    }
    auto count = db_.Prepare("SELECT count(*) FROM operations WHERE project_id = ?");
    count.Bind(1, project_id).Step();
    result.total = count.Int(0);
    return result;
  }

 private:
  void Migrate() {
    std::lock_guard lock(mutex_);
    db_.Exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT "
        "NULL, "
        "applied_at TEXT NOT NULL)");
    // Every migration not applied yet, not only those above the highest applied one: migration numbers
    // are assigned ahead to parallel branches, which may land out of order.
    std::set<int64_t> applied;
    auto current = db_.Prepare("SELECT version FROM schema_migrations");
    while (current.Step()) applied.insert(current.Int(0));
    for (const Migration& m : SqliteMigrations()) {
      if (applied.contains(m.version)) continue;
      db_.Exec("BEGIN IMMEDIATE");
      try {
        db_.Exec(m.sql);
        db_.Prepare("INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)")
            .Bind(1, static_cast<int64_t>(m.version))
            .Bind(2, std::string(m.description))
            .Bind(3, NowTimestamp())
            .Run();
        db_.Exec("COMMIT");
      } catch (...) {
        db_.Exec("ROLLBACK");
        throw;
      }
    }
  }

  // Rows written before blob paths were stored relative hold absolute paths; those below this data
  // directory become relative, once: a setting records that it ran, so later starts skip the table scans
  // (every row written since is relative already, or outside the data directory and left as it is).
  void RelativizeBlobPaths() {
    static const std::string kDone = "catalog.blob_paths_relative";
    InTransaction([&] {
      if (GetSetting(kDone)) return;
      for (const char* table : {"objects", "upload_parts"}) {
        db_.Prepare(std::string("UPDATE ") + table +
                    " SET blob = substr(blob, length(?1) + 1) WHERE substr(blob, 1, length(?1)) = ?1 AND "
                    "length(blob) > length(?1)")
            .Bind(1, blobs_.prefix())
            .Run();
      }
      PutSetting(kDone, "1");
    });
  }

  const BlobPaths blobs_;
  std::recursive_mutex mutex_;
  SqliteDb db_;
};

}  // namespace

std::unique_ptr<Catalog> OpenSqliteCatalog(const std::string& path) {
  return std::make_unique<SqliteCatalog>(path);
}

}  // namespace duckstore
