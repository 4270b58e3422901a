#include "duckstore/common/error.hpp"

namespace duckstore {

int HttpStatusOf(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument:
      return 400;
    case ErrorKind::kUnauthenticated:
      return 401;
    case ErrorKind::kPermissionDenied:
      return 403;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kConflict:
      return 409;
    case ErrorKind::kPreconditionFailed:
      return 412;
    case ErrorKind::kPayloadTooLarge:
      return 413;
    case ErrorKind::kRangeNotSatisfiable:
      return 416;
    case ErrorKind::kUnprocessable:
      return 422;
    case ErrorKind::kCancelled:
      return 499;
    case ErrorKind::kInternal:
      return 500;
    case ErrorKind::kUnimplemented:
      return 501;
    case ErrorKind::kUnavailable:
      return 503;
    case ErrorKind::kTimeout:
      return 504;
    case ErrorKind::kInsufficientStorage:
      return 507;
  }
  return 500;
}

Error::Error(ErrorKind kind, std::string code, const std::string& message, nlohmann::json details)
    : std::runtime_error(message), kind_(kind), code_(std::move(code)), details_(std::move(details)) {}

Error InvalidArgument(std::string code, const std::string& message, nlohmann::json details) {
  return Error(ErrorKind::kInvalidArgument, std::move(code), message, std::move(details));
}
Error NotFound(std::string code, const std::string& message, nlohmann::json details) {
  return Error(ErrorKind::kNotFound, std::move(code), message, std::move(details));
}
Error Conflict(std::string code, const std::string& message, nlohmann::json details) {
  return Error(ErrorKind::kConflict, std::move(code), message, std::move(details));
}
Error PermissionDenied(const std::string& message) {
  return Error(ErrorKind::kPermissionDenied, "forbidden", message);
}
Error Unauthenticated(const std::string& message) {
  return Error(ErrorKind::kUnauthenticated, "unauthorized", message);
}
Error Internal(const std::string& message) {
  return Error(ErrorKind::kInternal, "internal_error", message);
}

}  // namespace duckstore
