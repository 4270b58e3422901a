// AWS Signature Version 2 verification for the S3 API (docs/design/s3.md), with the same keys, expiry
// limits and error codes as SigV4 (sigv4.hpp). Debian's aws-cli and boto3 presign with it by default.
//
// Two ways to sign a request: the Authorization header ("AWS <access key id>:<signature>", with a Date or
// x-amz-date header within the allowed clock skew), or presigned query parameters (AWSAccessKeyId,
// Expires as Unix seconds, Signature). The signature is base64(HMAC-SHA1(secret, string to sign)):
//   <method>\n<Content-MD5>\n<Content-Type>\n<Date, empty with x-amz-date, Expires when presigned>\n
//   <x-amz-* headers: "name:value\n" each, lower-cased, sorted, repeated values joined by ",">
//   <resource: "/<bucket>/<key>" as sent (without the API's path prefix: clients sign S3's own resource,
//    whatever base path their endpoint has) + the S3 subresources of the query (acl, uploadId, partNumber,
//    response-* ...), sorted, decoded, "?a&b=c">
// The payload is not signed (PayloadMode::kUnsigned); Content-MD5, when sent, is signed and checked
// against the body by the object store.
#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "duckstore/api/http/message.hpp"
#include "duckstore/api/s3/sigv4.hpp"

namespace duckstore::s3 {

// True when `request` is signed with SigV2 (header "AWS ..." or the AWSAccessKeyId query parameter).
bool IsSigV2(const http::Request& request);

// Verifies a SigV2 `request` at `now`. `resource_paths`: the resource paths ("/<bucket>/<key>", raw) the
// signature may cover; the first is S3's, others are accepted for clients that sign their endpoint's
// path too. Throws as VerifySignature does.
SignedRequest VerifySignatureV2(const http::Request& request, const std::vector<std::string>& resource_paths,
                                const SecretLookup& secrets, std::chrono::system_clock::time_point now,
                                const SigV4Options& options = {});

// base64(HMAC-SHA1(key, data)): SigV2 signatures of requests and of POST policies.
std::string HmacSha1Base64(std::string_view key, std::string_view data);

// The string to sign of `request` for `resource_path`, exposed for tests.
std::string StringToSignV2(const http::Request& request, std::string_view resource_path,
                           std::string_view date);

}  // namespace duckstore::s3
