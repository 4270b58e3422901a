#include "duckstore/api/s3/s3_api.hpp"

#include <spdlog/spdlog.h>

#include "duckstore/api/s3/operations.hpp"
#include "duckstore/api/s3/post_form.hpp"
#include "duckstore/api/s3/s3_errors.hpp"
#include "duckstore/api/s3/sigv2.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::s3 {
namespace {

constexpr size_t kMaxKeyBytes = 1024;

// The operation a request asks for (or the error it gets when it asks for none we serve).
S3Op Route(const S3Call& call) {
  const std::string& method = call.http.method;
  if (call.bucket.empty()) {
    if (method == "GET") return S3Op::kListBuckets;
    throw Error(ErrorKind::kInvalidArgument, "method_not_allowed",
                "the specified method is not allowed against this resource");
  }
  if (call.key.empty() && call.Has("cors")) {
    if (method == "PUT") return S3Op::kPutBucketCors;
    if (method == "GET") return S3Op::kGetBucketCors;
    if (method == "DELETE") return S3Op::kDeleteBucketCors;
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
      if (call.Has("versioning")) return S3Op::kGetBucketVersioning;
      if (call.Has("versions")) return S3Op::kListObjectVersions;
      if (call.Query("list-type") == "2") return S3Op::kListObjectsV2;
      for (const char* unsupported :
           {"acl", "policy", "lifecycle", "tagging", "website", "logging", "notification", "replication",
            "encryption", "object-lock", "ownershipControls", "publicAccessBlock", "accelerate",
            "requestPayment", "analytics", "inventory", "metrics", "intelligent-tiering"}) {
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
       {"acl", "tagging", "retention", "legal-hold", "torrent", "restore", "select"}) {
    if (call.Has(unsupported)) {
      throw Error(ErrorKind::kUnimplemented, "not_implemented",
                  std::string("the object subresource '") + unsupported + "' is not supported");
    }
  }
  // Every object is its own single version, "null" (bucket_ops.cpp).
  if (call.Has("versionId")) CheckVersionId(call.Query("versionId"));
  if (method == "PUT") {
    if (call.Has("uploadId"))
      return call.http.headers.Find("x-amz-copy-source") ? S3Op::kUploadPartCopy : S3Op::kUploadPart;
    if (call.http.headers.Find("x-amz-copy-source")) return S3Op::kCopyObject;
    return S3Op::kPutObject;
  }
  if (method == "GET") {
    if (call.Has("uploadId")) return S3Op::kListParts;
    if (call.Has("attributes")) return S3Op::kGetObjectAttributes;
    return S3Op::kGetObject;
  }
  if (method == "HEAD") return S3Op::kHeadObject;
  if (method == "DELETE") return call.Has("uploadId") ? S3Op::kAbortMultipartUpload : S3Op::kDeleteObject;
  if (method == "POST") {
    if (call.Has("uploads")) return S3Op::kCreateMultipartUpload;
    if (call.Has("uploadId")) return S3Op::kCompleteMultipartUpload;
  }
  throw Error(ErrorKind::kInvalidArgument, "method_not_allowed",
              "the specified method is not allowed against this resource");
}

// The resources a SigV2 signature may cover: S3's "/<bucket>/<key>" as sent ("/<bucket>/" for the bucket
// itself), then the full path as sent.
std::vector<std::string> ResourcePathsV2(const http::Request& request,
                                         const std::optional<std::string>& host_bucket,
                                         std::string_view raw_path, bool bucket_only) {
  std::string resource = host_bucket ? "/" + *host_bucket + std::string(raw_path) : std::string(raw_path);
  if (resource.empty() || (bucket_only && !resource.ends_with("/"))) resource += "/";
  std::vector<std::string> paths{resource};
  if (request.raw_path != resource) paths.push_back(request.raw_path);
  return paths;
}

// A browser form upload (POST Object): a POST to a bucket with a multipart/form-data body.
bool IsFormUpload(const http::Request& request, const std::string& bucket, const std::string& key) {
  std::string type = request.headers.Get("content-type");
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return request.method == "POST" && !bucket.empty() && key.empty() &&
         type.starts_with("multipart/form-data");
}

// Serves a POST Object request to `bucket`: reads the form up to its file, verifies its policy (signature
// and conditions), and runs PostObject as the signer of the policy, authorized as declared.
http::Response ServeFormUpload(S3Services& s3, http::Request& request, const std::string& bucket,
                               const SecretLookup& secrets, std::chrono::system_clock::time_point now) {
  if (!request.body_reader) throw Internal("S3 routes must stream their bodies");
  PostForm form(*request.body_reader, request.headers.Get("content-type"));
  FormUpload upload{form, VerifyPostPolicy(form, bucket, secrets, now)};
  SignedRequest signature;
  signature.access_key_id = upload.policy.access_key_id;
  Principal principal = PrincipalOf(s3, upload.policy.access_key_id);
  S3Call call{request, std::move(signature), std::move(principal), bucket, form.ObjectKey(), {}, &upload};
  const S3Operation& operation = S3OperationOf(S3Op::kPostObject);
  request.operation = operation.entry.operation;  // for the request metrics, as in Serve
  return RunAuthorized(s3, operation, call);
}

// Serves one S3 request: `host_bucket` is the bucket named by the Host header (virtual-host style), else
// `path` is "/<bucket>/<key>".
// `raw_path` is the request's path as sent, without the API's prefix.
http::Response Serve(S3Services& s3, const S3Options& options, http::Request& request,
                     const std::optional<std::string>& host_bucket, std::string_view path,
                     std::string_view raw_path) {
  http::Response response;
  std::string bucket_name;  // for the CORS headers of the answer, whatever it is
  try {
    std::string bucket, key;
    if (path.starts_with("/")) path.remove_prefix(1);
    if (host_bucket) {
      bucket = *host_bucket;
      key = std::string(path);
    } else {
      size_t slash = path.find('/');
      bucket = std::string(path.substr(0, slash));
      if (slash != std::string_view::npos) key = std::string(path.substr(slash + 1));
    }
    bucket_name = bucket;
    SecretLookup secrets = [&](const std::string& access_key_id) { return SecretOf(s3, access_key_id); };
    auto now = std::chrono::system_clock::now();
    if (request.method == "OPTIONS" && !bucket.empty()) {
      // A CORS preflight carries no credentials (operations.cpp declares it so).
      S3Call call{request, {}, {}, bucket, key, {}, nullptr};
      const S3Operation& operation = S3OperationOf(S3Op::kPreflightCors);
      request.operation = operation.entry.operation;
      response = RunAuthorized(s3, operation, call);
    } else if (IsFormUpload(request, bucket, key)) {
      // Authenticated by the form's signed policy, not by a request signature.
      response = ServeFormUpload(s3, request, bucket, secrets, now);
    } else {
      SignedRequest signature =
          IsSigV2(request)
              ? VerifySignatureV2(request, ResourcePathsV2(request, host_bucket, raw_path, key.empty()),
                                  secrets, now, {options.max_skew})
              : VerifySignature(request, secrets, now, {options.max_skew});
      Principal principal = PrincipalOf(s3, signature.access_key_id);
      S3Call call{request, std::move(signature), std::move(principal), std::move(bucket), std::move(key), {},
                  nullptr};
      const S3Operation& operation = S3OperationOf(Route(call));
      // The request metrics count it under its S3 action (a request refused before here stays "s3").
      request.operation = operation.entry.operation;
      response = RunAuthorized(s3, operation, call);
    }
  } catch (const std::exception& e) {
    response = RenderS3Error(request, e);
  }
  AddBucketCorsHeaders(s3, bucket_name, request, response);
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

void AddS3Routes(http::Router& router, S3Services services, const S3Options& options) {
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
        std::string_view raw_path(request.raw_path);
        raw_path.remove_prefix(std::min(raw_path.size(), options.path_prefix.size()));
        return Serve(services, options, request, std::nullopt, path, raw_path);
      },
      streamed);
  std::string domain = options.domain;
  router.AddHost([domain](std::string_view host) { return BucketFromHost(host, domain).has_value(); },
                 delegated("virtual host style"),
                 [services, options](http::Request& request) mutable {
                   auto bucket = BucketFromHost(request.headers.Get("host"), options.domain);
                   std::optional<std::string> host_bucket;
                   if (bucket && !bucket->empty()) host_bucket = *bucket;
                   return Serve(services, options, request, host_bucket, request.path, request.raw_path);
                 },
                 streamed);
}

}  // namespace duckstore::s3
