// AWS Signature Version 4 verification for the S3 API (docs/design/s3.md).
//
// Two ways to sign a request: the Authorization header ("AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=...", with x-amz-date and x-amz-content-sha256), or presigned query parameters (X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature). The payload is then
// either unsigned, a SHA-256 that the caller checks against the body it reads, or an aws-chunked stream
// whose chunks carry their own chained signatures (ChunkedPayloadReader).
//
// Failures throw duckstore::Error with the codes below; the S3 transport maps them to S3's error codes:
//   access_denied (no signature, expired presigned URL), invalid_access_key_id, signature_does_not_match,
//   request_time_too_skewed, authorization_header_malformed, unsupported_payload.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "duckstore/api/http/message.hpp"

namespace duckstore::s3 {

enum class PayloadMode {
  kUnsigned,         // UNSIGNED-PAYLOAD (and every presigned URL)
  kSha256,           // the body's SHA-256 was signed: `payload_sha256`
  kStreamingSigned,  // STREAMING-AWS4-HMAC-SHA256-PAYLOAD: aws-chunked, each chunk signed
  // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: as kStreamingSigned, then trailing headers (a checksum)
  // signed by x-amz-trailer-signature.
  kStreamingSignedTrailer,
  // STREAMING-UNSIGNED-PAYLOAD-TRAILER: aws-chunked without signatures, then trailing headers.
  kStreamingUnsignedTrailer,
};

// Whether the payload arrives aws-chunked (ChunkedPayloadReader decodes it).
inline bool IsAwsChunked(PayloadMode mode) {
  return mode == PayloadMode::kStreamingSigned || mode == PayloadMode::kStreamingSignedTrailer ||
         mode == PayloadMode::kStreamingUnsignedTrailer;
}

// What a verified signature establishes, and what reading the payload still needs.
struct SignedRequest {
  std::string access_key_id;
  std::string amz_date;        // ISO basic format, "20130524T000000Z"
  std::string scope;           // "<yyyymmdd>/<region>/s3/aws4_request"
  std::string signing_key;     // derived key (raw bytes), for chunk signatures
  std::string seed_signature;  // the request signature (hex), first link of the chunk chain
  PayloadMode payload = PayloadMode::kUnsigned;
  std::string payload_sha256;  // lowercase hex, for kSha256
};

// The secret of an access key id (the full API key string), nullopt when unknown.
using SecretLookup = std::function<std::optional<std::string>(const std::string& access_key_id)>;

struct SigV4Options {
  std::chrono::seconds max_skew{15 * 60};  // allowed distance between the request's date and now
};

// Verifies `request`'s signature at time `now`. Throws as described above; access_denied when the request
// carries no signature at all.
SignedRequest VerifySignature(const http::Request& request, const SecretLookup& secrets,
                              std::chrono::system_clock::time_point now, const SigV4Options& options = {});

// Building blocks, exposed for the chunk reader and tests.
std::string UriEncode(std::string_view text, bool keep_slash);
std::string DeriveSigningKey(std::string_view secret, std::string_view date, std::string_view region,
                             std::string_view service);
// "AWS4-HMAC-SHA256-PAYLOAD" string to sign of one chunk; the chunk's signature is its HMAC.
std::string ChunkStringToSign(const SignedRequest& signed_request, std::string_view previous_signature,
                              std::string_view chunk_sha256_hex);
// "AWS4-HMAC-SHA256-TRAILER" string to sign of the trailing headers ("name:value\n" each, sorted by name).
std::string TrailerStringToSign(const SignedRequest& signed_request, std::string_view previous_signature,
                                std::string_view canonical_trailers);
// Parses "20130524T000000Z"; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> ParseAmzDate(std::string_view text);

}  // namespace duckstore::s3
