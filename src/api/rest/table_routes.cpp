// /projects/{project_id}/branches/{branch_id}/buckets/{bucket}/tables[/{table}[/columns|primary-key|preview|rows|stats]]
// (a table's history, restore and undrop: history_routes.cpp)
#include "duckstore/api/rest/history_routes.hpp"
#include "duckstore/api/rest/rest_support.hpp"
#include "duckstore/api/rest/routes.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/services/metadata/table_history.hpp"

namespace duckstore::rest {
namespace {

constexpr const char* kTables = "/projects/{project_id}/branches/{branch_id}/buckets/{bucket}/tables";

std::optional<std::string> DefaultText(const nlohmann::json& value) {
  return ScalarText(value, "invalid_field", "field 'default'");
}

ColumnDefinition ParseColumn(const nlohmann::json& json) {
  if (!json.is_object()) throw InvalidArgument("invalid_field", "each column must be an object");
  ColumnDefinition column;
  column.name = RequireString(json, "name");
  column.type = RequireString(json, "type");
  column.nullable = OptionalBool(json, "nullable").value_or(true);
  if (json.contains("default")) column.default_value = DefaultText(json["default"]);
  return column;
}

// GET form: ?columns=a,b&order_by=a:desc,b&limit=10
PreviewRequest ParsePreviewQuery(const http::Request& r) {
  PreviewRequest request;
  auto split = [](const std::string& text) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= text.size()) {
      size_t comma = text.find(',', start);
      if (comma == std::string::npos) comma = text.size();
      if (comma > start) parts.push_back(text.substr(start, comma - start));
      start = comma + 1;
    }
    return parts;
  };
  if (const auto* columns = r.QueryParam("columns")) request.columns = split(*columns);
  if (const auto* order = r.QueryParam("order_by")) {
    for (const auto& part : split(*order)) {
      auto colon = part.rfind(':');
      bool desc = colon != std::string::npos && part.substr(colon + 1) == "desc";
      bool has_direction = colon != std::string::npos && (desc || part.substr(colon + 1) == "asc");
      request.order_by.push_back(OrderBy{has_direction ? part.substr(0, colon) : part, desc, std::nullopt});
    }
  }
  if (const auto* limit = r.QueryParam("limit")) {
    nlohmann::json parsed = nlohmann::json::parse(*limit, nullptr, false);
    if (!parsed.is_number_integer()) throw InvalidArgument("invalid_limit", "limit must be an integer");
    request.limit = parsed.get<int64_t>();
  }
  return request;
}

http::Response PreviewJson(const PreviewResult& preview) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& values : preview.rows) {
    nlohmann::json row = nlohmann::json::object();
    for (size_t i = 0; i < values.size(); ++i) row[preview.columns[i]] = values[i];
    rows.push_back(std::move(row));
  }
  nlohmann::json truncated = nlohmann::json::array();
  for (const auto& [row, col] : preview.truncated)
    truncated.push_back({{"row", row}, {"column", preview.columns[col]}});
  return Json(200, {{"columns", preview.columns},
                    {"rows", rows},
                    {"row_count", preview.rows.size()},
                    {"total_row_count", preview.total_row_count},
                    {"truncated", truncated}});
}

}  // namespace

void AddTableRoutes(RestRoutes& routes, Services& s) {
  const std::string tables = kTables;
  const std::string table = tables + "/{table}";
  routes.Add(
      "POST", tables, Access::kWrite, TargetFrom::kBranch, [&s](http::Request& r, const Caller& caller) {
        auto body = ParseJsonObject(r);
        auto name = RequireString(body, "name");
        std::vector<ColumnDefinition> columns;
        if (!body.contains("columns") || !body["columns"].is_array()) {
          throw InvalidArgument("missing_field", "field 'columns' (an array) is required");
        }
        for (const auto& column : body["columns"]) columns.push_back(ParseColumn(column));
        TableRef ref{caller.branch, r.PathParam("bucket"), name};
        return Json(201, TableJson(s.tables.Create(ref, columns, OptionalStringList(body, "primary_key"))));
      });
  routes.Add("GET", tables, Access::kRead, TargetFrom::kBranch, [&s](http::Request& r, const Caller& caller) {
    auto page = ParsePage(r);
    auto list = s.tables.List(caller.branch, r.PathParam("bucket"), page);
    return Json(200, PageJson(page, list, "tables", TableJson));
  });
  routes.Add("GET", table, Access::kRead, TargetFrom::kBranch, [&s](http::Request& r, const Caller& caller) {
    return Json(200, TableJson(s.tables.Get(TableOf(r))));
  });
  routes.Add("DELETE", table, Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               s.tables.Delete(TableOf(r));
               return http::Response::Empty(204);
             });
  routes.Add("GET", table + "/stats", Access::kRead, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto info = s.tables.Get(TableOf(r));
               return Json(200, {{"bucket", info.bucket},
                                 {"name", info.name},
                                 {"row_count", info.row_count},
                                 {"size_bytes", info.size_bytes},
                                 {"column_count", info.columns.size()}});
             });

  routes.Add("POST", table + "/columns", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               return Json(201, TableJson(s.tables.AddColumn(TableOf(r), ParseColumn(ParseJsonObject(r)))));
             });
  routes.Add("DELETE", table + "/columns/{column}", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               return Json(200, TableJson(s.tables.DropColumn(TableOf(r), r.PathParam("column"))));
             });
  routes.Add("PUT", table + "/columns/{column}", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto body = ParseJsonObject(r);
               ColumnChange change;
               change.new_name = OptionalString(body, "new_name");
               change.type = OptionalString(body, "type");
               change.nullable = OptionalBool(body, "nullable");
               if (body.contains("default")) change.default_value = DefaultText(body["default"]);
               return Json(200, TableJson(s.tables.AlterColumn(TableOf(r), r.PathParam("column"), change)));
             });

  routes.Add("POST", table + "/primary-key", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto body = ParseJsonObject(r);
               return Json(
                   201, TableJson(s.tables.AddPrimaryKey(TableOf(r), OptionalStringList(body, "columns"))));
             });
  routes.Add("DELETE", table + "/primary-key", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               return Json(200, TableJson(s.tables.DropPrimaryKey(TableOf(r))));
             });

  routes.Add(
      "GET", table + "/preview", Access::kRead, TargetFrom::kBranch,
      [&s](http::Request& r, const Caller& caller) {
        // ?at=<RFC 3339>: the table as it was then (docs/design/history.md).
        if (const auto* at = r.QueryParam("at"))
          return PreviewJson(
              TableHistoryService(s.branches, s.operations).PreviewAt(TableOf(r), ParsePreviewQuery(r), *at));
        return PreviewJson(s.tables.Preview(TableOf(r), ParsePreviewQuery(r)));
      });
  routes.Add("POST", table + "/preview", Access::kRead, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto body = ParseJsonObject(r);
               PreviewRequest request;
               request.columns = OptionalStringList(body, "columns");
               request.filters = ParseFilters(body);
               request.order_by = ParseOrderBy(body);
               request.limit = OptionalInt(body, "limit").value_or(kPreviewDefaultLimit);
               return PreviewJson(s.tables.Preview(TableOf(r), request));
             });
  routes.Add("POST", table + "/rows", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto body = ParseJsonObject(r);
               if (!body.contains("rows") || !body["rows"].is_array()) {
                 throw InvalidArgument("missing_field", "field 'rows' (an array of objects) is required");
               }
               std::vector<TableService::Row> rows;
               for (const auto& json : body["rows"]) {
                 if (!json.is_object())
                   throw InvalidArgument("invalid_row", "each row must be an object of column: value");
                 TableService::Row row;
                 for (const auto& [name, value] : json.items()) {
                   if (value.is_object() || value.is_array()) {
                     row.emplace_back(name,
                                      value.dump());  // nested values travel as JSON text, cast by DuckDB
                   } else {
                     row.emplace_back(name, ScalarText(value, "invalid_row", "a row value"));
                   }
                 }
                 rows.push_back(std::move(row));
               }
               int64_t after = s.tables.InsertRows(TableOf(r), rows);
               return Json(201, {{"inserted_rows", rows.size()}, {"rows_after", after}});
             });
  routes.Add("DELETE", table + "/rows", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto result = s.tables.DeleteRows(TableOf(r), ParseFilters(ParseJsonObject(r)));
               return Json(200, {{"deleted_rows", result.deleted_rows}, {"rows_after", result.rows_after}});
             });
  AddHistoryRoutes(routes, s);
}

}  // namespace duckstore::rest
