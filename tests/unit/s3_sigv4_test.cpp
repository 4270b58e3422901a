// SigV4 verification against the examples of AWS's S3 SigV4 documentation (header auth, presigned URL,
// aws-chunked streaming upload), plus the failure modes.
#include <gtest/gtest.h>

#include "body_readers.hpp"
#include "duckstore/api/s3/chunked_payload.hpp"
#include "duckstore/api/s3/sigv4.hpp"
#include "duckstore/common/error.hpp"
#include "test_util.hpp"

namespace duckstore::s3 {
namespace {

constexpr const char* kKeyId = "AKIAIOSFODNN7EXAMPLE";
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const auto kExampleTime = *ParseAmzDate("20130524T000000Z");

std::optional<std::string> Secrets(const std::string& id) {
  if (id == kKeyId) return std::string(kSecret);
  return std::nullopt;
}

std::string CodeOf(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    return e.code();
  }
  return "";
}

http::Request GetObjectRequest() {
  http::Request request;
  request.method = "GET";
  request.path = "/test.txt";
  request.headers.Add("host", "examplebucket.s3.amazonaws.com");
  request.headers.Add("range", "bytes=0-9");
  request.headers.Add("x-amz-content-sha256",
                      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  request.headers.Add("x-amz-date", "20130524T000000Z");
  request.headers.Add("authorization",
                      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                      "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  return request;
}

TEST(SigV4Test, HeaderSignatureOfTheAwsExample) {
  auto request = GetObjectRequest();
  SignedRequest signed_request = VerifySignature(request, Secrets, kExampleTime);
  EXPECT_EQ(signed_request.access_key_id, kKeyId);
  EXPECT_EQ(signed_request.payload, PayloadMode::kSha256);
  EXPECT_EQ(signed_request.scope, "20130524/us-east-1/s3/aws4_request");
}

TEST(SigV4Test, HeaderSignatureFailures) {
  auto tampered = GetObjectRequest();
  tampered.headers.Set("range", "bytes=0-10");
  EXPECT_EQ(CodeOf([&] { VerifySignature(tampered, Secrets, kExampleTime); }), "signature_does_not_match");

  auto request = GetObjectRequest();
  auto wrong_secret = [](const std::string&) -> std::optional<std::string> { return std::string("other"); };
  EXPECT_EQ(CodeOf([&] { VerifySignature(request, wrong_secret, kExampleTime); }),
            "signature_does_not_match");
  auto unknown = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  EXPECT_EQ(CodeOf([&] { VerifySignature(request, unknown, kExampleTime); }), "invalid_access_key_id");
  EXPECT_EQ(CodeOf([&] { VerifySignature(request, Secrets, kExampleTime + std::chrono::minutes(16)); }),
            "request_time_too_skewed");
  EXPECT_EQ(CodeOf([&] { VerifySignature(request, Secrets, kExampleTime - std::chrono::minutes(16)); }),
            "request_time_too_skewed");
  EXPECT_EQ(CodeOf([&] { VerifySignature(request, Secrets, kExampleTime + std::chrono::minutes(14)); }), "");

  http::Request anonymous;
  anonymous.method = "GET";
  anonymous.path = "/";
  EXPECT_EQ(CodeOf([&] { VerifySignature(anonymous, Secrets, kExampleTime); }), "access_denied");

  auto malformed = GetObjectRequest();
  malformed.headers.Set("authorization", "AWS4-HMAC-SHA256 Credential=x");
  EXPECT_EQ(CodeOf([&] { VerifySignature(malformed, Secrets, kExampleTime); }),
            "authorization_header_malformed");
}

http::Request PresignedRequest() {
  http::Request request;
  request.method = "GET";
  request.path = "/test.txt";
  request.headers.Add("host", "examplebucket.s3.amazonaws.com");
  request.query = {{"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
                   {"X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"},
                   {"X-Amz-Date", "20130524T000000Z"},
                   {"X-Amz-Expires", "86400"},
                   {"X-Amz-SignedHeaders", "host"},
                   {"X-Amz-Signature", "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"}};
  return request;
}

TEST(SigV4Test, PresignedUrlOfTheAwsExample) {
  auto request = PresignedRequest();
  auto signed_request = VerifySignature(request, Secrets, kExampleTime + std::chrono::hours(1));
  EXPECT_EQ(signed_request.payload, PayloadMode::kUnsigned);
  EXPECT_EQ(CodeOf([&] { VerifySignature(request, Secrets, kExampleTime + std::chrono::hours(25)); }),
            "access_denied");
  request.query.emplace_back("extra", "1");
  EXPECT_EQ(CodeOf([&] { VerifySignature(request, Secrets, kExampleTime); }), "signature_does_not_match");
}

using testing::StringReader;

http::Request StreamingRequest() {
  http::Request request;
  request.method = "PUT";
  request.path = "/examplebucket/chunkObject.txt";
  request.headers.Add("host", "s3.amazonaws.com");
  request.headers.Add("x-amz-date", "20130524T000000Z");
  request.headers.Add("x-amz-storage-class", "REDUCED_REDUNDANCY");
  request.headers.Add("content-encoding", "aws-chunked");
  request.headers.Add("x-amz-decoded-content-length", "66560");
  request.headers.Add("content-length", "66824");
  request.headers.Add("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  request.headers.Add("authorization",
                      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                      "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
                      "x-amz-decoded-content-length;x-amz-storage-class,"
                      "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
  return request;
}

std::string StreamingBody(const std::string& first_signature) {
  return "10000;chunk-signature=" + first_signature + "\r\n" + std::string(65536, 'a') +
         "\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" +
         std::string(1024, 'a') +
         "\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n";
}

using testing::DrainAll;

TEST(SigV4Test, StreamingChunksOfTheAwsExample) {
  auto request = StreamingRequest();
  auto signed_request = VerifySignature(request, Secrets, kExampleTime);
  ASSERT_EQ(signed_request.payload, PayloadMode::kStreamingSigned);
  for (size_t piece : {1000, 65536 + 200, 1 << 20}) {
    StringReader raw(StreamingBody("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"),
                     piece);
    ChunkedPayloadReader reader(raw, signed_request, 66560);
    EXPECT_EQ(DrainAll(reader), std::string(66560, 'a'));
  }
}

TEST(SigV4Test, StreamingChunkWithBadSignatureOrLengthFails) {
  auto request = StreamingRequest();
  auto signed_request = VerifySignature(request, Secrets, kExampleTime);
  std::string bad = StreamingBody("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288649");
  StringReader raw(bad, 4096);
  ChunkedPayloadReader reader(raw, signed_request, 66560);
  EXPECT_EQ(CodeOf([&] { DrainAll(reader); }), "signature_does_not_match");

  StringReader good(StreamingBody("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"), 4096);
  ChunkedPayloadReader wrong_length(good, signed_request, 66561);
  EXPECT_EQ(CodeOf([&] { DrainAll(wrong_length); }), "incomplete_body");

  StringReader truncated(
      StreamingBody("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648").substr(0, 5000),
      4096);
  ChunkedPayloadReader short_body(truncated, signed_request, 66560);
  EXPECT_EQ(CodeOf([&] { DrainAll(short_body); }), "incomplete_body");
}

TEST(SigV4Test, UriEncodeFollowsRfc3986) {
  EXPECT_EQ(UriEncode("a b+c/d~e_f.g-h*", true), "a%20b%2Bc/d~e_f.g-h%2A");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(UriEncode("\xc3\xa9", true), "%C3%A9");
}

}  // namespace
}  // namespace duckstore::s3
