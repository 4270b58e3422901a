// Primary-key uniqueness of row writes (REST rows, DAS inserts and updates).
//
// A Keboola primary key is metadata, not a DuckDB constraint: imports deduplicate and upsert by it, so the
// physical table has no UNIQUE index. A row write therefore checks the key itself, inside the write's own
// transaction after the rows are written: a key value that the write stored and that now occurs more than
// once refuses the whole write (409 "duplicate_key"), so nothing of it is kept. Upserts are what an
// INCREMENTAL import is for; a row write never overwrites a row silently.
#pragma once

#include <vector>

#include "duckdb.hpp"

#include "duckstore/storage/engine/metadata_types.hpp"

namespace duckstore {

// The key values of each row of `written` (a RETURNING result holding at least the key columns), in
// `table.primary_key` order. Empty when the table has no primary key.
std::vector<std::vector<duckdb::Value>> KeysOf(duckdb::MaterializedQueryResult& written,
                                               const TableInfo& table);

// Throws Conflict("duplicate_key") naming the first of `keys` that occurs more than once in the table as
// `conn` sees it (the caller's transaction). Rows with a NULL key value are not compared (NULL equals
// nothing). Costs one filtered scan of the key columns per 500 keys.
void RefuseDuplicateKeys(duckdb::Connection& conn, const TableInfo& table,
                         const std::vector<std::vector<duckdb::Value>>& keys);

}  // namespace duckstore
