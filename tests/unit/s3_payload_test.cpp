// aws-chunked bodies with trailing headers (AWS's signed trailer example, the unsigned form clients send
// with and without blank lines) and the checksum a request claims: headers, trailers, mismatches.
#include <gtest/gtest.h>

#include "body_readers.hpp"
#include "duckstore/api/s3/chunked_payload.hpp"
#include "duckstore/api/s3/payload.hpp"
#include "duckstore/api/s3/sigv4.hpp"
#include "duckstore/common/error.hpp"
#include "test_util.hpp"

namespace duckstore::s3 {
namespace {

using testing::CaptureError;
using testing::DrainAll;
using testing::StringReader;

constexpr const char* kKeyId = "AKIAIOSFODNN7EXAMPLE";
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr const char* kSeed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
constexpr const char* kTrailerSignature = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";

std::string SignedTrailerBody(const std::string& checksum, const std::string& trailer_signature) {
  return "10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n" +
         std::string(65536, 'a') +
         "\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n" +
         std::string(1024, 'a') +
         "\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n" +
         "x-amz-checksum-crc32c:" + checksum + "\r\nx-amz-trailer-signature:" + trailer_signature +
         "\r\n\r\n";
}

// The state of AWS's "Signature calculations for trailing headers" example once its request signature (the
// seed) has been verified.
SignedRequest VerifiedTrailerRequest() {
  SignedRequest signed_request;
  signed_request.access_key_id = kKeyId;
  signed_request.amz_date = "20130524T000000Z";
  signed_request.scope = "20130524/us-east-1/s3/aws4_request";
  signed_request.signing_key = DeriveSigningKey(kSecret, "20130524", "us-east-1", "s3");
  signed_request.seed_signature = kSeed;
  signed_request.payload = PayloadMode::kStreamingSignedTrailer;
  return signed_request;
}

TEST(S3PayloadTest, SignedTrailerOfTheAwsExample) {
  SignedRequest signed_request = VerifiedTrailerRequest();
  for (size_t piece : {500, 65536 + 300, 1 << 20}) {
    StringReader raw(SignedTrailerBody("sOO8/Q==", kTrailerSignature), piece);
    ChunkedPayloadReader reader(raw, signed_request, 66560);
    EXPECT_EQ(DrainAll(reader), std::string(66560, 'a'));
    ASSERT_EQ(reader.trailers().size(), 1u);
    EXPECT_EQ(reader.trailers()[0].first, "x-amz-checksum-crc32c");
    EXPECT_EQ(reader.trailers()[0].second, "sOO8/Q==");
  }
}

TEST(S3PayloadTest, TamperedTrailerFailsItsSignature) {
  SignedRequest signed_request = VerifiedTrailerRequest();
  StringReader changed(SignedTrailerBody("AAAAAA==", kTrailerSignature), 4096);
  ChunkedPayloadReader reader(changed, signed_request, 66560);
  EXPECT_EQ(CaptureError([&] { DrainAll(reader); }).code(), "signature_does_not_match");

  std::string body = SignedTrailerBody("sOO8/Q==", kTrailerSignature);
  body = body.substr(0, body.find("x-amz-trailer-signature")) + "\r\n";
  StringReader unsigned_trailer(body, 4096);
  ChunkedPayloadReader missing(unsigned_trailer, signed_request, 66560);
  EXPECT_EQ(CaptureError([&] { DrainAll(missing); }).code(), "signature_does_not_match");
}

TEST(S3PayloadTest, UnsignedTrailerWithOrWithoutBlankLines) {
  SignedRequest signed_request;
  signed_request.payload = PayloadMode::kStreamingUnsignedTrailer;
  std::string data =
      "10000\r\n" + std::string(65536, 'a') + "\r\n400\r\n" + std::string(1024, 'a') + "\r\n0\r\n";
  for (const std::string& ending : {std::string("x-amz-checksum-crc32c:sOO8/Q==\r\n\r\n"),  // botocore, JS v3
                                    std::string("\r\nx-amz-checksum-crc32c:sOO8/Q==\r\n"),
                                    std::string("x-amz-checksum-crc32c:sOO8/Q==")}) {
    StringReader raw(data + ending, 3000);
    ChunkedPayloadReader reader(raw, signed_request, std::nullopt);
    EXPECT_EQ(DrainAll(reader), std::string(66560, 'a'));
    ASSERT_EQ(reader.trailers().size(), 1u);
    EXPECT_NO_THROW(VerifyChecksum(
        ChecksumClaim{ChecksumAlgorithm::kCrc32c, std::nullopt, "x-amz-checksum-crc32c"},
        ComputeChecksum(ChecksumAlgorithm::kCrc32c, std::string(66560, 'a')), reader.trailers()));
  }
  StringReader truncated(data.substr(0, 1000), 3000);
  ChunkedPayloadReader short_body(truncated, signed_request, std::nullopt);
  EXPECT_EQ(CaptureError([&] { DrainAll(short_body); }).code(), "incomplete_body");
}

TEST(S3PayloadTest, ChecksumClaims) {
  http::Request request;
  EXPECT_FALSE(ChecksumClaimOf(request));

  request.headers.Add("x-amz-checksum-crc32", "yZRlqg==");
  request.headers.Add("x-amz-sdk-checksum-algorithm", "CRC32");
  auto claim = ChecksumClaimOf(request);
  ASSERT_TRUE(claim);
  EXPECT_EQ(claim->algorithm, ChecksumAlgorithm::kCrc32);
  // A body the claimed value does not match.
  std::string hello = ComputeChecksum(ChecksumAlgorithm::kCrc32, "Hello, World!");
  EXPECT_EQ(Base64Encode(hello), "7ErD0A==");
  EXPECT_EQ(CaptureError([&] { VerifyChecksum(*claim, hello, {}); }).code(), "bad_digest");
  EXPECT_NO_THROW(VerifyChecksum(*claim, *DecodeChecksum(ChecksumAlgorithm::kCrc32, "yZRlqg=="), {}));

  request.headers.Add("x-amz-checksum-sha256", "x");
  EXPECT_EQ(CaptureError([&] { ChecksumClaimOf(request); }).code(), "invalid_request");

  http::Request malformed;
  malformed.headers.Add("x-amz-checksum-crc64nvme", "yZRlqg==");  // 4 bytes, not 8
  EXPECT_EQ(CaptureError([&] { ChecksumClaimOf(malformed); }).code(), "invalid_request");

  http::Request algorithm_only;
  algorithm_only.headers.Add("x-amz-sdk-checksum-algorithm", "CRC32C");
  EXPECT_EQ(CaptureError([&] { ChecksumClaimOf(algorithm_only); }).code(), "invalid_request");

  http::Request trailer;
  trailer.headers.Add("x-amz-trailer", "X-Amz-Checksum-Sha256");
  trailer.headers.Add("x-amz-checksum-mode", "ENABLED");  // not a value
  auto trailer_claim = ChecksumClaimOf(trailer);
  ASSERT_TRUE(trailer_claim);
  EXPECT_EQ(trailer_claim->trailer, "x-amz-checksum-sha256");
  EXPECT_EQ(CaptureError([&] { VerifyChecksum(*trailer_claim, "", {}); }).code(), "invalid_request");
}

}  // namespace
}  // namespace duckstore::s3
