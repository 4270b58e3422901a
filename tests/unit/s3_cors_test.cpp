// CORS configurations: the XML document S3 clients send, its validation, and preflight/actual matching.
#include <gtest/gtest.h>

#include "duckstore/api/s3/cors.hpp"
#include "test_util.hpp"

namespace duckstore::s3 {
namespace {

using testing::CaptureError;

constexpr const char* kDocument = R"(<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <CORSRule><ID>uploads</ID><AllowedOrigin>https://*.example.com</AllowedOrigin>
    <AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod>
    <AllowedHeader>Content-*</AllowedHeader><AllowedHeader>x-amz-*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>
  <CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>
</CORSConfiguration>)";

http::Request Preflight(const std::string& origin, const std::string& method, const std::string& headers) {
  http::Request request;
  request.method = "OPTIONS";
  request.headers.Add("origin", origin);
  request.headers.Add("access-control-request-method", method);
  if (!headers.empty()) request.headers.Add("access-control-request-headers", headers);
  return request;
}

TEST(S3CorsTest, ParsesAndRoundTrips) {
  CorsConfiguration configuration = ParseCorsXml(kDocument);
  ASSERT_EQ(configuration.rules.size(), 2u);
  EXPECT_EQ(configuration.rules[0].id, "uploads");
  EXPECT_EQ(configuration.rules[0].max_age_seconds, 3000);
  EXPECT_EQ(CorsFromJson(CorsToJson(configuration)).rules[0].allowed_headers,
            configuration.rules[0].allowed_headers);
  CorsConfiguration again = ParseCorsXml(CorsXml(configuration));
  EXPECT_EQ(again.rules[1].allowed_origins, std::vector<std::string>{"*"});
}

TEST(S3CorsTest, RefusesInvalidRules) {
  EXPECT_EQ(CaptureError([] {
              ParseCorsXml(
                  "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>"
                  "<AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>");
            }).code(),
            "invalid_request");
  EXPECT_EQ(CaptureError([] {
              ParseCorsXml(
                  "<CORSConfiguration><CORSRule><AllowedOrigin>*.*</AllowedOrigin>"
                  "<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>");
            }).code(),
            "invalid_request");
  EXPECT_EQ(CaptureError([] { ParseCorsXml("<CORSConfiguration/>"); }).code(), "malformed_xml");
}

TEST(S3CorsTest, PreflightMatchesTheFirstRule) {
  std::optional<CorsConfiguration> configuration = ParseCorsXml(kDocument);
  http::Response allowed = PreflightResponse(
      configuration, Preflight("https://app.example.com", "PUT", "content-type, X-Amz-Date"));
  EXPECT_EQ(allowed.status, 200);
  EXPECT_EQ(allowed.headers.Get("access-control-allow-origin"), "https://app.example.com");
  EXPECT_EQ(allowed.headers.Get("access-control-allow-methods"), "PUT, POST");
  EXPECT_EQ(allowed.headers.Get("access-control-allow-headers"), "content-type, x-amz-date");
  EXPECT_EQ(allowed.headers.Get("access-control-expose-headers"), "ETag");
  EXPECT_EQ(allowed.headers.Get("access-control-max-age"), "3000");

  http::Response anyone = PreflightResponse(configuration, Preflight("http://elsewhere.org", "GET", ""));
  EXPECT_EQ(anyone.headers.Get("access-control-allow-origin"), "*");

  EXPECT_EQ(CaptureError([&] {
              PreflightResponse(configuration, Preflight("https://app.example.com", "PUT", "authorization"));
            }).code(),
            "cors_forbidden");
  EXPECT_EQ(CaptureError([&] {
              PreflightResponse(configuration, Preflight("http://elsewhere.org", "PUT", ""));
            }).code(),
            "cors_forbidden");
  EXPECT_EQ(
      CaptureError([&] { PreflightResponse(std::nullopt, Preflight("http://a.org", "GET", "")); }).code(),
      "cors_forbidden");
}

TEST(S3CorsTest, ActualRequestsGetHeadersWhenAllowed) {
  std::optional<CorsConfiguration> configuration = ParseCorsXml(kDocument);
  http::Request get;
  get.method = "GET";
  get.headers.Add("origin", "http://elsewhere.org");
  http::Response response;
  AddCorsHeaders(configuration, get, response);
  EXPECT_EQ(response.headers.Get("access-control-allow-origin"), "*");
  http::Request del;
  del.method = "DELETE";
  del.headers.Add("origin", "http://elsewhere.org");
  http::Response untouched;
  AddCorsHeaders(configuration, del, untouched);
  EXPECT_EQ(untouched.headers.Find("access-control-allow-origin"), nullptr);
}

}  // namespace
}  // namespace duckstore::s3
