#include "duckstore/services/metadata/table_access.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"

namespace duckstore {

void ThrowTableNotFound(const TableRef& ref) {
  throw NotFound("table_not_found",
                 "table '" + ref.table + "' does not exist in bucket '" + ref.bucket + "'");
}

OpenTable OpenForRead(BranchView& view, const TableRef& ref, TableDetail detail, bool views_too) {
  ValidateObjectName(ref.bucket, "bucket name");
  ValidateObjectName(ref.table, "table name");
  OpenTable open;
  auto bucket = view.RequireBucket(ref.bucket);
  auto table = view.FindTable(bucket, ref.table);
  if (!table) ThrowTableNotFound(ref);
  open.conn = &view.Conn(table->source, &bucket);
  open.schema = BranchView::PhysicalBucket(bucket, table->source);
  open.bucket = bucket;
  auto info = table->is_view
                  ? (views_too ? LoadViewAsTable(*open.conn, open.schema, table->name) : std::nullopt)
                  : LoadTable(*open.conn, open.schema, table->name, detail);
  if (!info) ThrowTableNotFound(ref);
  open.info = std::move(*info);
  open.info.bucket = bucket.name;
  open.location = *table;
  return open;
}

OpenTable OpenForRead(BranchResolver& branches, const TableRef& ref, TableDetail detail, bool views_too) {
  auto view = branches.View(ref.branch);
  auto open = OpenForRead(*view, ref, detail, views_too);
  open.view = std::move(view);
  return open;
}

// A table to change: in the branch's own database (copied up first on a dev branch), locked.
OpenTable OpenForChange(BranchResolver& branches, const TableRef& ref) {
  auto writable = OpenForWrite(branches, ref);
  auto info = LoadTable(*writable.conn, writable.bucket, writable.table, TableDetail::kDefinition);
  if (!info) ThrowTableNotFound(ref);  // a view
  OpenTable open;
  open.view = std::move(writable.view);
  open.lock = std::move(writable.lock);
  open.conn = writable.conn;
  open.schema = writable.bucket;
  open.info = std::move(*info);
  return open;
}

}  // namespace duckstore
