#include "duckstore/services/metadata/views.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/metadata/table_access.hpp"
#include "duckstore/services/model/sql_builder.hpp"
#include "duckstore/storage/engine/project_metadata.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {

void RefuseLinkedViewSource(const BucketLocation& bucket) {
  if (!bucket.linked()) return;
  throw InvalidArgument("invalid_source",
                        "a view cannot read bucket '" + bucket.name + "': it is linked from project '" +
                            bucket.link->source_project_id +
                            "', whose tables live in that project's database; copy the table instead",
                        {{"source_project_id", bucket.link->source_project_id}});
}

ViewInfo ViewService::CreateOrReplace(const TableRef& view, const ViewDefinition& definition) {
  ValidateObjectName(view.bucket, "bucket name");
  ValidateObjectName(view.table, "view name");
  ValidateObjectName(definition.source.bucket, "bucket name");
  ValidateObjectName(definition.source.table, "table name");
  return ops_.Run(view.branch.project_id, "view.create", view.Qualified(), [&] {
    // The view is the branch's own object (its database); it reads the source where the branch sees it.
    auto target = OpenForCreate(branches_, view);
    if (target.existing && !target.existing->is_view) {
      throw Conflict("table_exists",
                     "a table named '" + view.table + "' already exists in bucket '" + target.bucket + "'");
    }
    auto source = OpenForRead(*target.view, definition.source);
    RefuseLinkedViewSource(source.bucket);
    std::string select;
    for (const auto& name : definition.columns) {
      const ColumnInfo* column = source.info.FindColumn(name);
      if (!column) {
        throw NotFound("column_not_found",
                       "column '" + name + "' does not exist in '" + source.info.name + "'",
                       {{"column", name}});
      }
      select += (select.empty() ? "" : ", ") + QuoteIdent(column->name);
    }
    if (select.empty()) select = "*";
    // An inherited view of that name is shadowed by the branch's own; only an own view is replaced.
    bool replace = target.existing && target.existing->source == TableSource::kOwn;
    RunDdl(*target.conn, std::string(replace ? "CREATE OR REPLACE VIEW " : "CREATE VIEW ") +
                             QualifiedName(target.bucket, view.table) + " AS SELECT " + select + " FROM " +
                             target.view->SqlName(source.location) +
                             BuildWhereInline(definition.filters, source.info));
    return *LoadView(*target.conn, target.bucket, view.table);
  });
}

namespace {

// A view as the branch sees it: its bucket, where it lives, and the view itself; kNotFound otherwise.
struct FoundView {
  BucketLocation bucket;
  TableLocation location;
  ViewInfo info;
};

std::optional<FoundView> FindView(BranchView& branch, const TableRef& view) {
  auto bucket = branch.FindBucket(view.bucket);
  if (!bucket) throw NotFound("bucket_not_found", "bucket '" + view.bucket + "' does not exist");
  auto location = branch.FindTable(*bucket, view.table);
  if (!location || !location->is_view) return std::nullopt;
  auto& conn = branch.Conn(location->source, &*bucket);
  auto info = LoadView(conn, BranchView::PhysicalBucket(*bucket, location->source), location->name);
  if (!info) return std::nullopt;
  info->bucket = bucket->name;
  return FoundView{*bucket, *location, std::move(*info)};
}

}  // namespace

ViewInfo ViewService::Get(const TableRef& view) {
  ValidateObjectName(view.bucket, "bucket name");
  ValidateObjectName(view.table, "view name");
  auto branch = branches_.View(view.branch);
  auto found = FindView(*branch, view);
  if (!found) throw NotFound("view_not_found", "view '" + view.Qualified() + "' does not exist");
  return found->info;
}

bool ViewService::Exists(const TableRef& view) {
  ValidateObjectName(view.bucket, "bucket name");
  ValidateObjectName(view.table, "view name");
  auto branch = branches_.View(view.branch);
  return FindView(*branch, view).has_value();
}

// On a dev branch a view the branch created is dropped; one inherited from the default branch is only
// hidden from the branch.
void ViewService::Delete(const TableRef& view) {
  ValidateObjectName(view.bucket, "bucket name");
  ValidateObjectName(view.table, "view name");
  ops_.Run(view.branch.project_id, "view.delete", view.Qualified(), [&] {
    auto branch = branches_.View(view.branch);
    auto found = FindView(*branch, view);
    if (!found) throw NotFound("view_not_found", "view '" + view.Qualified() + "' does not exist");
    RefuseLinked(found->bucket);
    const auto& name = found->location.name;
    auto lock = branch->db().LockTable(branch->own_catalog(), found->bucket.name, name);
    if (found->location.source == TableSource::kOwn) {
      RunDdl(branch->Conn(TableSource::kOwn), "DROP VIEW " + QualifiedName(found->bucket.name, name));
    }
    // The default branch's view of that name must not show through once the branch dropped it.
    if (found->bucket.inherited) {
      auto now = branch->FindTable(branch->RequireBucket(found->bucket.name), name);
      if (now && now->source == TableSource::kDefault) branch->Hide(found->bucket.name, name);
    }
  });
}

}  // namespace duckstore
