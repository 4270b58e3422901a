#include "duckstore/services/metadata/row_keys.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/error_codes.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/model/sql_builder.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {

std::vector<std::vector<duckdb::Value>> KeysOf(duckdb::MaterializedQueryResult& written,
                                               const TableInfo& table) {
  std::vector<std::vector<duckdb::Value>> out;
  if (table.primary_key.empty()) return out;
  std::vector<size_t> positions;
  for (const auto& key : table.primary_key) {
    size_t position = 0;
    while (position < written.names.size() && !duckdb::StringUtil::CIEquals(written.names[position], key)) {
      ++position;
    }
    if (position == written.names.size()) throw Internal("write result lacks key column '" + key + "'");
    positions.push_back(position);
  }
  out.reserve(written.RowCount());
  for (size_t row = 0; row < written.RowCount(); ++row) {
    std::vector<duckdb::Value> key;
    key.reserve(positions.size());
    for (size_t position : positions) key.push_back(written.GetValue(position, row));
    out.push_back(std::move(key));
  }
  return out;
}

void RefuseDuplicateKeys(duckdb::Connection& conn, const TableInfo& table,
                         const std::vector<std::vector<duckdb::Value>>& keys) {
  constexpr size_t kKeysPerStatement = 500;
  if (table.primary_key.empty()) return;
  std::string columns;
  for (const auto& key : table.primary_key) columns += (columns.empty() ? "" : ", ") + QuoteIdent(key);
  for (size_t start = 0; start < keys.size(); start += kKeysPerStatement) {
    SqlParams params;
    std::string where;
    for (size_t i = start; i < std::min(keys.size(), start + kKeysPerStatement); ++i) {
      bool has_null = false;
      for (const auto& value : keys[i]) has_null = has_null || value.IsNull();
      if (has_null) continue;
      std::string match;
      for (size_t c = 0; c < table.primary_key.size(); ++c) {
        params.push_back(keys[i][c]);
        match += (match.empty() ? "" : " AND ") + QuoteIdent(table.primary_key[c]) + " = $" +
                 std::to_string(params.size());
      }
      where += (where.empty() ? "(" : " OR (") + match + ")";
    }
    if (where.empty()) continue;
    auto duplicate = RunSql(conn,
                            "SELECT " + columns + " FROM " + QualifiedName(table.bucket, table.name) +
                                " WHERE " + where + " GROUP BY ALL HAVING count(*) > 1 LIMIT 1",
                            params);
    if (duplicate->RowCount() == 0) continue;
    nlohmann::json values = nlohmann::json::array();
    std::string shown;
    for (size_t c = 0; c < duplicate->ColumnCount(); ++c) {
      std::string text = duplicate->GetValue(c, 0).ToString();
      shown += (shown.empty() ? "" : ", ") + text;
      values.push_back(text);
    }
    std::string names;
    for (const auto& key : table.primary_key) names += (names.empty() ? "" : ", ") + key;
    throw Conflict(error_code::kDuplicateKey,
                   "a row with primary key (" + names + ") = (" + shown + ") already exists",
                   {{"columns", table.primary_key}, {"values", values}});
  }
}

}  // namespace duckstore
