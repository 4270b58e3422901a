// Rows of DuckDB values read from a materialized query result: the typed writes' answers (RETURNING *) and
// a DAS table function's result are both read this way.
#pragma once

#include <string>
#include <vector>

#include "duckdb.hpp"

namespace duckstore {

// Rows with DuckDB values, as written or read back by the typed writes (every column, in table order).
struct TypedRows {
  std::vector<std::string> columns;
  std::vector<std::vector<duckdb::Value>> rows;
};

// Every row of `result`, with its column names.
TypedRows ReadTypedRows(duckdb::MaterializedQueryResult& result);

}  // namespace duckstore
