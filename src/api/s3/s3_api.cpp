#include "duckstore/api/s3/s3_api.hpp"

#include <spdlog/spdlog.h>

#include "duckstore/api/s3/s3_errors.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::s3 {
namespace {

constexpr size_t kMaxKeyBytes = 1024;

// The admin key "<id>.<secret>" signs as access key id "<id>" (the generated key's id is "dsadmin").
std::optional<std::string> AdminAccessKeyId(const std::string& admin_key) {
  size_t dot = admin_key.find('.');
  if (dot == std::string::npos || dot == 0) return std::nullopt;
  return admin_key.substr(0, dot);
}

// Names the request's operation for the request metrics (a request refused before one is resolved keeps
// the door's name, "s3"), then serves it.
http::Response Run(const char* operation, http::Response (*handler)(S3Services&, S3Call&), S3Services& s3,
                   S3Call& call) {
  call.http.operation = operation;
  return handler(s3, call);
}

http::Response Route(S3Services& s3, S3Call& call) {
  const std::string& method = call.http.method;
  if (call.bucket.empty()) {
    if (method == "GET") return Run("ListBuckets", ListBuckets, s3, call);
    throw Error(ErrorKind::kInvalidArgument, "method_not_allowed",
                "the specified method is not allowed against this resource");
  }
  if (call.key.empty()) {
    if (method == "PUT") {
      if (!call.http.query.empty())
        throw Error(ErrorKind::kUnimplemented, "not_implemented",
                    "this bucket configuration is not supported");
      return Run("CreateBucket", CreateBucket, s3, call);
    }
    if (method == "HEAD") return Run("HeadBucket", HeadBucket, s3, call);
    if (method == "DELETE") {
      if (!call.http.query.empty())
        throw Error(ErrorKind::kUnimplemented, "not_implemented",
                    "this bucket configuration is not supported");
      return Run("DeleteBucket", DeleteBucket, s3, call);
    }
    if (method == "POST" && call.Has("delete")) return Run("DeleteObjects", DeleteObjects, s3, call);
    if (method == "GET") {
      if (call.Has("uploads")) return Run("ListMultipartUploads", ListMultipartUploads, s3, call);
      if (call.Has("location")) return Run("GetBucketLocation", GetBucketLocation, s3, call);
      if (call.Query("list-type") == "2") {
        call.http.operation = "ListObjectsV2";
        return ListObjects(s3, call, /*v2=*/true);
      }
      for (const char* unsupported : {"acl",
                                      "policy",
                                      "cors",
                                      "lifecycle",
                                      "tagging",
                                      "versioning",
                                      "versions",
                                      "website",
                                      "logging",
                                      "notification",
                                      "replication",
                                      "encryption",
                                      "object-lock",
                                      "ownershipControls",
                                      "publicAccessBlock",
                                      "accelerate",
                                      "requestPayment",
                                      "analytics",
                                      "inventory",
                                      "metrics",
                                      "intelligent-tiering"}) {
        if (call.Has(unsupported)) {
          throw Error(ErrorKind::kUnimplemented, "not_implemented",
                      std::string("the bucket subresource '") + unsupported + "' is not supported");
        }
      }
      call.http.operation = "ListObjects";
      return ListObjects(s3, call, /*v2=*/false);
    }
    throw Error(ErrorKind::kInvalidArgument, "method_not_allowed",
                "the specified method is not allowed against this resource");
  }
  if (call.key.size() > kMaxKeyBytes) {
    throw InvalidArgument("invalid_object_key", "your key is too long (at most 1024 bytes)");
  }
  for (const char* unsupported :
       {"acl", "tagging", "retention", "legal-hold", "torrent", "restore", "select", "attributes"}) {
    if (call.Has(unsupported)) {
      throw Error(ErrorKind::kUnimplemented, "not_implemented",
                  std::string("the object subresource '") + unsupported + "' is not supported");
    }
  }
  if (method == "PUT") {
    if (call.Has("uploadId"))
      return call.http.headers.Find("x-amz-copy-source") ? Run("UploadPartCopy", UploadPartCopy, s3, call)
                                                         : Run("UploadPart", UploadPart, s3, call);
    if (call.http.headers.Find("x-amz-copy-source")) return Run("CopyObject", CopyObject, s3, call);
    return Run("PutObject", PutObject, s3, call);
  }
  if (method == "GET")
    return call.Has("uploadId") ? Run("ListParts", ListParts, s3, call)
                                : Run("GetObject", GetObject, s3, call);
  if (method == "HEAD") return Run("HeadObject", GetObject, s3, call);
  if (method == "DELETE")
    return call.Has("uploadId") ? Run("AbortMultipartUpload", AbortMultipartUpload, s3, call)
                                : Run("DeleteObject", DeleteObject, s3, call);
  if (method == "POST") {
    if (call.Has("uploads")) return Run("CreateMultipartUpload", CreateMultipartUpload, s3, call);
    if (call.Has("uploadId")) return Run("CompleteMultipartUpload", CompleteMultipartUpload, s3, call);
  }
  throw Error(ErrorKind::kInvalidArgument, "method_not_allowed",
              "the specified method is not allowed against this resource");
}

// Serves one S3 request: `host_bucket` is the bucket named by the Host header (virtual-host style), else
// `path` is "/<bucket>/<key>".
http::Response Serve(S3Services& s3, const S3Options& options, http::Request& request,
                     const std::optional<std::string>& host_bucket, std::string_view path) {
  http::Response response;
  try {
    std::optional<std::string> secret_used;
    SecretLookup secrets = [&](const std::string& access_key_id) -> std::optional<std::string> {
      auto admin_id = AdminAccessKeyId(s3.auth.admin_key());
      secret_used =
          admin_id && *admin_id == access_key_id ? s3.auth.admin_key() : s3.auth.TokenOf(access_key_id);
      return secret_used;
    };
    SignedRequest signature =
        VerifySignature(request, secrets, std::chrono::system_clock::now(), {options.max_skew});
    Principal principal = s3.auth.Authenticate(*secret_used);
    if (!principal.admin && !principal.key) throw Internal("principal without a key");

    S3Call call{request, std::move(signature), std::move(principal), "", ""};
    if (path.starts_with("/")) path.remove_prefix(1);
    if (host_bucket) {
      call.bucket = *host_bucket;
      call.key = std::string(path);
    } else {
      size_t slash = path.find('/');
      call.bucket = std::string(path.substr(0, slash));
      if (slash != std::string_view::npos) call.key = std::string(path.substr(slash + 1));
    }
    response = Route(s3, call);
  } catch (const std::exception& e) {
    response = RenderS3Error(request, e);
  }
  response.headers.Set("x-amz-request-id", request.request_id);
  return response;
}

}  // namespace

std::optional<std::string> BucketFromHost(std::string_view host, std::string_view domain) {
  if (domain.empty()) return std::nullopt;
  if (!host.empty() && host.front() != '[') {
    size_t colon = host.rfind(':');
    if (colon != std::string_view::npos) host = host.substr(0, colon);
  }
  auto lower = [](std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  std::string h = lower(host), d = lower(domain);
  if (h == d) return std::string();
  if (h.size() > d.size() + 1 && h.ends_with(d) && h[h.size() - d.size() - 1] == '.') {
    return h.substr(0, h.size() - d.size() - 1);
  }
  return std::nullopt;
}

void AddS3Routes(http::Router& router, S3Services services, S3Options options) {
  http::RouteOptions streamed{.stream_body = true, .door = "s3"};
  router.AddPrefix(
      options.path_prefix,
      [services, options](http::Request& request) mutable {
        std::string_view path(request.path);
        path.remove_prefix(options.path_prefix.size());
        return Serve(services, options, request, std::nullopt, path);
      },
      streamed);
  std::string domain = options.domain;
  router.AddHost([domain](std::string_view host) { return BucketFromHost(host, domain).has_value(); },
                 [services, options](http::Request& request) mutable {
                   auto bucket = BucketFromHost(request.headers.Get("host"), options.domain);
                   std::optional<std::string> host_bucket;
                   if (bucket && !bucket->empty()) host_bucket = *bucket;
                   return Serve(services, options, request, host_bucket, request.path);
                 },
                 streamed);
}

}  // namespace duckstore::s3
