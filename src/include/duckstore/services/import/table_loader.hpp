// Moves a source relation into a table with one of the load strategies, inside one DuckDB transaction:
//
// - FULL: delete every row, insert the (deduplicated) source. Readers see the old or the new content
//   (MVCC); a crash before COMMIT leaves the old content (the WAL holds no commit).
// - INCREMENTAL without a key, or with INSERT_DUPLICATES: append.
// - INCREMENTAL with UPDATE_DUPLICATES: stage the source deduplicated by key (last occurrence wins) in a
//   temporary table, delete the table's rows with those keys, insert the staged rows. With a managed
//   timestamp, a staged row identical to the row it replaces keeps that row's timestamp.
// - FAIL_ON_DUPLICATES: a key twice in the source, or (incremental) already in the table, fails.
//
// The caller holds the table's write lock. Failures roll back and leave nothing staged.
#pragma once

#include <functional>

#include "duckstore/services/import/column_plan.hpp"
#include "duckstore/services/jobs/task_control.hpp"

namespace duckstore {

struct LoadOutcome {
  int64_t imported_rows = 0;
  std::vector<Timer> timers;
};

// `diagnose` is called with a failure of the load statements (after rollback) and may throw a more
// precise error; the original error is rethrown otherwise.
LoadOutcome LoadIntoTable(duckdb::Connection& conn, const TableInfo& table, const SourceRelation& source,
                          const ColumnPlan& plan, const ImportOptions& options, TaskControl* control,
                          const std::function<void(const Error&)>& diagnose);

}  // namespace duckstore
