// SigV2 verification against the examples of AWS's "Signing and authenticating REST requests" (header auth,
// query string auth), the resource's subresources, and the failure modes.
#include <gtest/gtest.h>

#include "duckstore/api/s3/sigv2.hpp"
#include "duckstore/common/error.hpp"
#include "test_util.hpp"

namespace duckstore::s3 {
namespace {

using testing::CaptureError;

constexpr const char* kKeyId = "AKIAIOSFODNN7EXAMPLE";
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
// Tue, 27 Mar 2007 19:36:42 GMT
const auto kExampleTime = std::chrono::system_clock::from_time_t(1175024202);

std::optional<std::string> Secrets(const std::string& id) {
  return id == kKeyId ? std::optional<std::string>(kSecret) : std::nullopt;
}

http::Request Request(const std::string& method, const std::string& target) {
  http::Request request;
  request.method = method;
  request.target = target;
  request.raw_path = target.substr(0, target.find('?'));
  request.path = request.raw_path;
  request.headers.Add("host", "johnsmith.s3.amazonaws.com");
  return request;
}

TEST(SigV2Test, HeaderSignatureOfTheAwsExamples) {
  auto get = Request("GET", "/photos/puppy.jpg");
  get.headers.Add("date", "Tue, 27 Mar 2007 19:36:42 +0000");
  get.headers.Add("authorization", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU=");
  ASSERT_TRUE(IsSigV2(get));
  SignedRequest signed_request =
      VerifySignatureV2(get, {"/johnsmith/photos/puppy.jpg"}, Secrets, kExampleTime);
  EXPECT_EQ(signed_request.access_key_id, kKeyId);
  EXPECT_EQ(signed_request.payload, PayloadMode::kUnsigned);

  auto put = Request("PUT", "/photos/puppy.jpg");
  put.headers.Add("content-type", "image/jpeg");
  put.headers.Add("content-length", "94328");
  put.headers.Add("date", "Tue, 27 Mar 2007 21:15:45 +0000");
  put.headers.Add("authorization", "AWS AKIAIOSFODNN7EXAMPLE:MyyxeRY7whkBe+bq8fHCL/2kKUg=");
  EXPECT_NO_THROW(VerifySignatureV2(put, {"/johnsmith/photos/puppy.jpg"}, Secrets,
                                    kExampleTime + std::chrono::seconds(5943)));
}

TEST(SigV2Test, QueryStringSignatureOfTheAwsExample) {
  auto request = Request(
      "GET",
      "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D"
      "&Expires=1175139620");
  request.query = {
      {"AWSAccessKeyId", kKeyId}, {"Signature", "NpgCjnDzrM+WFzoENXmpNDUsSn8="}, {"Expires", "1175139620"}};
  ASSERT_TRUE(IsSigV2(request));
  EXPECT_NO_THROW(VerifySignatureV2(request, {"/johnsmith/photos/puppy.jpg"}, Secrets, kExampleTime));
  // Expired a second after its Expires.
  EXPECT_EQ(CaptureError([&] {
              VerifySignatureV2(request, {"/johnsmith/photos/puppy.jpg"}, Secrets,
                                std::chrono::system_clock::from_time_t(1175139621));
            }).code(),
            "access_denied");
}

TEST(SigV2Test, ResourceKeepsSubresourcesSorted) {
  auto request = Request("PUT", "/s3/bucket/a%20key?uploadId=abc&partNumber=2&max-keys=5");
  request.headers.Add("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==");
  request.headers.Add("x-amz-meta-b", " two ");
  request.headers.Add("x-amz-date", "Tue, 27 Mar 2007 19:36:42 GMT");
  request.headers.Add("x-amz-meta-a", "one");
  request.headers.Add("x-amz-meta-a", "uno");
  EXPECT_EQ(StringToSignV2(request, "/s3/bucket/a%20key", ""),
            "PUT\n1B2M2Y8AsgTpgAmY7PhCfg==\n\n\n"
            "x-amz-date:Tue, 27 Mar 2007 19:36:42 GMT\nx-amz-meta-a:one,uno\nx-amz-meta-b:two\n"
            "/s3/bucket/a%20key?partNumber=2&uploadId=abc");
  EXPECT_EQ(StringToSignV2(Request("POST", "/b/k?uploads"), "/b/k", ""), "POST\n\n\n\n/b/k?uploads");
  EXPECT_EQ(StringToSignV2(Request("GET", "/?acl"), "/b/", "d"), "GET\n\n\nd\n/b/?acl");
}

TEST(SigV2Test, Failures) {
  auto request = Request("GET", "/photos/puppy.jpg");
  request.headers.Add("date", "Tue, 27 Mar 2007 19:36:42 +0000");
  request.headers.Add("authorization", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMV=");
  EXPECT_EQ(CaptureError([&] {
              VerifySignatureV2(request, {"/johnsmith/photos/puppy.jpg"}, Secrets, kExampleTime);
            }).code(),
            "signature_does_not_match");
  EXPECT_EQ(CaptureError([&] {
              VerifySignatureV2(request, {"/johnsmith/photos/puppy.jpg"}, Secrets,
                                kExampleTime + std::chrono::hours(1));
            }).code(),
            "request_time_too_skewed");

  auto unknown = Request("GET", "/photos/puppy.jpg");
  unknown.headers.Add("date", "Tue, 27 Mar 2007 19:36:42 +0000");
  unknown.headers.Add("authorization", "AWS AKIANOBODY:bWq2s1WEIj+Ydj0vQ697zp+IXMU=");
  EXPECT_EQ(CaptureError([&] {
              VerifySignatureV2(unknown, {"/johnsmith/photos/puppy.jpg"}, Secrets, kExampleTime);
            }).code(),
            "invalid_access_key_id");

  auto undated = Request("GET", "/photos/puppy.jpg");
  undated.headers.Add("authorization", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU=");
  EXPECT_EQ(CaptureError([&] {
              VerifySignatureV2(undated, {"/johnsmith/photos/puppy.jpg"}, Secrets, kExampleTime);
            }).code(),
            "access_denied");

  auto malformed = Request("GET", "/photos/puppy.jpg");
  malformed.headers.Add("date", "Tue, 27 Mar 2007 19:36:42 +0000");
  malformed.headers.Add("authorization", "AWS nocolon");
  EXPECT_EQ(CaptureError([&] {
              VerifySignatureV2(malformed, {"/johnsmith/photos/puppy.jpg"}, Secrets, kExampleTime);
            }).code(),
            "authorization_header_malformed");
  EXPECT_FALSE(IsSigV2(Request("GET", "/x")));
}

}  // namespace
}  // namespace duckstore::s3
