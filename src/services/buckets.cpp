#include "duckstore/services/buckets.hpp"

#include "duckdb/catalog/catalog.hpp"
#include "duckdb/catalog/catalog_entry/schema_catalog_entry.hpp"
#include "duckdb/main/client_context.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/storage/engine/project_schema.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {
namespace {

// Buckets with attributes and table counts; `name_filter` narrows to one bucket (case-insensitive).
constexpr const char* kBucketQuery = R"sql(
SELECT s.schema_name,
       coalesce(b.description, ''),
       coalesce(strftime(b.created_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ'), ''),
       (SELECT count(*) FROM duckdb_tables() t
         WHERE t.database_name = s.database_name AND t.schema_name = s.schema_name)
         + (SELECT count(*) FROM duckdb_views() v
             WHERE v.database_name = s.database_name AND v.schema_name = s.schema_name AND NOT v.internal)
FROM duckdb_schemas() s
LEFT JOIN _duckstore.buckets b ON lower(b.name) = lower(s.schema_name)
WHERE s.database_name = current_database() AND NOT s.internal
  AND s.schema_name NOT IN ('main', '_duckstore')
)sql";

BucketInfo ReadBucket(duckdb::MaterializedQueryResult& result, size_t row) {
  return BucketInfo{result.GetValue(0, row).ToString(), result.GetValue(1, row).ToString(),
                    result.GetValue(2, row).ToString(), result.GetValue(3, row).GetValue<int64_t>()};
}

}  // namespace

std::shared_ptr<ProjectDatabase> BranchResolver::Open(const BranchRef& branch) {
  auto project = catalog_.GetProject(branch.project_id);
  if (!project || project->status != "active") {
    throw NotFound("project_not_found", "project '" + branch.project_id + "' does not exist");
  }
  if (branch.branch_id != "default") {
    throw NotFound("branch_not_found", "branch '" + branch.branch_id + "' does not exist");
  }
  return engine_.Open(branch.project_id);
}

std::optional<std::string> FindBucket(duckdb::Connection& conn, const std::string& name) {
  if (IsReservedSchemaName(name)) return std::nullopt;
  std::optional<std::string> found;
  conn.context->RunFunctionInTransaction([&] {
    auto schema = duckdb::Catalog::GetSchema(*conn.context, INVALID_CATALOG, name,
                                             duckdb::OnEntryNotFound::RETURN_NULL);
    if (schema) found = schema->name;
  });
  return found;
}

BucketInfo BucketService::Create(const BranchRef& branch, const std::string& name,
                                 const std::string& description) {
  ValidateObjectName(name, "bucket name");
  if (IsReservedSchemaName(name))
    throw InvalidArgument("invalid_name", "bucket name '" + name + "' is reserved");
  return ops_.Run(branch.project_id, "bucket.create", name, [&] {
    auto db = branches_.Open(branch);
    auto conn = db->Connect();
    if (FindBucket(*conn, name)) throw Conflict("bucket_exists", "bucket '" + name + "' already exists");
    InSqlTransaction(*conn, [&] {
      RunDdl(*conn, "CREATE SCHEMA " + QuoteIdent(name));
      RunSql(*conn, "INSERT INTO _duckstore.buckets VALUES ($1, $2, now())",
             {duckdb::Value(name), duckdb::Value(description)});
    });
    return Get(branch, name);
  });
}

Page<BucketInfo> BucketService::List(const BranchRef& branch, const PageRequest& page) {
  auto db = branches_.Open(branch);
  auto conn = db->Connect();
  auto result = RunSql(*conn, std::string(kBucketQuery) + " ORDER BY s.schema_name LIMIT $1 OFFSET $2",
                       {duckdb::Value::BIGINT(page.limit), duckdb::Value::BIGINT(page.offset)});
  Page<BucketInfo> out;
  for (size_t row = 0; row < result->RowCount(); ++row) out.items.push_back(ReadBucket(*result, row));
  auto count = RunSql(*conn, "SELECT count(*) FROM (" + std::string(kBucketQuery) + ")");
  out.total = count->GetValue(0, 0).GetValue<int64_t>();
  return out;
}

BucketInfo BucketService::Get(const BranchRef& branch, const std::string& name) {
  ValidateObjectName(name, "bucket name");
  auto db = branches_.Open(branch);
  auto conn = db->Connect();
  auto result = RunSql(*conn, std::string(kBucketQuery) + " AND lower(s.schema_name) = lower($1)",
                       {duckdb::Value(name)});
  if (result->RowCount() == 0) throw NotFound("bucket_not_found", "bucket '" + name + "' does not exist");
  return ReadBucket(*result, 0);
}

std::vector<BucketObject> BucketService::ListObjects(const BranchRef& branch, const std::string& name) {
  ValidateObjectName(name, "bucket name");
  auto db = branches_.Open(branch);
  auto conn = db->Connect();
  auto bucket = FindBucket(*conn, name);
  if (!bucket) throw NotFound("bucket_not_found", "bucket '" + name + "' does not exist");
  auto result =
      RunSql(*conn,
             "SELECT table_name, false FROM duckdb_tables() WHERE database_name = current_database() "
             "AND schema_name = $1 UNION ALL SELECT view_name, true FROM duckdb_views() WHERE "
             "database_name = current_database() AND schema_name = $1 AND NOT internal ORDER BY 1",
             {duckdb::Value(*bucket)});
  std::vector<BucketObject> out;
  for (size_t row = 0; row < result->RowCount(); ++row) {
    out.push_back({result->GetValue(0, row).ToString(), result->GetValue(1, row).GetValue<bool>()});
  }
  return out;
}

void BucketService::Delete(const BranchRef& branch, const std::string& name, bool cascade) {
  ops_.Run(branch.project_id, "bucket.delete", name, [&] {
    BucketInfo bucket = Get(branch, name);
    if (bucket.table_count > 0 && !cascade) {
      throw Conflict("bucket_not_empty",
                     "bucket '" + name + "' holds " + std::to_string(bucket.table_count) +
                         " tables; pass cascade=true to delete them too",
                     {{"table_count", bucket.table_count}});
    }
    auto db = branches_.Open(branch);
    auto conn = db->Connect();
    InSqlTransaction(*conn, [&] {
      RunDdl(*conn, "DROP SCHEMA " + QuoteIdent(bucket.name) + " CASCADE");
      RunSql(*conn, "DELETE FROM _duckstore.buckets WHERE lower(name) = lower($1)",
             {duckdb::Value(bucket.name)});
      RunSql(*conn, "DELETE FROM _duckstore.tables WHERE lower(bucket) = lower($1)",
             {duckdb::Value(bucket.name)});
    });
  });
}

}  // namespace duckstore
