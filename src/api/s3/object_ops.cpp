// PutObject, CopyObject, GetObject / HeadObject (ranges, conditional requests), DeleteObject.
#include <boost/url/pct_string_view.hpp>
#include <ctime>

#include "duckstore/api/http/range.hpp"
#include "duckstore/api/s3/handlers.hpp"
#include "duckstore/api/s3/xml.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::s3 {
namespace {

std::optional<int64_t> ParseHttpDate(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

bool EtagMatches(const std::string& header, const std::string& etag) {
  size_t start = 0;
  while (start <= header.size()) {
    size_t comma = header.find(',', start);
    std::string candidate = UnquoteEtag(std::string_view(header).substr(
        start, comma == std::string::npos ? std::string::npos : comma - start));
    if (candidate == "*" || candidate == etag) return true;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return false;
}

// RFC 7232 order: If-Match, If-Unmodified-Since (without If-Match), If-None-Match, If-Modified-Since
// (without If-None-Match). Returns 304 when the client's copy is current; throws 412 on failed preconditions.
std::optional<int> CheckConditions(const http::Request& request, const StoredObject& object) {
  int64_t modified = TimestampToUnixSeconds(object.created_at);
  auto failed = [] {
    return Error(ErrorKind::kPreconditionFailed, "precondition_failed",
                 "at least one of the preconditions you specified did not hold", {{"Condition", "If-Match"}});
  };
  const std::string* if_match = request.headers.Find("if-match");
  if (if_match && !EtagMatches(*if_match, object.etag)) throw failed();
  if (!if_match) {
    if (const std::string* since = request.headers.Find("if-unmodified-since")) {
      auto at = ParseHttpDate(*since);
      if (at && modified > *at) throw failed();
    }
  }
  const std::string* if_none_match = request.headers.Find("if-none-match");
  if (if_none_match && EtagMatches(*if_none_match, object.etag)) return 304;
  if (!if_none_match) {
    if (const std::string* since = request.headers.Find("if-modified-since")) {
      auto at = ParseHttpDate(*since);
      if (at && modified <= *at) return 304;
    }
  }
  return std::nullopt;
}

void SetObjectHeaders(http::Response& response, const StoredObject& object) {
  response.headers.Set("etag", QuotedEtag(object.etag));
  response.headers.Set("last-modified", HttpDate(object.created_at));
  for (const auto& [name, value] : object.metadata.items()) {
    if (value.is_string()) response.headers.Set("x-amz-meta-" + name, value.get<std::string>());
  }
}

// "/bucket/key" or "bucket/key", percent-encoded, optionally "?versionId=...".
std::pair<std::string, std::string> ParseCopySource(const std::string& header) {
  std::string source = header.substr(0, header.find('?'));
  auto encoded = boost::urls::make_pct_string_view(source);
  if (!encoded) throw InvalidArgument("invalid_argument", "x-amz-copy-source is not valid percent-encoding");
  std::string decoded = encoded->decode();
  if (decoded.starts_with("/")) decoded.erase(0, 1);
  size_t slash = decoded.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == decoded.size()) {
    throw InvalidArgument("invalid_argument", "x-amz-copy-source must be <bucket>/<key>",
                          {{"ArgumentName", "x-amz-copy-source"}});
  }
  return {decoded.substr(0, slash), decoded.substr(slash + 1)};
}

}  // namespace

http::Response PutObject(S3Services& s3, S3Call& call) {
  ObjectBucket bucket = AuthorizedBucket(s3, call, Access::kWrite);
  ObjectAttributes attributes = AttributesFromRequest(call);
  auto writer = s3.store.OpenWriter(bucket);
  StreamPayload(call, *writer);
  StoredObject object = s3.store.CommitWrite(*writer, bucket, call.key, attributes);
  http::Response response = http::Response::Empty(200);
  response.headers.Set("etag", QuotedEtag(object.etag));
  return response;
}

http::Response CopyObject(S3Services& s3, S3Call& call) {
  ObjectBucket target = AuthorizedBucket(s3, call, Access::kWrite);
  auto [source_bucket_name, source_key] = ParseCopySource(call.http.headers.Get("x-amz-copy-source"));
  ObjectBucket source_bucket = s3.store.GetBucket(source_bucket_name);
  s3.store.AuthorizeBucket(s3.auth, call.principal, source_bucket, Access::kRead);
  // The copy request has no payload of its own, but a signed one must still be what was signed.
  ReadSmallPayload(call, 64 * 1024);

  std::string directive = call.http.headers.Get("x-amz-metadata-directive", "COPY");
  if (directive != "COPY" && directive != "REPLACE") {
    throw InvalidArgument("invalid_argument", "unknown metadata directive",
                          {{"ArgumentName", "x-amz-metadata-directive"}, {"ArgumentValue", directive}});
  }
  if (directive == "COPY" && source_bucket_name == call.bucket && source_key == call.key) {
    throw InvalidArgument("invalid_request",
                          "this copy request is illegal because it is trying to copy an object to itself "
                          "without changing the object's metadata");
  }
  StoredObject source = s3.store.Get(source_bucket_name, source_key);
  if (const std::string* if_match = call.http.headers.Find("x-amz-copy-source-if-match")) {
    if (!EtagMatches(*if_match, source.etag)) {
      throw Error(ErrorKind::kPreconditionFailed, "precondition_failed",
                  "x-amz-copy-source-if-match did not hold");
    }
  }
  if (const std::string* if_none = call.http.headers.Find("x-amz-copy-source-if-none-match")) {
    if (EtagMatches(*if_none, source.etag)) {
      throw Error(ErrorKind::kPreconditionFailed, "precondition_failed",
                  "x-amz-copy-source-if-none-match did not hold");
    }
  }
  std::optional<ObjectAttributes> attributes;
  if (directive == "REPLACE") {
    attributes = AttributesFromRequest(call);
    attributes->expected_md5.reset();
    attributes->expected_sha256.reset();
  }
  StoredObject copy = s3.store.Copy(source_bucket_name, source_key, target, call.key, attributes);
  XmlWriter xml("CopyObjectResult");
  xml.Element("LastModified", copy.created_at).Element("ETag", QuotedEtag(copy.etag));
  return XmlResponse(200, xml.Finish());
}

http::Response GetObject(S3Services& s3, S3Call& call) {
  AuthorizedBucket(s3, call, Access::kRead);
  bool head = call.http.method == "HEAD";
  StoredObject object = s3.store.Get(call.bucket, call.key);
  http::Response response;
  SetObjectHeaders(response, object);
  response.headers.Set("accept-ranges", "bytes");
  if (auto status = CheckConditions(call.http, object)) {
    response.status = *status;
    return response;
  }
  response.headers.Set("content-type", call.Query("response-content-type", object.content_type));
  for (const char* name :
       {"content-disposition", "content-encoding", "content-language", "cache-control", "expires"}) {
    std::string param = std::string("response-") + name;
    if (call.Has(param)) response.headers.Set(name, call.Query(param));
  }
  uint64_t size = static_cast<uint64_t>(object.size);
  http::ByteRange range{0, size};
  response.status = 200;
  if (const std::string* header = call.http.headers.Find("range")) {
    try {
      if (auto parsed = http::ParseRange(*header, size)) {
        range = *parsed;
        response.status = 206;
        response.headers.Set("content-range", range.ContentRange(size));
      }
    } catch (const Error&) {
      if (!head) throw;
      response.status = 416;
      response.headers.Set("content-range", "bytes */" + std::to_string(size));
      return response;
    }
  }
  if (head) {
    response.headers.Set("content-length", std::to_string(range.length));
    response.omit_body = true;
    return response;
  }
  try {
    response.file = http::FileBody::Open(object.blob, range.offset, range.length);
  } catch (const Error& e) {
    // An overwrite or delete between the lookup and the open unlinked the blob: answer for the object as
    // it is now.
    if (e.code() != "blob_missing") throw;
    return GetObject(s3, call);
  }
  return response;
}

http::Response DeleteObject(S3Services& s3, S3Call& call) {
  AuthorizedBucket(s3, call, Access::kWrite);
  s3.store.Delete(call.bucket, call.key);
  return http::Response::Empty(204);
}

}  // namespace duckstore::s3
