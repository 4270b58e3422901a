#include "duckstore/api/das/status.hpp"

#include <spdlog/spdlog.h>

#include "duckstore/common/error.hpp"

namespace duckstore::das {
namespace {

grpc::StatusCode CodeOf(const Error& error) {
  switch (error.kind()) {
    case ErrorKind::kInvalidArgument:
    case ErrorKind::kUnprocessable:
    case ErrorKind::kPreconditionFailed:
    case ErrorKind::kRangeNotSatisfiable:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case ErrorKind::kUnauthenticated:
      return grpc::StatusCode::UNAUTHENTICATED;
    case ErrorKind::kPermissionDenied:
      return grpc::StatusCode::PERMISSION_DENIED;
    case ErrorKind::kNotFound:
      // Only a lost registration is NOT_FOUND: that is what makes a client re-register. A missing table,
      // function or row is a bad argument of an otherwise valid call.
      return error.code() == "das_not_found" ? grpc::StatusCode::NOT_FOUND
                                             : grpc::StatusCode::INVALID_ARGUMENT;
    case ErrorKind::kConflict:
      if (error.code() == "das_exists") return grpc::StatusCode::ALREADY_EXISTS;
      if (error.code() == "constraint_violation") return grpc::StatusCode::INVALID_ARGUMENT;
      return grpc::StatusCode::ABORTED;
    case ErrorKind::kPayloadTooLarge:
      return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case ErrorKind::kCancelled:
      return grpc::StatusCode::CANCELLED;
    case ErrorKind::kUnimplemented:
      return grpc::StatusCode::UNIMPLEMENTED;
    case ErrorKind::kUnavailable:
      return grpc::StatusCode::UNAVAILABLE;
    case ErrorKind::kTimeout:
      return grpc::StatusCode::DEADLINE_EXCEEDED;
    case ErrorKind::kInternal:
      return grpc::StatusCode::INTERNAL;
  }
  return grpc::StatusCode::INTERNAL;
}

}  // namespace

grpc::Status ToStatus(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    auto code = CodeOf(e);
    if (code == grpc::StatusCode::INTERNAL) spdlog::error("DAS call failed: {}", e.what());
    return grpc::Status(code, e.what(), e.code());
  } catch (const std::exception& e) {
    spdlog::error("DAS call failed: {}", e.what());
    return grpc::Status(grpc::StatusCode::INTERNAL, e.what());
  } catch (...) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "unknown error");
  }
}

}  // namespace duckstore::das
