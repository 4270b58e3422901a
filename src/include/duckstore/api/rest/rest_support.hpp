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

// ?limit= (1..1000, default 100) and ?offset= (>= 0).
PageRequest ParsePage(const http::Request& request);
nlohmann::json PageJson(const PageRequest& page, int64_t total);

http::Response Json(int status, const nlohmann::json& body);
http::Response RenderError(const http::Request& request, const std::exception& error);

// Path parameters {project_id}, {branch_id}, {bucket}, {table}.
BranchRef BranchOf(const http::Request& request);
TableRef TableOf(const http::Request& request);

}  // namespace duckstore::rest
