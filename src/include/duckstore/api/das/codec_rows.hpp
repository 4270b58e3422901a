// DAS wire codec, rows: a slice of a DuckDB data chunk as DAS rows (ExecuteTable's batches). The common
// fixed-size column types are written straight from the vectors; every other type through ToDasValue.
#pragma once

#include <duckdb.hpp>

#include <string>
#include <vector>

#include "com/rawlabs/protocol/das/v1/tables/tables.pb.h"

namespace duckstore::das {

namespace pb_tables = com::rawlabs::protocol::das::v1::tables;

// Appends rows [begin, end) of `chunk` to `rows`, naming the cells after `columns` (the chunk's first
// columns, in order; no columns gives empty rows). Returns the serialized size the rows add to `rows`.
size_t AppendRows(const std::vector<std::string>& columns, duckdb::DataChunk& chunk, size_t begin, size_t end,
                  pb_tables::Rows* rows);

}  // namespace duckstore::das
