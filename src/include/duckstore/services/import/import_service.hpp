// The import engine: loads files of the object store or rows of another table into an existing table.
// One implementation behind every transport (REST, the Keboola driver, S3-sourced loads); requests and
// results are the plain structs of import_request.hpp. docs/design/import.md.
//
// Contracts:
// - The destination table must exist; columns are matched by name (column_plan.hpp).
// - Every load is one DuckDB transaction under the table's write lock (table_loader.hpp): readers see the
//   old or the new content, a failure or a crash leaves the old content, staged data goes with the
//   rollback.
// - Errors are duckstore::Error with the contract's driver code in details.driver_code (import_errors.hpp):
//   column mismatches 4100-4103 (kInvalidArgument), unreadable or malformed data 4200, missing files 4201,
//   values that do not cast 4202 naming file, line/row, column and value (kUnprocessable).
// - `control` (optional) reports progress and cancels (task_control.hpp); a cancelled import is kCancelled
//   and rolled back.
// Thread-safe: imports into different tables run in parallel, imports into one table queue on its lock.
#pragma once

#include <string>
#include <vector>

#include "duckstore/services/import/import_request.hpp"
#include "duckstore/services/jobs/task_control.hpp"
#include "duckstore/services/metadata/buckets.hpp"

namespace duckstore {

class ObjectStore;

class ImportService {
 public:
  ImportService(BranchResolver& branches, OperationLog& ops, ObjectStore& objects)
      : branches_(branches), ops_(ops), objects_(objects) {}

  // TableImportFromFile: the source is an object (or a manifest, or a prefix) of a bucket of the store.
  // The caller has authorised the bucket for reading. kNotFound("object_not_found", driver code 4201) for a
  // missing object or manifest; a manifest entry that is missing is
  // kUnprocessable("mandatory_file_not_found", 4201) when mandatory and skipped otherwise.
  ImportResult ImportFromFile(const TableRef& destination, const FileImportRequest& request,
                              TaskControl* control = nullptr);

  // The same load from files already readable by the project's DuckDB instance (inside its directory).
  // `display_names` name the files in errors (object keys), index for index.
  ImportResult ImportFromPaths(const TableRef& destination, const std::vector<std::string>& paths,
                               const std::vector<std::string>& display_names, FileFormat format,
                               const CsvOptions& csv, const ImportOptions& options,
                               TaskControl* control = nullptr);

  // TableImportFromTable: FULL/INCREMENTAL load rows of another table of the same branch; VIEW creates
  // the destination as a view over the source (mappings only: a view cannot hold bound filter values),
  // CLONE as a copy of the (filtered) source with its primary key. VIEW and CLONE need the destination to
  // be absent (kConflict "table_exists") unless create_mode is kReplace.
  ImportResult ImportFromTable(const TableRef& destination, const TableImportRequest& request,
                               TaskControl* control = nullptr);

 private:
  BranchResolver& branches_;
  OperationLog& ops_;
  ObjectStore& objects_;
};

}  // namespace duckstore
