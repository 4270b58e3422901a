// The internal schema `_duckstore` inside every project database: attributes of buckets and tables that
// DuckDB's own catalog cannot hold (descriptions, Keboola primary keys, creation times). Keeping them in the
// project database, not in the server catalog, lets one DuckDB transaction change a table and its
// attributes together.
#pragma once

#include <string>

namespace duckdb {
class Connection;
}

namespace duckstore {

inline constexpr const char* kInternalSchema = "_duckstore";

// Which databases keep table history: project and dev-branch databases (kHistory) do, workspace databases
// (kPlain) do not.
enum class SchemaKind { kHistory, kPlain };

// Creates or upgrades the internal schema, and for kHistory the schema of history rows
// (`_duckstore_history`, project_metadata_history.hpp); idempotent. Run when the database is opened.
void ApplyProjectSchema(duckdb::Connection& conn, SchemaKind kind);

// True for schema names that are not buckets (DuckDB's own and ours); such names cannot be bucket names.
bool IsReservedSchemaName(const std::string& name);

}  // namespace duckstore
