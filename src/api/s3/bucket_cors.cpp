// PutBucketCors, GetBucketCors, DeleteBucketCors, the preflight OPTIONS request, and the CORS headers of
// actual cross-origin requests. The rules are parsed, matched and rendered by cors.hpp and stored with the
// bucket (ObjectStore::SetBucketCors) in their JSON form.
#include "duckstore/api/s3/cors.hpp"
#include "duckstore/api/s3/handlers.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::s3 {
namespace {

constexpr size_t kMaxCorsBody = size_t{64} * 1024;

std::optional<ObjectBucket> FindBucket(ObjectStore& store, const std::string& name) {
  try {
    return store.GetBucket(name);
  } catch (const Error& error) {
    if (error.code() != "bucket_not_found") throw;
    return std::nullopt;
  }
}

std::optional<CorsConfiguration> ConfigurationOf(const ObjectBucket& bucket) {
  if (bucket.cors.is_null()) return std::nullopt;
  return CorsFromJson(bucket.cors);
}

}  // namespace

http::Response PutBucketCors(S3Services& s3, S3Call& call) {
  CorsConfiguration configuration = ParseCorsXml(ReadSmallPayload(call, kMaxCorsBody));
  s3.store.SetBucketCors(call.bucket, CorsToJson(configuration));
  return http::Response::Empty(200);
}

http::Response GetBucketCors(S3Services& s3, S3Call& call) {
  std::optional<CorsConfiguration> configuration = ConfigurationOf(call.target_bucket);
  if (!configuration) {
    throw NotFound("cors_not_found", "The CORS configuration does not exist", {{"BucketName", call.bucket}});
  }
  return XmlResponse(200, CorsXml(*configuration));
}

http::Response DeleteBucketCors(S3Services& s3, S3Call& call) {
  ReadSmallPayload(call, kSmallPayloadBytes);
  s3.store.SetBucketCors(call.bucket, nullptr);
  return http::Response::Empty(204);
}

http::Response PreflightCors(S3Services& s3, S3Call& call) {
  std::optional<CorsConfiguration> configuration;
  // A missing bucket answers as one without rules: a preflight carries no credentials, so it must not tell
  // which buckets exist.
  if (auto bucket = FindBucket(s3.store, call.bucket)) configuration = ConfigurationOf(*bucket);
  return PreflightResponse(configuration, call.http);
}

void AddBucketCorsHeaders(S3Services& s3, const std::string& bucket, const http::Request& request,
                          http::Response& response) {
  if (bucket.empty() || !request.headers.Find("origin") || request.method == "OPTIONS") return;
  try {
    if (auto found = FindBucket(s3.store, bucket)) AddCorsHeaders(ConfigurationOf(*found), request, response);
  } catch (const std::exception&) {
    // The response stands without CORS headers: a browser then refuses to show it, as for no rule.
  }
}

}  // namespace duckstore::s3
