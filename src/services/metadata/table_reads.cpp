// TableService: reading a table's data: preview (filtered, ordered, limited rows) and profile (statistics).
#include "duckstore/services/metadata/tables.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/common/log.hpp"
#include "duckstore/services/metadata/change_window.hpp"
#include "duckstore/services/metadata/preview_rows.hpp"
#include "duckstore/services/metadata/table_access.hpp"
#include "duckstore/services/model/sql_builder.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {
namespace {

// Keeps at most `max_chars` UTF-8 characters.
bool TruncateUtf8(std::string& text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && chars++ == max_chars) {
      text.resize(i);
      return true;
    }
  }
  return false;
}

bool IsNumericType(const std::string& type) {
  static const char* kNumeric[] = {"TINYINT",   "SMALLINT", "INTEGER", "BIGINT",   "HUGEINT", "UTINYINT",
                                   "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT",   "DOUBLE"};
  for (const char* name : kNumeric) {
    if (type == name) return true;
  }
  return type.starts_with("DECIMAL");
}

// Runs one metric query of a column; nullopt (logged) when the column's type does not support it.
std::optional<duckdb::unique_ptr<duckdb::MaterializedQueryResult>> TryMetric(duckdb::Connection& conn,
                                                                             const std::string& sql,
                                                                             const std::string& column) {
  try {
    return RunSql(conn, sql);
  } catch (const Error& e) {
    spdlog::info("profile: metric of column {} skipped: {}", column, e.what());
    return std::nullopt;
  }
}

}  // namespace

PreviewResult TableService::Preview(const TableRef& ref, const PreviewRequest& request) {
  // Views preview like tables (their columns as the view returns them).
  auto open = OpenForRead(branches_, ref, TableDetail::kDefinition, /*views_too=*/true);
  return PreviewRows(*open.conn, open.info, QualifiedName(open.schema, open.info.name), request);
}

PreviewResult PreviewRows(duckdb::Connection& conn, const TableInfo& info, const std::string& from,
                          const PreviewRequest& request) {
  if (request.limit < 1 || request.limit > kPreviewMaxLimit) {
    throw InvalidArgument("invalid_limit", "limit must be between 1 and " + std::to_string(kPreviewMaxLimit));
  }
  if (request.fulltext && !request.filters.empty()) {
    throw InvalidArgument("invalid_filter", "a fulltext search cannot be combined with column filters");
  }
  PreviewResult out;
  std::string select;
  if (request.columns.empty()) {
    for (const auto& column : info.columns) out.columns.push_back(column.name);
  } else {
    for (const auto& name : request.columns) {
      const ColumnInfo* column = info.FindColumn(name);
      if (!column)
        throw InvalidArgument("column_not_found", "column '" + name + "' does not exist", {{"column", name}});
      out.columns.push_back(column->name);
    }
  }
  for (const auto& name : out.columns) select += (select.empty() ? "" : ", ") + QuoteIdent(name);
  SqlParams params;
  std::vector<ColumnFilter> filters = request.filters;
  AddChangeWindow(request.changed, info, filters);
  std::string where = BuildWhere(filters, info, params);
  if (request.fulltext) {
    where += (where.empty() ? " WHERE (" : " AND (") + BuildFulltext(*request.fulltext, info, params) + ")";
  }
  std::string order = BuildOrderBy(request.order_by, info);
  auto result = RunSql(
      conn, "SELECT " + select + " FROM " + from + where + order + " LIMIT " + std::to_string(request.limit),
      params);
  for (size_t row = 0; row < result->RowCount(); ++row) {
    std::vector<nlohmann::json> values;
    for (size_t col = 0; col < result->ColumnCount(); ++col) {
      duckdb::Value cell = result->GetValue(col, row);
      nlohmann::json value = !request.as_text ? ValueToJson(cell)
                             : cell.IsNull()  ? nlohmann::json(nullptr)
                                              : nlohmann::json(cell.ToString());
      if (value.is_string()) {
        auto& text = value.get_ref<std::string&>();
        if (TruncateUtf8(text, kPreviewMaxCellChars)) out.truncated.emplace_back(row, col);
      }
      values.push_back(std::move(value));
    }
    out.rows.push_back(std::move(values));
  }
  out.total_row_count =
      RunSql(conn, "SELECT count(*) FROM " + from + where, params)->GetValue(0, 0).GetValue<int64_t>();
  return out;
}

TableProfile TableService::Profile(const TableRef& ref) {
  auto open = OpenForRead(branches_, ref, TableDetail::kWithStats);
  std::string table = QualifiedName(open.schema, open.info.name);
  TableProfile out;
  out.bucket = open.info.bucket;
  out.table = open.info.name;
  out.profile = {{"rowCount", open.info.row_count},
                 {"columnCount", open.info.columns.size()},
                 {"dataSize", open.info.size_bytes}};
  for (const auto& column : open.info.columns) {
    std::string c = QuoteIdent(column.name);
    nlohmann::json profile = nlohmann::json::object();
    if (auto counts = TryMetric(*open.conn,
                                "SELECT count(DISTINCT " + c + "), count(" + c + ") - count(DISTINCT " + c +
                                    "), count(*) - count(" + c + ") FROM " + table,
                                column.name)) {
      profile["distinctCount"] = (*counts)->GetValue(0, 0).GetValue<int64_t>();
      profile["duplicateCount"] = (*counts)->GetValue(1, 0).GetValue<int64_t>();
      profile["nullCount"] = (*counts)->GetValue(2, 0).GetValue<int64_t>();
    }
    if (IsNumericType(column.type)) {
      if (auto stats = TryMetric(*open.conn,
                                 "SELECT avg(" + c + ")::DOUBLE, median(" + c + ")::DOUBLE, min(" + c +
                                     "), max(" + c + ") FROM " + table,
                                 column.name)) {
        profile["numericStatistics"] = {{"avg", ValueToJson((*stats)->GetValue(0, 0))},
                                        {"median", ValueToJson((*stats)->GetValue(1, 0))},
                                        {"min", ValueToJson((*stats)->GetValue(2, 0))},
                                        {"max", ValueToJson((*stats)->GetValue(3, 0))}};
      }
    } else if (column.type == "VARCHAR") {
      if (auto stats = TryMetric(*open.conn,
                                 "SELECT avg(length(" + c + "))::DOUBLE, min(length(" + c +
                                     ")), max(length(" + c + ")) FROM " + table,
                                 column.name)) {
        profile["length"] = {{"avg", ValueToJson((*stats)->GetValue(0, 0))},
                             {"min", ValueToJson((*stats)->GetValue(1, 0))},
                             {"max", ValueToJson((*stats)->GetValue(2, 0))}};
      }
    }
    out.columns.emplace_back(column.name, std::move(profile));
  }
  return out;
}

}  // namespace duckstore
