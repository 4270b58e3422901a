// A table's history (docs/design/history.md): its committed versions, its state as of a past time (preview,
// a new table from it, restore in place, undrop of a dropped table) and the project's retention. Storage is
// storage/engine/project_metadata_history.hpp's; the writes that record history are the TableService's,
// the import engine's and the query service's own.
//
// A time ("as of") is RFC 3339 text (kInvalidArgument "invalid_timestamp" otherwise) or microseconds. A time
// after now is kInvalidArgument("timestamp_in_future"); before the project's retention, or before the
// table's history began, kInvalidArgument("time_travel_data_not_retained"); before the table existed (or
// while it was dropped), or an unknown table, kNotFound("table_not_found"). A refused call changes nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "duckstore/services/audit/operation_log.hpp"
#include "duckstore/services/metadata/branch_view.hpp"
#include "duckstore/services/metadata/tables.hpp"
#include "duckstore/storage/engine/project_metadata_history.hpp"

namespace duckstore {

class TableHistoryService {
 public:
  TableHistoryService(BranchResolver& branches, OperationLog& ops) : branches_(branches), ops_(ops) {}

  // The table's committed changes within the retention (of every table of its name), oldest first.
  std::vector<TableVersion> History(const TableRef& ref);
  // Preview of the table as it was at `at` (the table need not exist now).
  PreviewResult PreviewAt(const TableRef& ref, const PreviewRequest& request, const std::string& at);
  // Restores `source` as of `at`: into `destination` (kConflict "table_exists" if there is one; created with
  // the columns, NOT NULL, defaults, key and rows of then), or in place when `destination` is nullopt: a
  // live table's rows are replaced as one change (kConflict "restore_columns_changed" when its columns
  // changed since), a dropped table is created again (undrop).
  TableInfo Restore(const TableRef& source, const std::string& at,
                    const std::optional<TableRef>& destination);
  TableInfo RestoreAt(const TableRef& source, int64_t at_micros, const std::optional<TableRef>& destination);
  // Tables of the branch's own database dropped within the retention and not created again.
  std::vector<DroppedTable> ListDropped(const BranchRef& branch);
  // The project's retention in days (dataRetentionTimeInDays, default 7). Setting 0 (of 0-3650, else
  // kInvalidArgument "invalid_retention") turns history off and forgets what was kept.
  int64_t RetentionDays(const std::string& project_id);
  void SetRetentionDays(const std::string& project_id, int64_t days);

 private:
  BranchResolver& branches_;
  OperationLog& ops_;
};

}  // namespace duckstore
