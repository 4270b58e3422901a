#include "duckstore/storage/engine/project_schema.hpp"

#include <duckdb.hpp>

#include "duckstore/common/error.hpp"

namespace duckstore {

void ApplyProjectSchema(duckdb::Connection& conn, SchemaKind kind) {
  // Primary keys are Keboola metadata (used for deduplication and by DAS), not DuckDB constraints: an ART
  // index would slow bulk loads and DuckDB rejects delete+insert of one key within a transaction, which
  // is exactly how an upsert replaces rows. See docs/design/engine.md.
  static const char* kStatements[] = {
      "CREATE SCHEMA IF NOT EXISTS _duckstore",
      "CREATE TABLE IF NOT EXISTS _duckstore.buckets (name VARCHAR NOT NULL, description VARCHAR NOT NULL, "
      "created_at TIMESTAMPTZ NOT NULL)",
      "CREATE TABLE IF NOT EXISTS _duckstore.tables (bucket VARCHAR NOT NULL, name VARCHAR NOT NULL, "
      "primary_key VARCHAR[] NOT NULL, created_at TIMESTAMPTZ NOT NULL)",
      // Dev branch databases only: default-branch buckets (name '') and tables the branch deleted, which
      // therefore no longer show through (docs/design/branches.md).
      "CREATE TABLE IF NOT EXISTS _duckstore.branch_hidden (bucket VARCHAR NOT NULL, name VARCHAR NOT NULL)",
      // Table history (docs/design/history.md): the histories, their changes, the retention, and per
      // history a table of kept rows in the schema _duckstore_history (created below, for kHistory only).
      "CREATE TABLE IF NOT EXISTS _duckstore.history_tables (id VARCHAR NOT NULL, bucket VARCHAR NOT NULL, "
      "name VARCHAR NOT NULL, since TIMESTAMPTZ NOT NULL, until TIMESTAMPTZ, created BOOLEAN NOT NULL, "
      "definition VARCHAR NOT NULL)",
      "CREATE TABLE IF NOT EXISTS _duckstore.history_changes (history_id VARCHAR NOT NULL, version BIGINT "
      "NOT "
      "NULL, committed_at TIMESTAMPTZ NOT NULL, operation VARCHAR NOT NULL, rows_added BIGINT NOT NULL, "
      "rows_removed BIGINT NOT NULL, full_image BOOLEAN NOT NULL, request_id VARCHAR NOT NULL)",
      "CREATE TABLE IF NOT EXISTS _duckstore.history_settings (retention_days BIGINT NOT NULL)",
  };
  auto run = [&](const char* sql) {
    auto result = conn.Query(sql);
    if (result->HasError()) throw Internal("cannot prepare project database: " + result->GetError());
  };
  for (const char* sql : kStatements) run(sql);
  // Created here, once, when the database is opened, rather than by the first table history in that
  // table's transaction: two tables created at once in a new project then both created the schema, and
  // the second transaction failed with a write-write conflict on it (HTTP 409 write_conflict). Workspace
  // databases keep no history and so show no such schema.
  if (kind == SchemaKind::kHistory) run("CREATE SCHEMA IF NOT EXISTS _duckstore_history");
}

bool IsReservedSchemaName(const std::string& name) {
  auto lower = duckdb::StringUtil::Lower(name);
  return lower == "main" || lower == "information_schema" || lower == "pg_catalog" || lower == "temp" ||
         lower.rfind("_duckstore", 0) == 0;
}

}  // namespace duckstore
