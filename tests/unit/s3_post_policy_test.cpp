// Browser form uploads: multipart/form-data parsing (fields, then the file streamed in pieces) and the
// signed policy's verification (SigV4 and SigV2 signatures, conditions, expiry, extra fields).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "body_readers.hpp"
#include "duckstore/api/s3/post_form.hpp"
#include "duckstore/api/s3/post_policy.hpp"
#include "duckstore/common/checksum.hpp"
#include "duckstore/common/random.hpp"
#include "test_util.hpp"

namespace duckstore::s3 {
namespace {

using testing::CaptureError;
using testing::DrainAll;
using testing::StringReader;

constexpr const char* kKeyId = "AKIAIOSFODNN7EXAMPLE";
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr const char* kBoundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
const auto kNow = *ParseAmzDate("20151229T000000Z");

std::optional<std::string> Secrets(const std::string& id) {
  return id == kKeyId ? std::optional<std::string>(kSecret) : std::nullopt;
}

std::string Form(const std::vector<std::pair<std::string, std::string>>& fields, const std::string& file) {
  std::string body;
  for (const auto& [name, value] : fields) {
    body += std::string("--") + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + name +
            "\"\r\n\r\n" + value + "\r\n";
  }
  body += std::string("--") + kBoundary +
          "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\nContent-Type: "
          "image/jpeg\r\n\r\n" +
          file + "\r\n--" + kBoundary +
          "\r\nContent-Disposition: form-data; name=\"submit\"\r\n\r\nUpload\r\n--" + kBoundary + "--\r\n";
  return body;
}

std::string ContentType() {
  return std::string("multipart/form-data; boundary=") + kBoundary;
}

std::string PolicyOf(const std::string& conditions) {
  return Base64Encode(R"({"expiration": "2015-12-30T12:00:00.000Z", "conditions": [)" + conditions + "]}");
}

std::vector<std::pair<std::string, std::string>> SignedV4Fields(const std::string& policy) {
  std::string signature =
      HexEncode(HmacSha256(DeriveSigningKey(kSecret, "20151229", "us-east-1", "s3"), policy));
  return {{"key", "user/user1/${filename}"},
          {"x-amz-credential", std::string(kKeyId) + "/20151229/us-east-1/s3/aws4_request"},
          {"x-amz-algorithm", "AWS4-HMAC-SHA256"},
          {"x-amz-date", "20151229T000000Z"},
          {"x-amz-meta-tag", "é"},
          {"policy", policy},
          {"x-amz-signature", signature}};
}

const std::string kConditions =
    R"({"bucket": "sigv4examplebucket"}, ["starts-with", "$key", "user/user1/"],
       {"x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},
       {"x-amz-algorithm": "AWS4-HMAC-SHA256"}, {"x-amz-date": "20151229T000000Z"},
       ["starts-with", "$x-amz-meta-tag", ""], ["content-length-range", 1, 100000])";

TEST(S3PostFormTest, FieldsThenTheStreamedFile) {
  std::string file(300000, 'x');
  file.replace(1000, 20, "\r\n--" + std::string(kBoundary).substr(0, 10));  // a near-delimiter inside
  for (size_t piece : {7, 4096, 1 << 20}) {
    StringReader raw(Form({{"key", "a/${filename}"}, {"Content-Type", "text/plain"}}, file), piece);
    PostForm form(raw, ContentType());
    EXPECT_EQ(*form.Field("KEY"), "a/${filename}");
    EXPECT_EQ(*form.Field("content-type"), "text/plain");
    EXPECT_EQ(form.filename(), "photo.jpg");
    EXPECT_EQ(DrainAll(form), file);
  }
  StringReader no_file(std::string("--") + kBoundary +
                           "\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--" + kBoundary +
                           "--\r\n",
                       100);
  EXPECT_EQ(CaptureError([&] { PostForm form(no_file, ContentType()); }).code(), "malformed_post_request");
  StringReader anything(Form({}, "x"), 100);
  EXPECT_EQ(CaptureError([&] { PostForm form(anything, "text/plain"); }).code(), "malformed_post_request");
}

TEST(S3PostPolicyTest, SigV4PolicyHolds) {
  std::string policy = PolicyOf(kConditions);
  StringReader raw(Form(SignedV4Fields(policy), "hello"), 1000);
  PostForm form(raw, ContentType());
  PostPolicy verified = VerifyPostPolicy(form, "sigv4examplebucket", Secrets, kNow);
  EXPECT_EQ(verified.access_key_id, kKeyId);
  EXPECT_EQ(verified.min_length, 1);
  EXPECT_EQ(verified.max_length, 100000);
  EXPECT_NO_THROW(CheckPostLength(verified, 5));
  EXPECT_EQ(CaptureError([&] { CheckPostLength(verified, 100001); }).code(), "entity_too_large");
  EXPECT_EQ(CaptureError([&] { CheckPostLength(verified, 0); }).code(), "entity_too_small");
  // Another bucket, after the expiration, with a tampered signature.
  EXPECT_EQ(CaptureError([&] { VerifyPostPolicy(form, "other", Secrets, kNow); }).code(), "access_denied");
  EXPECT_EQ(CaptureError([&] {
              VerifyPostPolicy(form, "sigv4examplebucket", Secrets, kNow + std::chrono::hours(48));
            }).code(),
            "access_denied");
  auto fields = SignedV4Fields(policy);
  fields.back().second[0] = fields.back().second[0] == '0' ? '1' : '0';
  StringReader tampered(Form(fields, "hello"), 1000);
  PostForm tampered_form(tampered, ContentType());
  EXPECT_EQ(
      CaptureError([&] { VerifyPostPolicy(tampered_form, "sigv4examplebucket", Secrets, kNow); }).code(),
      "signature_does_not_match");
}

TEST(S3PostPolicyTest, ConditionsAndExtraFields) {
  std::string policy = PolicyOf(R"({"bucket": "b"}, ["starts-with", "$key", "user/user2/"])");
  auto fields = SignedV4Fields(policy);
  StringReader raw(Form(fields, "x"), 1000);
  PostForm form(raw, ContentType());
  Error wrong_key = CaptureError([&] { VerifyPostPolicy(form, "b", Secrets, kNow); });
  EXPECT_EQ(wrong_key.code(), "access_denied");
  EXPECT_NE(std::string(wrong_key.what()).find("Policy Condition failed"), std::string::npos);

  std::string lax = PolicyOf(R"({"bucket": "b"}, ["starts-with", "$key", ""])");
  StringReader extra(Form(SignedV4Fields(lax), "x"), 1000);
  PostForm extra_form(extra, ContentType());
  Error extra_fields = CaptureError([&] { VerifyPostPolicy(extra_form, "b", Secrets, kNow); });
  EXPECT_NE(std::string(extra_fields.what()).find("Extra input fields"), std::string::npos);
}

TEST(S3PostPolicyTest, SigV2Policy) {
  std::string policy = PolicyOf(R"({"bucket": "b"}, ["eq", "$key", "k"])");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha1(), kSecret, static_cast<int>(strlen(kSecret)),
       reinterpret_cast<const unsigned char*>(policy.data()), policy.size(), digest, &length);
  std::string signature = Base64Encode(std::string_view(reinterpret_cast<char*>(digest), length));
  StringReader raw(
      Form({{"key", "k"}, {"AWSAccessKeyId", kKeyId}, {"policy", policy}, {"signature", signature}}, "x"),
      1000);
  PostForm form(raw, ContentType());
  EXPECT_EQ(VerifyPostPolicy(form, "b", Secrets, kNow).access_key_id, kKeyId);
}

}  // namespace
}  // namespace duckstore::s3
