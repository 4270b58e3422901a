#include "duckstore/services/metadata/buckets.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/storage/engine/project_metadata.hpp"
#include "duckstore/storage/engine/project_metadata_history.hpp"
#include "duckstore/storage/engine/project_schema.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {

BucketInfo BucketService::Describe(BranchView& view, const BucketLocation& bucket) {
  TableSource source = bucket.linked() ? TableSource::kLinked
                       : bucket.own    ? TableSource::kOwn
                                       : TableSource::kDefault;
  auto& conn = view.Conn(source, &bucket);
  BucketInfo info;
  info.name = bucket.name;
  if (auto attributes = LoadBucketAttributes(conn, BranchView::PhysicalBucket(bucket, source))) {
    info.description = std::move(attributes->description);
    info.created_at = std::move(attributes->created_at);
  }
  if (bucket.linked()) {
    info.source_project_id = bucket.link->source_project_id;
    info.source_bucket = bucket.link->source_bucket;
    info.created_at = bucket.link->created_at;
  }
  info.table_count = static_cast<int64_t>(view.ListTables(bucket).size());
  return info;
}

BucketInfo BucketService::Create(const BranchRef& branch, const std::string& name,
                                 const std::string& description) {
  ValidateObjectName(name, "bucket name");
  if (IsReservedSchemaName(name))
    throw InvalidArgument("invalid_name", "bucket name '" + name + "' is reserved");
  return ops_.Run(branch.project_id, "bucket.create", name, [&] {
    auto view = branches_.View(branch);
    auto lock = view->db().LockTable(view->own_catalog(), name, "");
    if (view->FindBucket(name)) throw Conflict("bucket_exists", "bucket '" + name + "' already exists");
    auto& conn = view->Conn(TableSource::kOwn);
    InSqlTransaction(conn, [&] {
      RunDdl(conn, "CREATE SCHEMA " + QuoteIdent(name));
      RecordBucket(conn, name, description);
      // A bucket created on a dev branch is the branch's own: a default-branch bucket of the same name
      // created later does not show through it.
      view->Hide(name, "");
    });
    return Describe(*view, view->RequireBucket(name));
  });
}

Page<BucketInfo> BucketService::List(const BranchRef& branch, const PageRequest& page) {
  auto view = branches_.View(branch);
  auto buckets = view->ListBuckets();
  Page<BucketInfo> out;
  out.total = static_cast<int64_t>(buckets.size());
  for (int64_t i = page.offset; i < out.total && i < page.offset + page.limit; ++i)
    out.items.push_back(Describe(*view, buckets[i]));
  return out;
}

std::vector<std::string> BucketService::ListNames(const BranchRef& branch) {
  auto view = branches_.View(branch);
  std::vector<std::string> out;
  for (auto& bucket : view->ListBuckets()) out.push_back(std::move(bucket.name));
  return out;
}

BucketInfo BucketService::Get(const BranchRef& branch, const std::string& name) {
  ValidateObjectName(name, "bucket name");
  auto view = branches_.View(branch);
  return Describe(*view, view->RequireBucket(name));
}

std::vector<BucketObject> BucketService::ListObjects(const BranchRef& branch, const std::string& name) {
  ValidateObjectName(name, "bucket name");
  auto view = branches_.View(branch);
  std::vector<BucketObject> out;
  for (const auto& table : view->ListTables(view->RequireBucket(name)))
    out.push_back({table.name, table.is_view});
  return out;
}

void BucketService::Delete(const BranchRef& branch, const std::string& name, bool cascade) {
  ValidateObjectName(name, "bucket name");
  ops_.Run(branch.project_id, "bucket.delete", name, [&] {
    auto view = branches_.View(branch);
    auto bucket = view->RequireBucket(name);
    auto& catalog = branches_.catalog();
    if (bucket.linked() && view->is_default()) {
      catalog.DeleteLink(branch.project_id, bucket.name);  // and its read-only grant
      return;
    }
    auto table_count = static_cast<int64_t>(view->ListTables(bucket).size());
    if (table_count > 0 && !cascade && !bucket.linked()) {
      throw Conflict("bucket_not_empty",
                     "bucket '" + name + "' holds " + std::to_string(table_count) +
                         " tables; pass cascade=true to delete them too",
                     {{"table_count", table_count}});
    }
    auto lock = view->db().LockTable(view->own_catalog(), bucket.name, "");
    auto& conn = view->Conn(TableSource::kOwn);
    InSqlTransaction(conn, [&] {
      if (bucket.own) {
        // Its tables are kept for time travel and undrop within the retention, as a table drop keeps one.
        for (const auto& table : view->ListTables(bucket)) {
          if (table.source != TableSource::kOwn || table.is_view) continue;
          if (auto dropped = LoadTable(conn, bucket.name, table.name, TableDetail::kDefinition))
            CloseTableHistory(conn, *dropped, {"table.drop"});
        }
        RunDdl(conn, "DROP SCHEMA " + QuoteIdent(bucket.name) + " CASCADE");
        ForgetBucket(conn, bucket.name);
      }
      if (!view->is_default()) {
        ForgetHiddenInBucket(conn, bucket.name);
        if (bucket.inherited || bucket.linked()) view->Hide(bucket.name, "");
      }
    });
    // Links made from this bucket break with it; they must not outlive their source. Neither may the
    // grant of the bucket to the branch's read-only role.
    catalog.InTransaction([&] {
      if (view->is_default()) catalog.DeleteShare(branch.project_id, bucket.name);
      catalog.SetReadOnlyGrant(branch.project_id, branch.branch_id, bucket.name, false);
    });
  });
}

}  // namespace duckstore
