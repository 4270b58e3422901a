// The history of table data (docs/design/history.md): every statement on `_duckstore.history_*` and on the
// schema `_duckstore_history`, part of the project-metadata module family. As in project_metadata.hpp,
// every function works in the default database of `conn` (the project's or a dev branch's) and inside the
// caller's transaction, so a change and its history commit or roll back together. Names match
// case-insensitively; `bucket` is the table's schema in that database.
//
// A change is recorded in four steps inside its transaction: BeginTableChange (allocates the version; opens
// the table's history if it has none), KeepRemovedRows / KeepAppendedRows / KeepRowsById around the
// statements that change rows, then RecordTableChange just before COMMIT.
#pragma once

#include <duckdb.hpp>

#include <optional>
#include <string>
#include <vector>

#include "duckstore/storage/engine/metadata_types.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {

inline constexpr int64_t kDefaultRetentionDays = 7;
inline constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;

// The clock of history: microseconds since the Unix epoch (UTC), as changes record their commit time.
int64_t HistoryClockMicros();

// The project's retention (days); kDefaultRetentionDays until set. 0: no history is kept.
int64_t RetentionDays(duckdb::Connection& conn);
// Sets the retention; 0 also forgets every history kept so far (nothing would keep it consistent).
void SaveRetentionDays(duckdb::Connection& conn, int64_t days);

// A change of one table being recorded. `history_id` is empty when history is off: the Keep* and Record
// functions then do nothing.
struct TableChange {
  std::string bucket;
  std::string table;
  std::string history_id;
  int64_t version = 0;
  bool recorded() const { return !history_id.empty(); }
};

struct ChangeSummary {
  std::string operation;  // e.g. "import.full", "rows.delete", "table.drop"
  int64_t rows_added = 0;
  int64_t rows_removed = 0;
};

// Opens the history of a table just created (`definition`: its columns and key), existing from now on;
// `created` false: of a table that existed before (after a change of its columns).
void OpenTableHistory(duckdb::Connection& conn, const TableInfo& definition, bool created = true);

// Starts a change of the table `definition` describes (its current columns and key).
TableChange BeginTableChange(duckdb::Connection& conn, const TableInfo& definition);
// Keeps the table's rows matching `where` (" WHERE ..." with `params`, or "" for every row) as removed by
// the change. Call before removing them.
void KeepRemovedRows(duckdb::Connection& conn, const TableChange& change, const std::string& where,
                     const SqlParams& params);
// Keeps the rows this transaction appended to the table as added by the change. Call after the appends.
void KeepAppendedRows(duckdb::Connection& conn, const TableChange& change);
// Keeps the rows with these row ids (stable within the transaction) as removed or added.
void KeepRowsById(duckdb::Connection& conn, const TableChange& change, bool removed,
                  const std::vector<int64_t>& row_ids);
// Records the change as committed now, by the current request (common/log.hpp). `full_image`: the removed
// rows are the whole previous table (what a FULL load replaced); the rows it added are not kept then.
void RecordTableChange(duckdb::Connection& conn, const TableChange& change, const ChangeSummary& summary,
                       bool full_image);
// Keeps the whole table and closes its history (summary.rows_removed: the rows kept): before a drop or a
// change of its columns (whose caller opens the next history after the DDL).
void CloseTableHistory(duckdb::Connection& conn, const TableInfo& definition, const ChangeSummary& summary);

// One committed change of a table (its current history), oldest first.
struct TableVersion {
  int64_t version = 0;
  std::string committed_at;  // ISO-8601 UTC, microseconds
  std::string operation;
  int64_t rows_added = 0;
  int64_t rows_removed = 0;
  bool full_image = false;
  std::string request_id;
};
std::vector<TableVersion> ListTableVersions(duckdb::Connection& conn, const std::string& bucket,
                                            const std::string& table);

// A table as of a past instant: its definition then and a SELECT of its rows then.
struct PastTable {
  TableInfo definition;
  std::string sql;
  std::string history_id;
};
enum class PastStatus { kFound, kNotExisted, kNotRecorded };
struct PastLookup {
  PastStatus status = PastStatus::kNotExisted;
  std::optional<PastTable> table;
};
// The state of bucket.table at `at` (a TIMESTAMPTZ value): kNotExisted when the table was created after
// `at` (or no history of that name is known at all), kNotRecorded when it existed but its history had not
// begun.
PastLookup LoadPastTable(duckdb::Connection& conn, const std::string& bucket, const std::string& table,
                         const duckdb::Value& at);

// A dropped table whose history is retained.
struct DroppedTable {
  std::string history_id;
  std::string bucket;
  std::string name;
  std::string dropped_at;  // ISO-8601 UTC, microseconds
};
std::vector<DroppedTable> ListDroppedTables(duckdb::Connection& conn);

// Forgets what only matters before `horizon` (TIMESTAMPTZ): changes committed before it with their rows,
// histories closed before it with their tables. Returns the changes forgotten.
int64_t ExpireHistory(duckdb::Connection& conn, const duckdb::Value& horizon);
// ExpireHistory at now minus the database's retention, in one transaction of its own (the background
// expiry). Returns the changes forgotten.
int64_t ExpireRetainedHistory(duckdb::Connection& conn);

}  // namespace duckstore
