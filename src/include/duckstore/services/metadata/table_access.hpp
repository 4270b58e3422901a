// Opening a table of a branch for a service: where the branch sees it (its own database, the default
// branch's, or a linked bucket's source), its description, and for changes the write lock. The narrow
// header for services that read or change a table (views, export, the TableService files); the overlay
// rules themselves are branch_view.hpp's.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "duckstore/services/metadata/branch_view.hpp"
#include "duckstore/services/model/table_model.hpp"
#include "duckstore/storage/engine/project_metadata.hpp"

namespace duckstore {

// A table opened wherever its branch sees it: the branch's own database, the default branch (a table the
// branch has not written), or a linked bucket's source.
struct OpenTable {
  std::unique_ptr<BranchView> view;   // keeps the databases open
  BucketLocation bucket;              // where the branch sees the table's bucket (linked or not)
  std::unique_lock<std::mutex> lock;  // held for writes
  duckdb::Connection* conn = nullptr;
  std::string schema;  // the schema holding the table in conn's database
  TableInfo info;      // for reads, info.bucket is the bucket's name on the branch
  TableLocation location;
};

// Opens `ref` for reading; kNotFound ("bucket_not_found", "table_not_found"). A view is table_not_found
// unless `views_too` (then its description, for listings and Get).
OpenTable OpenForRead(BranchResolver& branches, const TableRef& ref,
                      TableDetail detail = TableDetail::kDefinition, bool views_too = false);
// The same through a view of `ref`'s branch the caller holds (open.view stays empty); the connection
// belongs to `view`.
OpenTable OpenForRead(BranchView& view, const TableRef& ref, TableDetail detail = TableDetail::kDefinition,
                      bool views_too = false);

// A table to change: in the branch's own database (copied up first on a dev branch), locked, its
// definition read (kDefinition). Views and linked buckets are refused as OpenForWrite refuses them.
OpenTable OpenForChange(BranchResolver& branches, const TableRef& ref);

// kNotFound("table_not_found") for `ref`.
[[noreturn]] void ThrowTableNotFound(const TableRef& ref);

}  // namespace duckstore
