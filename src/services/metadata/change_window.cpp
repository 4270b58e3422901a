#include "duckstore/services/metadata/change_window.hpp"

#include "duckdb/common/types/timestamp.hpp"

#include "duckstore/common/error.hpp"

namespace duckstore {

std::string UtcText(int64_t seconds) {
  try {
    return duckdb::Timestamp::ToString(duckdb::Timestamp::FromEpochSeconds(seconds));
  } catch (const std::exception&) {
    throw InvalidArgument("invalid_filter", std::to_string(seconds) + " is not a valid unix time");
  }
}

void AddChangeWindow(const ChangeWindow& window, const TableInfo& table, std::vector<ColumnFilter>& filters) {
  if (!window.since && !window.until) return;
  if (!table.FindColumn("_timestamp")) {
    throw InvalidArgument("column_not_found",
                          "table '" + table.name + "' has no _timestamp column to filter changes by",
                          {{"column", "_timestamp"}});
  }
  if (window.since)
    filters.push_back({"_timestamp", FilterOp::kGe, {UtcText(*window.since)}, std::string("TIMESTAMP")});
  if (window.until)
    filters.push_back({"_timestamp", FilterOp::kLt, {UtcText(*window.until)}, std::string("TIMESTAMP")});
}

}  // namespace duckstore
