#include "duckstore/services/import/load_sql.hpp"

#include <algorithm>

#include "duckstore/common/identifiers.hpp"

namespace duckstore::load_sql {

std::string KeyList(const std::vector<std::string>& key, const std::string& alias) {
  std::string out;
  for (const auto& k : key) out += (out.empty() ? "" : ", ") + alias + QuoteIdent(k);
  return out;
}

std::string KeyMatch(const std::vector<std::string>& key, const std::string& left, const std::string& right) {
  std::string out;
  for (const auto& k : key) {
    out += (out.empty() ? "" : " AND ") + left + "." + QuoteIdent(k) + " IS NOT DISTINCT FROM " + right +
           "." + QuoteIdent(k);
  }
  return out;
}

std::string InsertFromSource(const std::string& table, const ColumnPlan& plan,
                             const std::string& source_sql) {
  return "INSERT INTO " + table + " (" + plan.TargetList() + ") SELECT " + plan.SelectList() + " FROM " +
         source_sql;
}

std::string StageFromSource(const std::string& stage, const ColumnPlan& plan, const std::string& source_sql) {
  return "CREATE TEMP TABLE " + stage + " AS SELECT " + plan.SelectList() + " FROM " + source_sql;
}

std::string FindDuplicateKey(const std::vector<std::string>& key, const std::string& relation) {
  return "SELECT " + KeyList(key) + " FROM " + relation + " GROUP BY ALL HAVING count(*) > 1 LIMIT 1";
}

std::string DeleteEarlierDuplicates(const std::vector<std::string>& key, const std::string& table) {
  return "DELETE FROM " + table + " WHERE rowid NOT IN (SELECT max(rowid) FROM " + table + " GROUP BY " +
         KeyList(key) + ")";
}

std::string FindExistingKey(const std::vector<std::string>& key, const std::string& stage,
                            const std::string& table) {
  return "SELECT " + KeyList(key, "s.") + " FROM " + stage + " s SEMI JOIN " + table + " t ON " +
         KeyMatch(key, "s", "t") + " LIMIT 1";
}

std::string KeepUnchangedTimestamps(const ColumnPlan& plan, const std::string& stage,
                                    const std::string& table) {
  const std::string& timestamp = *plan.managed_timestamp;
  std::string same = KeyMatch(plan.key, "s", "t");
  for (const auto& column : plan.target_columns) {
    if (column == timestamp || std::find(plan.key.begin(), plan.key.end(), column) != plan.key.end())
      continue;
    same += " AND s." + QuoteIdent(column) + " IS NOT DISTINCT FROM t." + QuoteIdent(column);
  }
  std::string ts = QuoteIdent(timestamp);
  return "UPDATE " + stage + " s SET " + ts + " = t." + ts + " FROM " + table + " t WHERE " + same;
}

std::string DeleteReplacedRows(const std::vector<std::string>& key, const std::string& table,
                               const std::string& stage) {
  return "DELETE FROM " + table + " t USING " + stage + " s WHERE " + KeyMatch(key, "t", "s");
}

std::string InsertFromStage(const std::string& table, const ColumnPlan& plan, const std::string& stage) {
  return "INSERT INTO " + table + " (" + plan.TargetList() + ") SELECT " + plan.TargetList() + " FROM " +
         stage;
}

}  // namespace duckstore::load_sql
