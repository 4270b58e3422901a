#include "duckstore/api/s3/cors.hpp"

#include <algorithm>

#include "duckstore/api/s3/text.hpp"
#include "duckstore/api/s3/xml.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::s3 {
namespace {

constexpr size_t kMaxRules = 100;
constexpr std::string_view kMethods[] = {"GET", "PUT", "HEAD", "POST", "DELETE"};

// `pattern` with '*' standing for any run of characters.
bool WildcardMatch(std::string_view pattern, std::string_view text) {
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return pattern == text;
  std::string_view head = pattern.substr(0, star), rest = pattern.substr(star + 1);
  if (!text.starts_with(head)) return false;
  text.remove_prefix(head.size());
  for (size_t skip = 0; skip <= text.size(); ++skip) {
    if (WildcardMatch(rest, text.substr(skip))) return true;
  }
  return false;
}

void CheckOneWildcard(const std::string& value, const char* what) {
  if (std::count(value.begin(), value.end(), '*') > 1) {
    throw InvalidArgument("invalid_request",
                          std::string(what) + " \"" + value + "\" can not have more than one wildcard.");
  }
}

std::vector<std::string> Texts(const XmlElement& rule, std::string_view name) {
  std::vector<std::string> out;
  for (const XmlElement* child : rule.Children(name)) out.push_back(std::string(TrimBlanks(child->text)));
  return out;
}

std::vector<std::string> SplitHeaderList(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = TrimBlanks(list.substr(0, comma));
    if (!item.empty()) out.push_back(AsciiLower(item));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

Error Forbidden(const std::string& message) {
  return Error(ErrorKind::kPermissionDenied, "cors_forbidden", message);
}

// The Access-Control-* headers of `rule` for `origin`.
void SetRuleHeaders(const CorsRule& rule, std::string_view origin, http::Response& response) {
  bool any_origin =
      std::find(rule.allowed_origins.begin(), rule.allowed_origins.end(), "*") != rule.allowed_origins.end();
  response.headers.Set("access-control-allow-origin", any_origin ? "*" : std::string(origin));
  response.headers.Set("access-control-allow-methods", Join(rule.allowed_methods));
  if (!rule.expose_headers.empty())
    response.headers.Set("access-control-expose-headers", Join(rule.expose_headers));
  if (rule.max_age_seconds)
    response.headers.Set("access-control-max-age", std::to_string(*rule.max_age_seconds));
  if (!any_origin) response.headers.Set("access-control-allow-credentials", "true");
  response.headers.Set("vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
}

}  // namespace

CorsConfiguration ParseCorsXml(std::string_view document) {
  XmlElement root = ParseXml(document);
  if (root.name != "CORSConfiguration") {
    throw InvalidArgument("malformed_xml", "the root element must be CORSConfiguration");
  }
  CorsConfiguration configuration;
  for (const XmlElement* element : root.Children("CORSRule")) {
    CorsRule rule;
    if (const XmlElement* id = element->Child("ID")) rule.id = id->text;
    rule.allowed_methods = Texts(*element, "AllowedMethod");
    rule.allowed_origins = Texts(*element, "AllowedOrigin");
    rule.allowed_headers = Texts(*element, "AllowedHeader");
    rule.expose_headers = Texts(*element, "ExposeHeader");
    if (rule.allowed_methods.empty() || rule.allowed_origins.empty()) {
      throw InvalidArgument("malformed_xml", "every CORSRule needs an AllowedMethod and an AllowedOrigin");
    }
    for (const auto& method : rule.allowed_methods) {
      if (std::find(std::begin(kMethods), std::end(kMethods), method) == std::end(kMethods)) {
        throw InvalidArgument(
            "invalid_request",
            "Found unsupported HTTP method in CORS config. Unsupported method is " + method);
      }
    }
    for (const auto& origin : rule.allowed_origins) CheckOneWildcard(origin, "AllowedOrigin");
    for (const auto& header : rule.allowed_headers) CheckOneWildcard(header, "AllowedHeader");
    if (const XmlElement* max_age = element->Child("MaxAgeSeconds")) {
      try {
        size_t used = 0;
        rule.max_age_seconds = std::stoll(max_age->text, &used);
        if (used != max_age->text.size() || *rule.max_age_seconds < 0) throw std::invalid_argument("");
      } catch (const std::exception&) {
        throw InvalidArgument("malformed_xml", "MaxAgeSeconds must be a non-negative integer");
      }
    }
    configuration.rules.push_back(std::move(rule));
  }
  if (configuration.rules.empty() || configuration.rules.size() > kMaxRules) {
    throw InvalidArgument("malformed_xml", "a CORS configuration holds between 1 and 100 rules");
  }
  return configuration;
}

std::string CorsXml(const CorsConfiguration& configuration) {
  XmlWriter xml("CORSConfiguration");
  for (const auto& rule : configuration.rules) {
    xml.Open("CORSRule");
    if (!rule.id.empty()) xml.Element("ID", rule.id);
    for (const auto& header : rule.allowed_headers) xml.Element("AllowedHeader", header);
    for (const auto& method : rule.allowed_methods) xml.Element("AllowedMethod", method);
    for (const auto& origin : rule.allowed_origins) xml.Element("AllowedOrigin", origin);
    for (const auto& header : rule.expose_headers) xml.Element("ExposeHeader", header);
    if (rule.max_age_seconds) xml.Element("MaxAgeSeconds", *rule.max_age_seconds);
    xml.Close();
  }
  return xml.Finish();
}

nlohmann::json CorsToJson(const CorsConfiguration& configuration) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& rule : configuration.rules) {
    nlohmann::json item = {{"id", rule.id},
                           {"allowed_methods", rule.allowed_methods},
                           {"allowed_origins", rule.allowed_origins},
                           {"allowed_headers", rule.allowed_headers},
                           {"expose_headers", rule.expose_headers}};
    if (rule.max_age_seconds) item["max_age_seconds"] = *rule.max_age_seconds;
    rules.push_back(std::move(item));
  }
  return {{"rules", rules}};
}

CorsConfiguration CorsFromJson(const nlohmann::json& json) {
  CorsConfiguration configuration;
  for (const auto& item : json.at("rules")) {
    CorsRule rule;
    rule.id = item.value("id", "");
    rule.allowed_methods = item.at("allowed_methods").get<std::vector<std::string>>();
    rule.allowed_origins = item.at("allowed_origins").get<std::vector<std::string>>();
    rule.allowed_headers = item.at("allowed_headers").get<std::vector<std::string>>();
    rule.expose_headers = item.at("expose_headers").get<std::vector<std::string>>();
    if (item.contains("max_age_seconds")) rule.max_age_seconds = item.at("max_age_seconds").get<int64_t>();
    configuration.rules.push_back(std::move(rule));
  }
  return configuration;
}

const CorsRule* MatchCors(const CorsConfiguration& configuration, std::string_view origin,
                          std::string_view method, const std::vector<std::string>& request_headers) {
  for (const auto& rule : configuration.rules) {
    if (std::find(rule.allowed_methods.begin(), rule.allowed_methods.end(), method) ==
        rule.allowed_methods.end()) {
      continue;
    }
    if (std::none_of(rule.allowed_origins.begin(), rule.allowed_origins.end(),
                     [&](const std::string& pattern) { return WildcardMatch(pattern, origin); })) {
      continue;
    }
    bool headers_allowed =
        std::all_of(request_headers.begin(), request_headers.end(), [&](const std::string& name) {
          return std::any_of(rule.allowed_headers.begin(), rule.allowed_headers.end(),
                             [&](const std::string& pattern) {
                               return WildcardMatch(AsciiLower(pattern), AsciiLower(name));
                             });
        });
    if (headers_allowed) return &rule;
  }
  return nullptr;
}

http::Response PreflightResponse(const std::optional<CorsConfiguration>& configuration,
                                 const http::Request& request) {
  const std::string* origin = request.headers.Find("origin");
  const std::string* method = request.headers.Find("access-control-request-method");
  if (!origin || !method) {
    throw InvalidArgument("invalid_request",
                          "a CORS preflight needs Origin and Access-Control-Request-Method");
  }
  if (!configuration) throw Forbidden("CORSResponse: CORS is not enabled for this bucket.");
  std::vector<std::string> headers = SplitHeaderList(request.headers.Get("access-control-request-headers"));
  const CorsRule* rule = MatchCors(*configuration, *origin, *method, headers);
  if (!rule) {
    throw Forbidden(
        "CORSResponse: This CORS request is not allowed. This is usually because the evaluation of "
        "Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers "
        "are not whitelisted by the resource's CORS spec.");
  }
  http::Response response = http::Response::Empty(200);
  SetRuleHeaders(*rule, *origin, response);
  if (!headers.empty()) response.headers.Set("access-control-allow-headers", Join(headers));
  return response;
}

void AddCorsHeaders(const std::optional<CorsConfiguration>& configuration, const http::Request& request,
                    http::Response& response) {
  const std::string* origin = request.headers.Find("origin");
  if (!configuration || !origin) return;
  if (const CorsRule* rule = MatchCors(*configuration, *origin, request.method, {})) {
    SetRuleHeaders(*rule, *origin, response);
  }
}

}  // namespace duckstore::s3
