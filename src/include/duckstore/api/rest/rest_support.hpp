// Shared pieces of the REST transport: authentication from headers, JSON bodies and fields, paging,
// the error envelope {"error":{"code","message","details"}}, and path parameters.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "duckstore/api/http/message.hpp"
#include "duckstore/services/services.hpp"

namespace duckstore::rest {

// The caller, from "Authorization: Bearer <key>" (or "X-Api-Key: <key>"); throws kUnauthenticated.
Principal Authenticate(Services& services, const http::Request& request);

// The body as a JSON object ({} when empty); kInvalidArgument("invalid_json") otherwise.
nlohmann::json ParseJsonObject(const http::Request& request);

// Typed field access with clear errors naming the field.
std::string RequireString(const nlohmann::json& body, const char* field);
std::optional<std::string> OptionalString(const nlohmann::json& body, const char* field);
std::optional<bool> OptionalBool(const nlohmann::json& body, const char* field);
std::optional<int64_t> OptionalInt(const nlohmann::json& body, const char* field);
std::vector<std::string> OptionalStringList(const nlohmann::json& body, const char* field);

// A JSON scalar as the text the database casts to a column's type: strings as they are, numbers and
// booleans in their JSON spelling, null as nullopt. `error_code` and `what` name the field for errors.
std::optional<std::string> ScalarText(const nlohmann::json& value, const char* error_code, const char* what);
// Row filters [{"column", "operator" (default eq), "value" | "values"}] of body["filters"].
std::vector<ColumnFilter> ParseFilters(const nlohmann::json& body);
// body["order_by"]: [{"column", "order": "asc"|"desc"}].
std::vector<OrderBy> ParseOrderBy(const nlohmann::json& body);
// A table's definition and stats as the REST API shows it.
nlohmann::json TableJson(const TableInfo& table);

// ?limit= (1..1000, default 100) and ?offset= (>= 0).
PageRequest ParsePage(const http::Request& request);
nlohmann::json PageJson(const PageRequest& page, int64_t total);
// One page of a listing: {"<name>": [render(item)...], "limit", "offset", "total"}.
template <typename T, typename Render>
nlohmann::json PageJson(const PageRequest& page, const Page<T>& result, const char* name, Render render) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& item : result.items) items.push_back(render(item));
  auto out = PageJson(page, result.total);
  out[name] = std::move(items);
  return out;
}

http::Response Json(int status, const nlohmann::json& body);
http::Response RenderError(const http::Request& request, const std::exception& error);

// The JSON form of a bucket (the Bucket schema of docs/openapi.json).
nlohmann::json BucketJson(const BucketInfo& bucket);

// Path parameters {project_id}, {branch_id}, {bucket}, {table}.
BranchRef BranchOf(const http::Request& request);
TableRef TableOf(const http::Request& request);

}  // namespace duckstore::rest
