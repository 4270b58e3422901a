#include "duckstore/api/rest/rest_support.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "duckstore/api/http/stream_body_reader.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/error_codes.hpp"

namespace duckstore::rest {
namespace {

constexpr int64_t kMaxPageLimit = 1000;
// Thrown and rendered (415) only here.
constexpr char kUnsupportedMediaType[] = "unsupported_media_type";

int64_t ParseInteger(const std::string& text, const char* name) {
  try {
    size_t used = 0;
    int64_t value = std::stoll(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  throw InvalidArgument("invalid_parameter", std::string(name) + " must be an integer",
                        {{"parameter", name}});
}

[[noreturn]] void WrongType(const char* field, const char* expected) {
  throw InvalidArgument("invalid_field", std::string("field '") + field + "' must be " + expected,
                        {{"field", field}});
}

nlohmann::json OptionalJson(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::optional<std::string> FilterValue(const nlohmann::json& value) {
  return ScalarText(value, "invalid_filter", "a filter value");
}

// A body is parsed as JSON only when its Content-Type says JSON or says nothing. Also accepted:
// application/x-www-form-urlencoded, which `curl -d` sends unless told otherwise (the README's examples
// rely on it); a form-encoded body is never valid JSON, so nothing is misread. Anything else (text/plain,
// text/csv, ...) is refused rather than guessed at.
void RequireJsonContentType(const http::Request& request) {
  const std::string* header = request.headers.Find("content-type");
  if (!header) return;
  std::string type = header->substr(0, header->find(';'));
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  type.erase(0, type.find_first_not_of(" \t"));
  type.erase(type.find_last_not_of(" \t") + 1);
  if (type.empty() || type == "application/json" || type.ends_with("+json") ||
      type == "application/x-www-form-urlencoded") {
    return;
  }
  throw InvalidArgument(kUnsupportedMediaType,
                        "the request body must be JSON (Content-Type application/json), not " + type,
                        {{"content_type", type}});
}

}  // namespace

// A JSON scalar as the text the database casts to the column's type: strings as they are, numbers and
// booleans in their JSON spelling, null as nullopt. `error_code` and `what` name the field for errors.
std::optional<std::string> ScalarText(const nlohmann::json& value, const char* error_code, const char* what) {
  if (value.is_null()) return std::nullopt;
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  throw InvalidArgument(error_code, std::string(what) + " must be a string, number, boolean or null");
}

nlohmann::json TableJson(const TableInfo& t) {
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& c : t.columns) {
    columns.push_back({{"name", c.name},
                       {"type", c.type},
                       {"nullable", c.nullable},
                       {"default", OptionalJson(c.default_value)},
                       {"ordinal_position", c.ordinal_position}});
  }
  return {{"name", t.name},
          {"bucket", t.bucket},
          {"type", t.is_view ? "view" : "table"},
          {"columns", columns},
          {"primary_key", t.primary_key},
          {"row_count", t.row_count},
          {"size_bytes", t.size_bytes},
          {"created_at", t.created_at}};
}

// [{"column": "x", "operator": "eq", "value": 1}] or {"values": [...]} for multi-value operators.
std::vector<ColumnFilter> ParseFilters(const nlohmann::json& body) {
  std::vector<ColumnFilter> filters;
  auto it = body.find("filters");
  if (it == body.end() || it->is_null()) return filters;
  if (!it->is_array()) throw InvalidArgument("invalid_filter", "filters must be an array");
  for (const auto& json : *it) {
    if (!json.is_object()) throw InvalidArgument("invalid_filter", "each filter must be an object");
    ColumnFilter filter;
    filter.column = RequireString(json, "column");
    filter.op = ParseFilterOp(OptionalString(json, "operator").value_or("eq"));
    if (json.contains("values")) {
      if (!json["values"].is_array()) throw InvalidArgument("invalid_filter", "values must be an array");
      for (const auto& value : json["values"]) filter.values.push_back(FilterValue(value));
    } else if (json.contains("value")) {
      filter.values.push_back(FilterValue(json["value"]));
    }
    filters.push_back(std::move(filter));
  }
  return filters;
}

std::vector<OrderBy> ParseOrderBy(const nlohmann::json& body) {
  std::vector<OrderBy> order;
  auto it = body.find("order_by");
  if (it == body.end() || it->is_null()) return order;
  if (!it->is_array()) throw InvalidArgument("invalid_field", "order_by must be an array");
  for (const auto& json : *it) {
    if (!json.is_object()) throw InvalidArgument("invalid_field", "each order_by entry must be an object");
    auto direction = OptionalString(json, "order").value_or("asc");
    if (direction != "asc" && direction != "desc") {
      throw InvalidArgument("invalid_field", "order must be 'asc' or 'desc'");
    }
    order.push_back(OrderBy{RequireString(json, "column"), direction == "desc", std::nullopt});
  }
  return order;
}

std::string BearerToken(const http::Request& request) {
  if (const std::string* authorization = request.headers.Find("authorization")) {
    return authorization->starts_with("Bearer ") ? authorization->substr(7) : "";
  }
  const std::string* api_key = request.headers.Find("x-api-key");
  return api_key ? *api_key : "";
}

Principal Authenticate(Services& services, const http::Request& request) {
  return services.auth.Authenticate(BearerToken(request));
}

nlohmann::json ParseJsonObject(const http::Request& request) {
  if (request.body.empty()) return nlohmann::json::object();
  RequireJsonContentType(request);
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) throw InvalidArgument("invalid_json", "the request body is not valid JSON");
  if (!body.is_object()) throw InvalidArgument("invalid_json", "the request body must be a JSON object");
  return body;
}

std::string RequireString(const nlohmann::json& body, const char* field) {
  auto value = OptionalString(body, field);
  if (!value)
    throw InvalidArgument("missing_field", std::string("field '") + field + "' is required",
                          {{"field", field}});
  return *value;
}

std::optional<std::string> OptionalString(const nlohmann::json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) WrongType(field, "a string");
  return it->get<std::string>();
}

std::optional<bool> OptionalBool(const nlohmann::json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) WrongType(field, "a boolean");
  return it->get<bool>();
}

std::optional<int64_t> OptionalInt(const nlohmann::json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) WrongType(field, "an integer");
  return it->get<int64_t>();
}

std::vector<std::string> OptionalStringList(const nlohmann::json& body, const char* field) {
  std::vector<std::string> out;
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) WrongType(field, "an array of strings");
  for (const auto& item : *it) {
    if (!item.is_string()) WrongType(field, "an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

PageRequest ParsePage(const http::Request& request) {
  PageRequest page;
  if (const std::string* limit = request.QueryParam("limit")) page.limit = ParseInteger(*limit, "limit");
  if (const std::string* offset = request.QueryParam("offset")) page.offset = ParseInteger(*offset, "offset");
  if (page.limit < 1 || page.limit > kMaxPageLimit) {
    throw InvalidArgument("invalid_parameter", "limit must be between 1 and 1000", {{"parameter", "limit"}});
  }
  if (page.offset < 0)
    throw InvalidArgument("invalid_parameter", "offset must not be negative", {{"parameter", "offset"}});
  return page;
}

nlohmann::json PageJson(const PageRequest& page, int64_t total) {
  return {{"limit", page.limit}, {"offset", page.offset}, {"total", total}};
}

http::Response Json(int status, const nlohmann::json& body) {
  return http::Response::Json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

http::Response RenderError(const http::Request& request, const std::exception& error) {
  int status = 500;
  std::string code = "internal_error";
  std::string message = "internal error; the server log has details under this request id";
  nlohmann::json details = nlohmann::json::object();
  if (const auto* known = dynamic_cast<const Error*>(&error)) {
    status = HttpStatusOf(known->kind());
    if (known->code() == error_code::kMethodNotAllowed) status = 405;
    if (known->code() == kUnsupportedMediaType) status = 415;
    if (known->code() == http::kBodyReadTimeoutCode) status = 408;  // the client's delay, not ours
    if (status >= 500) spdlog::error("{} {} failed: {}", request.method, request.path, known->what());
    code = known->code();
    message = known->what();
    if (!known->details().is_null()) details = known->details();
  } else if (dynamic_cast<const nlohmann::json::exception*>(&error)) {
    status = 400;
    code = "invalid_json";
    message = error.what();
  } else {
    spdlog::error("{} {} failed unexpectedly: {}", request.method, request.path, error.what());
  }
  auto response = Json(status, {{"error", {{"code", code}, {"message", message}, {"details", details}}},
                                {"request_id", request.request_id}});
  response.error_code = code;
  if (status == 401) response.headers.Set("www-authenticate", "Bearer");
  return response;
}

nlohmann::json BucketJson(const BucketInfo& b) {
  auto optional = [](const std::optional<std::string>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  return {{"name", b.name},
          {"description", b.description},
          {"created_at", b.created_at},
          {"table_count", b.table_count},
          {"is_linked", b.source_project_id.has_value()},
          {"source_project_id", optional(b.source_project_id)},
          {"source_bucket", optional(b.source_bucket)}};
}

BranchRef BranchOf(const http::Request& request) {
  return BranchRef{request.PathParam("project_id"), request.PathParam("branch_id")};
}

TableRef TableOf(const http::Request& request) {
  return TableRef{BranchOf(request), request.PathParam("bucket"), request.PathParam("table")};
}

}  // namespace duckstore::rest
