#include "duckstore/api/grpc_status.hpp"

namespace duckstore::api {

grpc::StatusCode DefaultGrpcCode(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument:
    case ErrorKind::kUnprocessable:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case ErrorKind::kUnauthenticated:
      return grpc::StatusCode::UNAUTHENTICATED;
    case ErrorKind::kPermissionDenied:
      return grpc::StatusCode::PERMISSION_DENIED;
    case ErrorKind::kNotFound:
      return grpc::StatusCode::NOT_FOUND;
    case ErrorKind::kConflict:
      return grpc::StatusCode::ABORTED;
    case ErrorKind::kPreconditionFailed:
      return grpc::StatusCode::FAILED_PRECONDITION;
    case ErrorKind::kPayloadTooLarge:
      return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case ErrorKind::kRangeNotSatisfiable:
      return grpc::StatusCode::OUT_OF_RANGE;
    case ErrorKind::kCancelled:
      return grpc::StatusCode::CANCELLED;
    case ErrorKind::kUnimplemented:
      return grpc::StatusCode::UNIMPLEMENTED;
    case ErrorKind::kUnavailable:
      return grpc::StatusCode::UNAVAILABLE;
    case ErrorKind::kTimeout:
      return grpc::StatusCode::DEADLINE_EXCEEDED;
    case ErrorKind::kInsufficientStorage:
      return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case ErrorKind::kInternal:
      return grpc::StatusCode::INTERNAL;
  }
  return grpc::StatusCode::INTERNAL;
}

}  // namespace duckstore::api
