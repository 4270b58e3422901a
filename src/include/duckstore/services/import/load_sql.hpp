// The SQL text of the load statements of services/import/table_loader, built from a column plan. Pure
// string building (no connection), so the statements are unit-tested as text. Identifiers are quoted
// here; values never appear (the source's parameters stay bound).
//
// Deduplication ("the last occurrence of a key wins") relies on row ids: DuckDB keeps insertion order
// (preserve_insertion_order, on in every project database), so the rows one INSERT or CREATE TABLE AS
// writes get increasing row ids in source order, files of a sliced source in list order. Keeping the
// highest row id per key keeps the last occurrence. Keys compare with IS NOT DISTINCT FROM semantics
// (GROUP BY puts NULLs together), as dedup columns may be nullable.
#pragma once

#include <string>
#include <vector>

#include "duckstore/services/import/column_plan.hpp"

namespace duckstore::load_sql {

// "k1", "k2" (each prefixed with `alias` when given, e.g. "s.").
std::string KeyList(const std::vector<std::string>& key, const std::string& alias = "");

// left."k1" IS NOT DISTINCT FROM right."k1" AND ...
std::string KeyMatch(const std::vector<std::string>& key, const std::string& left, const std::string& right);

// INSERT INTO <table> (<targets>) SELECT <converted source columns> FROM <source>
std::string InsertFromSource(const std::string& table, const ColumnPlan& plan, const std::string& source_sql);

// CREATE TEMP TABLE <stage> AS SELECT <converted source columns> FROM <source>
std::string StageFromSource(const std::string& stage, const ColumnPlan& plan, const std::string& source_sql);

// One key that occurs more than once in `relation` (its key columns), or no row.
std::string FindDuplicateKey(const std::vector<std::string>& key, const std::string& relation);

// Deletes from `table` every row but the last (highest row id) of each key. In a FULL load the table's
// old rows are already deleted in the same transaction, so only the loaded rows take part.
std::string DeleteEarlierDuplicates(const std::vector<std::string>& key, const std::string& table);

// One key of `stage` that `table` holds already, or no row (FAIL_ON_DUPLICATES, incremental).
std::string FindExistingKey(const std::vector<std::string>& key, const std::string& stage,
                            const std::string& table);

// Keeps the current timestamp of `table` rows that a staged row would replace without a change: sets the
// staged row's `timestamp` column to the table's where every other target column is equal.
std::string KeepUnchangedTimestamps(const ColumnPlan& plan, const std::string& stage,
                                    const std::string& table);

// DELETE FROM <table> t USING <stage> s WHERE <key match>
std::string DeleteReplacedRows(const std::vector<std::string>& key, const std::string& table,
                               const std::string& stage);

// INSERT INTO <table> (<targets>) SELECT <targets> FROM <stage>
std::string InsertFromStage(const std::string& table, const ColumnPlan& plan, const std::string& stage);

}  // namespace duckstore::load_sql
