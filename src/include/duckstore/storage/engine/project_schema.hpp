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

// Creates or upgrades the internal schema; idempotent.
void ApplyProjectSchema(duckdb::Connection& conn);

// True for schema names that are not buckets (DuckDB's own and ours); such names cannot be bucket names.
bool IsReservedSchemaName(const std::string& name);

}  // namespace duckstore
