// S3 operation handlers, grouped by family (bucket_ops.cpp, object_ops.cpp, multipart_ops.cpp), and the
// helpers they share (s3_support.cpp). The dispatcher (s3_api.cpp) authenticates and addresses a request,
// authorizes it as its operation declares (operations.hpp), then calls one of these; they translate between
// S3's wire form and the object store and multipart services, and throw duckstore::Error that the dispatcher
// renders as S3 error documents.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "duckstore/api/http/message.hpp"
#include "duckstore/api/s3/payload.hpp"
#include "duckstore/api/s3/post_policy.hpp"
#include "duckstore/api/s3/sigv4.hpp"
#include "duckstore/services/auth/auth.hpp"
#include "duckstore/services/files/multipart.hpp"
#include "duckstore/services/files/object_store.hpp"

namespace duckstore::s3 {

struct S3Services {
  AuthService& auth;
  ObjectStore& store;
  MultipartService& multipart;
};

// A browser form upload (POST Object): its form, read up to the file, and the policy that signed it.
struct FormUpload {
  PostForm& form;
  PostPolicy policy;
};

// One authenticated S3 request and what it addresses.
struct S3Call {
  http::Request& http;
  SignedRequest signature;
  Principal principal;
  std::string bucket;  // empty: the service (ListBuckets)
  std::string key;     // empty: the bucket
  // The addressed bucket, authorized as the operation declares (operations.hpp; kObjectBucket operations).
  ObjectBucket target_bucket;
  // POST Object only: the form whose policy authenticated the caller (s3_api.cpp).
  FormUpload* form_upload = nullptr;

  bool Has(std::string_view query_name) const { return http.QueryParam(query_name) != nullptr; }
  std::string Query(std::string_view name, const std::string& fallback = "") const;
};

// Bucket family.
http::Response ListBuckets(S3Services& s3, S3Call& call);
http::Response CreateBucket(S3Services& s3, S3Call& call);
http::Response HeadBucket(S3Services& s3, S3Call& call);
http::Response DeleteBucket(S3Services& s3, S3Call& call);
http::Response GetBucketLocation(S3Services& s3, S3Call& call);
http::Response GetBucketVersioning(S3Services& s3, S3Call& call);
http::Response ListObjectVersions(S3Services& s3, S3Call& call);
http::Response ListObjects(S3Services& s3, S3Call& call, bool v2);
http::Response DeleteObjects(S3Services& s3, S3Call& call);

// CORS (bucket_cors.cpp): the bucket's configuration, and the preflight OPTIONS a browser sends before a
// cross-origin request, which carries no credentials and is answered from the bucket's rules.
http::Response PutBucketCors(S3Services& s3, S3Call& call);
http::Response GetBucketCors(S3Services& s3, S3Call& call);
http::Response DeleteBucketCors(S3Services& s3, S3Call& call);
http::Response PreflightCors(S3Services& s3, S3Call& call);
// Adds the Access-Control-* headers of `bucket`'s matching rule to the response of a request with an
// Origin header (an error included, as S3 does); nothing without a bucket, rule or Origin.
void AddBucketCorsHeaders(S3Services& s3, const std::string& bucket, const http::Request& request,
                          http::Response& response);

// Object family.
http::Response PutObject(S3Services& s3, S3Call& call);
http::Response CopyObject(S3Services& s3, S3Call& call);
http::Response GetObject(S3Services& s3, S3Call& call);  // GET and HEAD
http::Response GetObjectAttributes(S3Services& s3, S3Call& call);
http::Response DeleteObject(S3Services& s3, S3Call& call);
// POST Object, a browser form upload (post_object.cpp): the caller was authenticated by the form's signed
// policy (post_policy.hpp), in call.form_upload, instead of a request signature.
http::Response PostObject(S3Services& s3, S3Call& call);

// Multipart family.
http::Response CreateMultipartUpload(S3Services& s3, S3Call& call);
http::Response UploadPart(S3Services& s3, S3Call& call);
http::Response UploadPartCopy(S3Services& s3, S3Call& call);
http::Response CompleteMultipartUpload(S3Services& s3, S3Call& call);
http::Response AbortMultipartUpload(S3Services& s3, S3Call& call);
http::Response ListParts(S3Services& s3, S3Call& call);
http::Response ListMultipartUploads(S3Services& s3, S3Call& call);

// Shared helpers.

// The secret of an access key id: the admin key for the admin key's id ("dsadmin" of "dsadmin.<x>"), else
// the project key's token (AuthService::TokenOf); nullopt for an unknown id.
std::optional<std::string> SecretOf(S3Services& s3, const std::string& access_key_id);
// The principal of an access key id whose signature was verified with SecretOf's secret.
Principal PrincipalOf(S3Services& s3, const std::string& access_key_id);

// The version id of every object: buckets are not versioned, and S3 names the version of an object in an
// unversioned bucket "null".
inline constexpr const char* kNullVersion = "null";
// Throws invalid_argument unless `version_id` is "null" (the only version there is).
void CheckVersionId(const std::string& version_id);

// Streams the whole payload into `writer`, computing the checksum the request claims (payload.hpp) on the
// way, or `required`'s when it claims none (a part of an upload created with that algorithm); returns it
// once verified, nullopt when there is none. A claim of another algorithm than `required` is
// invalid_request, as S3 answers it.
std::optional<Checksum> StreamPayload(S3Call& call, BlobWriter& writer,
                                      std::optional<ChecksumAlgorithm> required = std::nullopt);
// A verified checksum as stored (S3's names, base64); `type` empty for a part.
StoredChecksum StoredChecksumOf(const Checksum& checksum, std::optional<ChecksumType> type);
// x-amz-checksum-<algorithm> and, when it has one, x-amz-checksum-type; nothing for an empty checksum.
void SetChecksumHeaders(http::Response& response, const StoredChecksum& checksum);
// Reads a small payload (XML requests) whole, verifying a signed SHA-256 and, with `claim_is_body`, a
// claimed checksum (CompleteMultipartUpload's x-amz-checksum-* is the object's, not the body's);
// kInvalidArgument beyond `limit`.
std::string ReadSmallPayload(S3Call& call, size_t limit, bool claim_is_body = true);
// The limit for requests whose payload is empty or only names options (CreateBucketConfiguration).
constexpr size_t kSmallPayloadBytes = size_t{64} * 1024;
// Conditional request headers (If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since, each named
// `header_prefix` + name) evaluated on `object` in RFC 7232 order. Throws kPreconditionFailed when
// If-Match or If-Unmodified-Since fails; kNotModified when If-None-Match or If-Modified-Since fails.
enum class Precondition { kHolds, kNotModified };
Precondition EvaluatePreconditions(const http::Request& request, const StoredObject& object,
                                   std::string_view header_prefix);
// The conditional write a PutObject or CompleteMultipartUpload asks for: If-None-Match (only "*" is
// supported, anything else is NotImplemented as S3 answers) and If-Match (an ETag, quoted or not, or "*").
WriteCondition WriteConditionOf(const S3Call& call);
// The (bucket, key) x-amz-copy-source names, after checking that the caller may read that bucket
// (FileAccess: the source is data-dependent).
std::pair<std::string, std::string> AuthorizedCopySource(S3Services& s3, const S3Call& call);
// The x-amz-copy-source-if-* conditions on the copy's source; every failure is kPreconditionFailed.
void CheckCopySourceConditions(const S3Call& call, const StoredObject& source);
// Content-Type and x-amz-meta-* of the request; Content-MD5 and a signed SHA-256 as expected digests.
ObjectAttributes AttributesFromRequest(const S3Call& call);
// The standard object headers (kObjectHeaderNames) that `value_of` (a lowercase name -> the request's value
// or null) finds, as the object keeps them: aws-chunked, a transfer encoding, removed from Content-Encoding
// as S3 does.
nlohmann::json StandardHeadersOf(const std::function<const std::string*(const std::string&)>& value_of);
// "Sun, 06 Nov 1994 08:49:37 GMT" of a catalog timestamp.
std::string HttpDate(const std::string& timestamp);
// ETag as S3 quotes it.
std::string QuotedEtag(const std::string& etag);
// Strips surrounding quotes (and a W/ prefix) from a client-sent ETag.
std::string UnquoteEtag(std::string_view etag);
// A partNumber parameter: an integer 1..10000, else kInvalidArgument.
int64_t PartNumberOf(const std::string& text);
// max-keys style parameter: default when absent, capped at `max`; kInvalidArgument when not a number >= 0.
int64_t IntegerParam(const S3Call& call, std::string_view name, int64_t fallback, int64_t max);
http::Response XmlResponse(int status, std::string body);

}  // namespace duckstore::s3
