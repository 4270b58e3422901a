// The statements on the `_duckstore` schema: bucket and table attributes and dev-branch tombstones.
#include "duckstore/storage/engine/project_metadata.hpp"

#include "duckstore/common/identifiers.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {
namespace {

constexpr const char* kIsoTimestamp = "'%Y-%m-%dT%H:%M:%S.%gZ'";

duckdb::Value StringList(const std::vector<std::string>& items) {
  duckdb::vector<duckdb::Value> values;
  for (const auto& item : items) values.emplace_back(item);
  return duckdb::Value::LIST(duckdb::LogicalType::VARCHAR, std::move(values));
}

std::set<std::string> FirstColumn(duckdb::MaterializedQueryResult& result) {
  std::set<std::string> out;
  for (size_t row = 0; row < result.RowCount(); ++row) out.insert(result.GetValue(0, row).ToString());
  return out;
}

// The attributes in row `row` of a result whose columns `first`, `first + 1` are primary_key and created_at.
TableAttributes AttributesAt(duckdb::MaterializedQueryResult& result, size_t row, size_t first) {
  TableAttributes out;
  auto key = result.GetValue(first, row);
  if (!key.IsNull()) {
    for (const auto& child : duckdb::ListValue::GetChildren(key)) out.primary_key.push_back(child.ToString());
  }
  out.created_at = result.GetValue(first + 1, row).ToString();
  return out;
}

}  // namespace

std::optional<TableAttributes> LoadTableAttributes(duckdb::Connection& conn, const std::string& bucket,
                                                   const std::string& table) {
  auto meta =
      RunSql(conn,
             std::string("SELECT primary_key, strftime(created_at AT TIME ZONE 'UTC', ") + kIsoTimestamp +
                 ") FROM _duckstore.tables WHERE lower(bucket) = lower($1) AND lower(name) = lower($2)",
             {duckdb::Value(bucket), duckdb::Value(table)});
  if (meta->RowCount() == 0) return std::nullopt;
  return AttributesAt(*meta, 0, 0);
}

std::map<std::string, TableAttributes> LoadBucketTableAttributes(duckdb::Connection& conn,
                                                                 const std::string& bucket) {
  auto meta = RunSql(conn,
                     std::string("SELECT name, primary_key, strftime(created_at AT TIME ZONE 'UTC', ") +
                         kIsoTimestamp + ") FROM _duckstore.tables WHERE lower(bucket) = lower($1)",
                     {duckdb::Value(bucket)});
  std::map<std::string, TableAttributes> out;
  // Keyed as DuckDB's catalog matches names (ASCII case-insensitively).
  for (size_t row = 0; row < meta->RowCount(); ++row)
    out.emplace(duckdb::StringUtil::Lower(meta->GetValue(0, row).ToString()), AttributesAt(*meta, row, 1));
  return out;
}

std::optional<BucketAttributes> LoadBucketAttributes(duckdb::Connection& conn, const std::string& bucket) {
  auto result = RunSql(conn,
                       std::string("SELECT description, strftime(created_at AT TIME ZONE 'UTC', ") +
                           kIsoTimestamp + ") FROM _duckstore.buckets WHERE lower(name) = lower($1)",
                       {duckdb::Value(bucket)});
  if (result->RowCount() == 0) return std::nullopt;
  return BucketAttributes{result->GetValue(0, 0).ToString(), result->GetValue(1, 0).ToString()};
}

void RecordBucket(duckdb::Connection& conn, const std::string& bucket, const std::string& description) {
  RunSql(conn, "INSERT INTO _duckstore.buckets VALUES ($1, $2, now())",
         {duckdb::Value(bucket), duckdb::Value(description)});
}

void ForgetBucket(duckdb::Connection& conn, const std::string& bucket) {
  RunSql(conn, "DELETE FROM _duckstore.buckets WHERE lower(name) = lower($1)", {duckdb::Value(bucket)});
  RunSql(conn, "DELETE FROM _duckstore.tables WHERE lower(bucket) = lower($1)", {duckdb::Value(bucket)});
}

void RecordTable(duckdb::Connection& conn, const std::string& bucket, const std::string& table,
                 const std::vector<std::string>& primary_key) {
  RunSql(conn, "INSERT INTO _duckstore.tables VALUES ($1, $2, $3, now())",
         {duckdb::Value(bucket), duckdb::Value(table), StringList(primary_key)});
}

void ForgetTable(duckdb::Connection& conn, const std::string& bucket, const std::string& table) {
  RunSql(conn, "DELETE FROM _duckstore.tables WHERE lower(bucket) = lower($1) AND lower(name) = lower($2)",
         {duckdb::Value(bucket), duckdb::Value(table)});
}

void SavePrimaryKey(duckdb::Connection& conn, const std::string& bucket, const std::string& table,
                    const std::vector<std::string>& primary_key) {
  RunSql(conn,
         "UPDATE _duckstore.tables SET primary_key = $3 WHERE lower(bucket) = lower($1) AND lower(name) = "
         "lower($2)",
         {duckdb::Value(bucket), duckdb::Value(table), StringList(primary_key)});
}

std::optional<std::string> TableCreatedAt(duckdb::Connection& conn, const std::string& bucket,
                                          const std::string& table) {
  auto created = RunSql(conn,
                        "SELECT strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') "
                        "FROM _duckstore.tables WHERE lower(bucket) = lower($1) AND lower(name) = lower($2)",
                        {duckdb::Value(bucket), duckdb::Value(table)});
  if (created->RowCount() == 0) return std::nullopt;
  return created->GetValue(0, 0).ToString();
}

void CopyBucketAttributes(duckdb::Connection& conn, const std::string& source_catalog,
                          const std::string& bucket) {
  RunSql(conn,
         "INSERT INTO _duckstore.buckets SELECT * FROM " + QuoteIdent(source_catalog) +
             "._duckstore.buckets WHERE lower(name) = lower($1)",
         {duckdb::Value(bucket)});
}

void CopyTableAttributes(duckdb::Connection& conn, const std::string& source_catalog,
                         const std::string& bucket, const std::string& table) {
  RunSql(conn,
         "INSERT INTO _duckstore.tables SELECT * FROM " + QuoteIdent(source_catalog) +
             "._duckstore.tables WHERE lower(bucket) = lower($1) AND lower(name) = lower($2)",
         {duckdb::Value(bucket), duckdb::Value(table)});
}

bool IsHidden(duckdb::Connection& conn, const std::string& bucket, const std::string& table) {
  auto result = RunSql(conn,
                       "SELECT count(*) FROM _duckstore.branch_hidden WHERE lower(bucket) = lower($1) AND "
                       "lower(name) = lower($2)",
                       {duckdb::Value(bucket), duckdb::Value(table)});
  return result->GetValue(0, 0).GetValue<int64_t>() > 0;
}

void RecordHidden(duckdb::Connection& conn, const std::string& bucket, const std::string& table) {
  RunSql(conn, "INSERT INTO _duckstore.branch_hidden VALUES ($1, $2)",
         {duckdb::Value(bucket), duckdb::Value(table)});
}

bool ForgetHidden(duckdb::Connection& conn, const std::string& bucket, const std::string& table) {
  auto deleted = RunSql(conn,
                        "DELETE FROM _duckstore.branch_hidden WHERE lower(bucket) = lower($1) AND "
                        "lower(name) = lower($2)",
                        {duckdb::Value(bucket), duckdb::Value(table)});
  return deleted->GetValue(0, 0).GetValue<int64_t>() > 0;
}

void ForgetHiddenInBucket(duckdb::Connection& conn, const std::string& bucket) {
  RunSql(conn, "DELETE FROM _duckstore.branch_hidden WHERE lower(bucket) = lower($1)",
         {duckdb::Value(bucket)});
}

std::set<std::string> HiddenBuckets(duckdb::Connection& conn) {
  return FirstColumn(*RunSql(conn, "SELECT lower(bucket) FROM _duckstore.branch_hidden WHERE name = ''"));
}

std::set<std::string> HiddenTables(duckdb::Connection& conn, const std::string& bucket) {
  return FirstColumn(
      *RunSql(conn, "SELECT lower(name) FROM _duckstore.branch_hidden WHERE lower(bucket) = lower($1)",
              {duckdb::Value(bucket)}));
}

}  // namespace duckstore
