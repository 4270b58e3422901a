#include "duckstore/api/s3/s3_errors.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <unordered_map>

#include "duckstore/api/s3/xml.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::s3 {
namespace {

// duckstore codes with an S3 counterpart of their own.
const std::unordered_map<std::string, S3ErrorCode>& CodeTable() {
  static const std::unordered_map<std::string, S3ErrorCode> table = {
      {"access_denied", {"AccessDenied", 403}},
      {"forbidden", {"AccessDenied", 403}},
      {"unauthorized", {"InvalidAccessKeyId", 403}},
      {"invalid_access_key_id", {"InvalidAccessKeyId", 403}},
      {"signature_does_not_match", {"SignatureDoesNotMatch", 403}},
      {"request_time_too_skewed", {"RequestTimeTooSkewed", 403}},
      {"authorization_header_malformed", {"AuthorizationHeaderMalformed", 400}},
      {"missing_content_sha256", {"InvalidRequest", 400}},
      {"unsupported_payload", {"NotImplemented", 501}},
      {"content_sha256_mismatch", {"XAmzContentSHA256Mismatch", 400}},
      {"bad_digest", {"BadDigest", 400}},
      {"invalid_digest", {"InvalidDigest", 400}},
      {"invalid_chunk", {"InvalidRequest", 400}},
      {"incomplete_body", {"IncompleteBody", 400}},
      {"missing_content_length", {"MissingContentLength", 411}},
      {"body_read_failed", {"IncompleteBody", 400}},
      {"body_read_timeout", {"RequestTimeout", 400}},
      {"bucket_not_found", {"NoSuchBucket", 404}},
      {"object_not_found", {"NoSuchKey", 404}},
      {"upload_not_found", {"NoSuchUpload", 404}},
      {"bucket_exists", {"BucketAlreadyExists", 409}},
      {"bucket_already_owned_by_you", {"BucketAlreadyOwnedByYou", 409}},
      {"bucket_not_empty", {"BucketNotEmpty", 409}},
      {"invalid_bucket_name", {"InvalidBucketName", 400}},
      {"invalid_object_key", {"KeyTooLongError", 400}},
      {"entity_too_large", {"EntityTooLarge", 400}},
      {"entity_too_small", {"EntityTooSmall", 400}},
      {"invalid_part", {"InvalidPart", 400}},
      {"invalid_part_order", {"InvalidPartOrder", 400}},
      {"malformed_xml", {"MalformedXML", 400}},
      {"invalid_range", {"InvalidRange", 416}},
      {"invalid_part_number", {"InvalidPartNumber", 416}},
      {"cors_forbidden", {"AccessForbidden", 403}},
      {"cors_not_found", {"NoSuchCORSConfiguration", 404}},
      {"precondition_failed", {"PreconditionFailed", 412}},
      {"method_not_allowed", {"MethodNotAllowed", 405}},
      {"not_implemented", {"NotImplemented", 501}},
      {"invalid_request", {"InvalidRequest", 400}},
      {"route_not_found", {"InvalidRequest", 400}},
  };
  return table;
}

S3ErrorCode ByKind(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument:
    case ErrorKind::kUnprocessable:
      return {"InvalidArgument", 400};
    case ErrorKind::kUnauthenticated:
    case ErrorKind::kPermissionDenied:
      return {"AccessDenied", 403};
    case ErrorKind::kNotFound:
      return {"NoSuchKey", 404};
    case ErrorKind::kConflict:
      return {"OperationAborted", 409};
    case ErrorKind::kPreconditionFailed:
      return {"PreconditionFailed", 412};
    case ErrorKind::kPayloadTooLarge:
      return {"EntityTooLarge", 400};
    case ErrorKind::kRangeNotSatisfiable:
      return {"InvalidRange", 416};
    case ErrorKind::kUnimplemented:
      return {"NotImplemented", 501};
    case ErrorKind::kUnavailable:
      return {"ServiceUnavailable", 503};
    case ErrorKind::kTimeout:
      return {"RequestTimeout", 400};
    case ErrorKind::kInsufficientStorage:
      // AWS has no such error; MinIO answers a full backend with 507 too (XMinioStorageFull).
      return {"InsufficientStorage", 507};
    case ErrorKind::kCancelled:
    case ErrorKind::kInternal:
      break;
  }
  return {"InternalError", 500};
}

}  // namespace

S3ErrorCode S3ErrorOf(const std::exception& error) {
  const auto* e = dynamic_cast<const Error*>(&error);
  if (!e) return {"InternalError", 500};
  auto it = CodeTable().find(e->code());
  return it != CodeTable().end() ? it->second : ByKind(e->kind());
}

http::Response RenderS3Error(const http::Request& request, const std::exception& error) {
  S3ErrorCode s3 = S3ErrorOf(error);
  const auto* e = dynamic_cast<const Error*>(&error);
  std::string message = error.what();
  if (s3.status >= 500) {
    spdlog::error("S3 {} {} failed: {}", request.method, request.path, message);
    if (!e || e->kind() == ErrorKind::kInternal)
      message = "we encountered an internal error; please try again";
  }
  XmlWriter xml("Error", "");
  xml.Element("Code", s3.code).Element("Message", message);
  if (e && e->details().is_object()) {
    // S3 documents carry context such as BucketName, Key, UploadId as extra elements: details named in
    // S3's style are copied, the store's own "bucket" and "key" renamed.
    for (const auto& [name, value] : e->details().items()) {
      if (!value.is_string() || name.empty()) continue;
      if (name == "bucket") {
        xml.Element("BucketName", value.get<std::string>());
      } else if (name == "key") {
        xml.Element("Key", value.get<std::string>());
      } else if (std::isupper(static_cast<unsigned char>(name[0]))) {
        xml.Element(name, value.get<std::string>());
      }
    }
  }
  xml.Element("Resource", request.path).Element("RequestId", request.request_id);
  http::Response response;
  response.status = s3.status;
  response.headers.Set("content-type", "application/xml");
  response.body = xml.Finish();
  response.error_code = e ? e->code() : "internal_error";
  if (request.method == "HEAD") {
    response.omit_body = true;
  }
  return response;
}

}  // namespace duckstore::s3
