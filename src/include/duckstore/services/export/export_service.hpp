// The export engine: writes a table (or a selection of it) as CSV (optionally gzip) or Parquet objects
// into a bucket of the object store. One implementation behind REST and the Keboola driver
// (TableExportToFile). docs/design/import.md.
//
// Contracts:
// - DuckDB's COPY writes into a private directory inside the project (its DuckDB instance may write
//   nowhere else), then every file is published through ObjectStore writers; the directory is removed
//   whatever happens. A failed export publishes nothing it had not finished (slices already published
//   stay visible; the manifest, written last, is what makes a sliced export complete).
// - Slicing (SliceMode): DuckDB rotates output files at slice_bytes with parallel writers, which does not
//   keep row order across slices; an export with order_by or limit is therefore written as one ordered
//   file (one slice).
// - The read is one snapshot: concurrent writes to the table are not seen half-way.
// - `control` (optional) reports progress and cancels (kCancelled).
#pragma once

#include "duckstore/services/import/import_request.hpp"
#include "duckstore/services/jobs/task_control.hpp"
#include "duckstore/services/metadata/buckets.hpp"

namespace duckstore {

class ObjectStore;
class FileService;

class ExportService {
 public:
  ExportService(BranchResolver& branches, OperationLog& ops, ObjectStore& objects, FileService& files)
      : branches_(branches), ops_(ops), objects_(objects), files_(files) {}

  // The caller has authorised the target bucket for writing. kNotFound for a missing table, bucket or
  // column; kInvalidArgument for bad options.
  ExportResult ExportToFile(const TableRef& source, const ExportRequest& request,
                            TaskControl* control = nullptr);

 private:
  BranchResolver& branches_;
  OperationLog& ops_;
  ObjectStore& objects_;
  FileService& files_;
};

}  // namespace duckstore
