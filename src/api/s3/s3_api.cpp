#include "duckstore/api/s3/s3_api.hpp"

#include <spdlog/spdlog.h>

#include "duckstore/api/s3/operations.hpp"
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

// The operation a request asks for (or the error it gets when it asks for none we serve).
S3Op Route(const S3Call& call) {
  const std::string& method = call.http.method;
  if (call.bucket.empty()) {
    if (method == "GET") return S3Op::kListBuckets;
    throw Error(ErrorKind::kInvalidArgument, "method_not_allowed",
                "the specified method is not allowed against this resource");
  }
  if (call.key.empty()) {
    if (method == "PUT") {
      if (!call.http.query.empty())
        throw Error(ErrorKind::kUnimplemented, "not_implemented",
                    "this bucket configuration is not supported");
      return S3Op::kCreateBucket;
    }
    if (method == "HEAD") return S3Op::kHeadBucket;
    if (method == "DELETE") {
      if (!call.http.query.empty())
        throw Error(ErrorKind::kUnimplemented, "not_implemented",
                    "this bucket configuration is not supported");
      return S3Op::kDeleteBucket;
    }
    if (method == "POST" && call.Has("delete")) return S3Op::kDeleteObjects;
    if (method == "GET") {
      if (call.Has("uploads")) return S3Op::kListMultipartUploads;
      if (call.Has("location")) return S3Op::kGetBucketLocation;
      if (call.Query("list-type") == "2") return S3Op::kListObjectsV2;
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
      return S3Op::kListObjects;
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
      return call.http.headers.Find("x-amz-copy-source") ? S3Op::kUploadPartCopy : S3Op::kUploadPart;
    if (call.http.headers.Find("x-amz-copy-source")) return S3Op::kCopyObject;
    return S3Op::kPutObject;
  }
  if (method == "GET") return call.Has("uploadId") ? S3Op::kListParts : S3Op::kGetObject;
  if (method == "HEAD") return S3Op::kHeadObject;
  if (method == "DELETE") return call.Has("uploadId") ? S3Op::kAbortMultipartUpload : S3Op::kDeleteObject;
  if (method == "POST") {
    if (call.Has("uploads")) return S3Op::kCreateMultipartUpload;
    if (call.Has("uploadId")) return S3Op::kCompleteMultipartUpload;
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

    S3Call call{request, std::move(signature), std::move(principal), "", "", {}};
    if (path.starts_with("/")) path.remove_prefix(1);
    if (host_bucket) {
      call.bucket = *host_bucket;
      call.key = std::string(path);
    } else {
      size_t slash = path.find('/');
      call.bucket = std::string(path.substr(0, slash));
      if (slash != std::string_view::npos) call.key = std::string(path.substr(slash + 1));
    }
    response = RunAuthorized(s3, S3OperationOf(Route(call)), call);
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
  http::RouteOptions streamed{.stream_body = true};
  // S3 authenticates itself (SigV4) and authorizes each operation as operations.cpp declares it.
  auto delegated = [](const char* style) {
    return EntryPoint{"s3", style, Credentials::kDelegated, Access::kRead, TargetFrom::kNone};
  };
  router.AddPrefix(
      options.path_prefix, delegated("path style"),
      [services, options](http::Request& request) mutable {
        std::string_view path(request.path);
        path.remove_prefix(options.path_prefix.size());
        return Serve(services, options, request, std::nullopt, path);
      },
      streamed);
  std::string domain = options.domain;
  router.AddHost([domain](std::string_view host) { return BucketFromHost(host, domain).has_value(); },
                 delegated("virtual host style"),
                 [services, options](http::Request& request) mutable {
                   auto bucket = BucketFromHost(request.headers.Get("host"), options.domain);
                   std::optional<std::string> host_bucket;
                   if (bucket && !bucket->empty()) host_bucket = *bucket;
                   return Serve(services, options, request, host_bucket, request.path);
                 },
                 streamed);
}

}  // namespace duckstore::s3
