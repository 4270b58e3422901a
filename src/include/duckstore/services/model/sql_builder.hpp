// Builds the SQL fragments the services need from validated, transport-neutral requests. Identifiers are
// always quoted and values always bound as parameters; nothing a caller sends is spliced into SQL text.
#pragma once

#include <string>
#include <vector>

#include "duckstore/services/model/table_model.hpp"
#include "duckstore/storage/engine/column_default.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {

// "bucket"."table"
std::string QualifiedName(const std::string& bucket, const std::string& table);

// A WHERE clause ("" when there are no filters) whose parameters are appended to `params`. Every column must
// exist in `table` (kInvalidArgument "column_not_found" otherwise); values are cast to the column type.
std::string BuildWhere(const std::vector<ColumnFilter>& filters, const TableInfo& table, SqlParams& params);

// The same WHERE clause with the values written inline as escaped, typed literals: for view definitions,
// which cannot hold parameters. The only place filter values are spliced; they are always quoted.
std::string BuildWhereInline(const std::vector<ColumnFilter>& filters, const TableInfo& table);

// The condition of a fulltext search: `term` is a substring of any VARCHAR column (no LIKE wildcards);
// "false" when the table has no string column. The term is appended to `params`.
std::string BuildFulltext(const std::string& term, const TableInfo& table, SqlParams& params);

// An ORDER BY clause ("" when empty); columns must exist in `table`.
std::string BuildOrderBy(const std::vector<OrderBy>& order_by, const TableInfo& table);

// Parses and normalizes a DuckDB type name ("int" -> "INTEGER", "decimal(12,2)" -> "DECIMAL(12,2)");
// throws kInvalidArgument("invalid_type") for anything that is not a type.
std::string NormalizeType(const std::string& type);

}  // namespace duckstore
