// A bucket's CORS configuration as S3 defines it (PutBucketCors): the XML document, its validation, its
// stored JSON form, and the matching of browser requests against its rules (docs/design/s3.md, "CORS").
//
// A request matches a rule when its Origin matches one of the rule's AllowedOrigin patterns (at most one
// '*' wildcard each), its method (for a preflight, Access-Control-Request-Method) is one of the rule's
// AllowedMethod, and, for a preflight, every header named in Access-Control-Request-Headers matches one of
// the rule's AllowedHeader patterns (case-insensitive, '*' wildcards). The first matching rule answers.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "duckstore/api/http/message.hpp"

namespace duckstore::s3 {

struct CorsRule {
  std::string id;
  std::vector<std::string> allowed_methods;
  std::vector<std::string> allowed_origins;
  std::vector<std::string> allowed_headers;
  std::vector<std::string> expose_headers;
  std::optional<int64_t> max_age_seconds;
};

struct CorsConfiguration {
  std::vector<CorsRule> rules;
};

// Parses and validates a CORSConfiguration document: malformed_xml, or invalid_request for an unsupported
// method, more than one wildcard in an origin or header, no rules or more than 100.
CorsConfiguration ParseCorsXml(std::string_view document);
std::string CorsXml(const CorsConfiguration& configuration);
nlohmann::json CorsToJson(const CorsConfiguration& configuration);
CorsConfiguration CorsFromJson(const nlohmann::json& json);

// The first rule `origin` may use `method` with `request_headers` under; null when none.
const CorsRule* MatchCors(const CorsConfiguration& configuration, std::string_view origin,
                          std::string_view method, const std::vector<std::string>& request_headers);

// Answers a preflight OPTIONS request: 200 with the Access-Control-* headers of the matching rule, or
// throws cors_forbidden (403 AccessForbidden) when no rule (or no configuration) allows it.
http::Response PreflightResponse(const std::optional<CorsConfiguration>& configuration,
                                 const http::Request& request);
// Adds the Access-Control-* headers to the response of an actual request that carries an Origin header and
// matches a rule; leaves other responses alone.
void AddCorsHeaders(const std::optional<CorsConfiguration>& configuration, const http::Request& request,
                    http::Response& response);

}  // namespace duckstore::s3
