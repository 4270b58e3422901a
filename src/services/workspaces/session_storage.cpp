#include "duckstore/services/workspaces/session_storage.hpp"

#include <algorithm>
#include <set>

#include "duckdb/parser/parsed_data/create_info.hpp"
#include "duckdb/parser/statement/create_statement.hpp"
#include "duckstore/services/query/statement_scope.hpp"

namespace duckstore {
namespace {

// The readable bucket `schema` names (case-insensitively, as DuckDB resolves it), or nullptr.
const std::string* Match(const std::vector<std::string>& readable, const std::string& schema) {
  auto it = std::find_if(readable.begin(), readable.end(), [&](const std::string& bucket) {
    return duckdb::StringUtil::CIEquals(bucket, schema);
  });
  return it == readable.end() ? nullptr : &*it;
}

bool CreatesViewOrMacro(const duckdb::SQLStatement& statement) {
  if (statement.type != duckdb::StatementType::CREATE_STATEMENT) return false;
  return statement.Cast<duckdb::CreateStatement>().info->type != duckdb::CatalogType::TABLE_ENTRY;
}

}  // namespace

std::vector<std::string> SessionStorage::Readable() {
  std::vector<std::string> out;
  if (!view_.is_default()) return out;
  for (auto& name : sharing_.ReadableBuckets(view_.ref())) {
    auto bucket = view_.FindBucket(name);
    if (bucket && bucket->own && !bucket->linked()) out.push_back(bucket->name);
  }
  return out;
}

std::vector<std::string> SessionStorage::Admit(duckdb::SQLStatement& statement, const Error& refused) {
  auto readable = Readable();
  if (readable.empty() || CreatesViewOrMacro(statement)) throw refused;
  QueryShape shape = CheckWorkspaceStatement(statement, readable);
  std::set<std::string> read;
  for (auto* table : shape.tables) {
    if (const auto* bucket = table->catalog_name.empty() ? Match(readable, table->schema_name) : nullptr) {
      table->catalog_name = view_.own_catalog();
      read.insert(*bucket);
    }
  }
  for (auto* function : shape.qualified_functions) {
    if (const auto* bucket = function->catalog.empty() ? Match(readable, function->schema) : nullptr) {
      function->catalog = view_.own_catalog();
      read.insert(*bucket);
    }
  }
  if (read.empty()) throw refused;
  return {read.begin(), read.end()};
}

void SessionStorage::Recheck(const std::vector<std::string>& buckets) {
  auto readable = Readable();
  for (const auto& bucket : buckets) {
    if (!Match(readable, bucket)) {
      throw Error(ErrorKind::kPermissionDenied, "query_out_of_scope",
                  "bucket '" + bucket + "' is no longer granted to the workspace's read-only role",
                  {{"bucket", bucket}});
    }
  }
}

}  // namespace duckstore
