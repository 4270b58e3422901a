#include "duckstore/storage/engine/project_schema.hpp"

#include <duckdb.hpp>

#include "duckstore/common/error.hpp"

namespace duckstore {

void ApplyProjectSchema(duckdb::Connection& conn) {
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
  };
  for (const char* sql : kStatements) {
    auto result = conn.Query(sql);
    if (result->HasError()) throw Internal("cannot prepare project database: " + result->GetError());
  }
}

bool IsReservedSchemaName(const std::string& name) {
  auto lower = duckdb::StringUtil::Lower(name);
  return lower == "main" || lower == "information_schema" || lower == "pg_catalog" || lower == "temp" ||
         lower.rfind("_duckstore", 0) == 0;
}

}  // namespace duckstore
