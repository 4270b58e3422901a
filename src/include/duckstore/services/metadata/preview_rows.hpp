// The rows of a preview (columns, filters, order, limit, cell truncation) read from any relation with a
// table's columns: the live table (TableService::Preview) or a past state of it (TableHistoryService).
// Implemented with the preview in table_reads.cpp; PreviewResult is tables.hpp's, which callers include
// (declared here only, so that this header does not make the tables module depend on itself).
#pragma once

#include <duckdb.hpp>

#include <string>

#include "duckstore/services/model/table_model.hpp"

namespace duckstore {

struct PreviewResult;

// `from` is a table name or a parenthesized query with an alias, with `info`'s columns; kInvalidArgument
// "invalid_limit", "invalid_filter", "column_not_found" as TableService::Preview documents.
PreviewResult PreviewRows(duckdb::Connection& conn, const TableInfo& info, const std::string& from,
                          const PreviewRequest& request);

}  // namespace duckstore
