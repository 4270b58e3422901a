// Time conditions on a table's rows: the change window filters on Keboola's `_timestamp` column (preview,
// row deletion) and the text form of unix times (also used by time travel).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "duckstore/services/model/table_model.hpp"

namespace duckstore {

// "YYYY-MM-DD HH:MM:SS" (UTC) of unix seconds; kInvalidArgument("invalid_filter") when out of range.
std::string UtcText(int64_t seconds);

// Appends the filters on the `_timestamp` column for a change window; kInvalidArgument("column_not_found")
// when the window is set and the table has no such column.
void AddChangeWindow(const ChangeWindow& window, const TableInfo& table, std::vector<ColumnFilter>& filters);

}  // namespace duckstore
