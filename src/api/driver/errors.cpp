#include "duckstore/api/driver/errors.hpp"

#include <spdlog/spdlog.h>

#include <map>

#include "duckstore/api/grpc_status.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/rpc/error_details.pb.h"
#include "duckstore/rpc/status.pb.h"

namespace duckstore::driver {
namespace {

// duckstore error codes with a specific driver code; everything else falls back to its kind.
const std::map<std::string, int, std::less<>>& CodeTable() {
  static const std::map<std::string, int, std::less<>> table = {
      {"unknown_command", kCodeCommandNotSupported},
      {"command_not_supported", kCodeCommandNotSupported},
      {"database_mismatch", kCodeDatabaseMismatch},
      {"project_not_found", kCodeDatabaseNotFound},
      {"unknown_object_type", kCodeUnknownObject},
      {"bucket_not_found", kCodeSchemaNotFound},
      {"schema_not_found", kCodeSchemaNotFound},
      {"table_not_found", kCodeTableNotFound},
      {"view_not_found", kCodeViewNotFound},
      {"column_not_found", kCodeColumnNotFound},
      {"project_exists", kCodeObjectAlreadyExists},
      {"bucket_exists", kCodeObjectAlreadyExists},
      {"table_exists", kCodeObjectAlreadyExists},
      {"view_exists", kCodeObjectAlreadyExists},
      {"column_exists", kCodeObjectAlreadyExists},
      {"object_exists", kCodeObjectAlreadyExists},
      {"already_exists", kCodeObjectAlreadyExists},
      {"object_not_found", kCodeNotFound},
      {"invalid_query", kCodeInvalidSql},
      {"invalid_data", kCodeValueConversion},
  };
  return table;
}

int DriverCodeOfKind(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument:
    case ErrorKind::kConflict:
    case ErrorKind::kPreconditionFailed:
    case ErrorKind::kPayloadTooLarge:
    case ErrorKind::kRangeNotSatisfiable:
    case ErrorKind::kUnprocessable:
      return kCodeValidation;
    case ErrorKind::kUnauthenticated:
      return kCodeAuth;
    case ErrorKind::kPermissionDenied:
      return kCodeObjectPermissionDenied;
    case ErrorKind::kNotFound:
      return kCodeNotFound;
    case ErrorKind::kUnimplemented:
      return kCodeCommandNotSupported;
    case ErrorKind::kTimeout:
      return kCodeQueryTimeout;
    case ErrorKind::kInsufficientStorage:
      return kCodeResourceFull;
    case ErrorKind::kUnavailable:
      return kCodeConnection;
    case ErrorKind::kCancelled:
    case ErrorKind::kInternal:
      return kCodeUnknown;
  }
  return kCodeUnknown;
}

// The driver contract's exceptions to the default mapping: every validation failure is INVALID_ARGUMENT or
// FAILED_PRECONDITION, and only "already exists" conflicts are ALREADY_EXISTS.
grpc::StatusCode GrpcCodeOf(const Error& error) {
  switch (error.kind()) {
    case ErrorKind::kPayloadTooLarge:
    case ErrorKind::kRangeNotSatisfiable:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case ErrorKind::kConflict:
      return CodeTable().count(error.code()) && CodeTable().at(error.code()) == kCodeObjectAlreadyExists
                 ? grpc::StatusCode::ALREADY_EXISTS
                 : grpc::StatusCode::FAILED_PRECONDITION;
    case ErrorKind::kUnprocessable:
      return grpc::StatusCode::FAILED_PRECONDITION;
    default:
      return api::DefaultGrpcCode(error.kind());
  }
}

// Transient failures: retrying the same command may succeed.
bool IsRetryable(ErrorKind kind) {
  return kind == ErrorKind::kUnavailable || kind == ErrorKind::kTimeout || kind == ErrorKind::kInternal;
}

const char* GrpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    default:
      return "INTERNAL";
  }
}

google::rpc::Status RpcStatus(const DriverFailure& failure) {
  google::rpc::ErrorInfo info;
  info.set_reason(failure.reason);
  info.set_domain(kErrorDomain);
  (*info.mutable_metadata())["driverCode"] = std::to_string(failure.driver_code);
  (*info.mutable_metadata())["retryable"] = failure.retryable ? "true" : "false";
  (*info.mutable_metadata())["details"] = failure.details.dump();
  google::rpc::Status status;
  status.set_code(static_cast<int32_t>(failure.grpc_code));
  status.set_message(failure.message);
  status.add_details()->PackFrom(info);
  return status;
}

}  // namespace

DriverFailure FailureOf(const std::exception& exception) {
  DriverFailure failure;
  if (const auto* error = dynamic_cast<const Error*>(&exception)) {
    // A service that knows the contract's code states it in details.driver_code (the import engine's
    // 4xxx codes); otherwise the error code, then the kind decides.
    auto found = CodeTable().find(error->code());
    const auto& details = error->details();
    if (details.is_object() && details.contains("driver_code") &&
        details["driver_code"].is_number_integer()) {
      failure.driver_code = details["driver_code"].get<int>();
    } else {
      failure.driver_code = found != CodeTable().end() ? found->second : DriverCodeOfKind(error->kind());
    }
    failure.retryable = IsRetryable(error->kind());
    failure.grpc_code = GrpcCodeOf(*error);
    failure.http_status = HttpStatusOf(error->kind());
    failure.reason = error->code();
    failure.message = error->what();
    if (error->details().is_object()) failure.details = error->details();
    return failure;
  }
  spdlog::error("storage driver command failed unexpectedly: {}", exception.what());
  failure.retryable = true;
  failure.reason = "internal_error";
  failure.message = "internal error; the server log has details";
  return failure;
}

grpc::Status ToGrpcStatus(const DriverFailure& failure) {
  return grpc::Status(failure.grpc_code, failure.message, RpcStatus(failure).SerializeAsString());
}

std::string SerializedRpcStatus(const DriverFailure& failure) {
  return RpcStatus(failure).SerializeAsString();
}

nlohmann::json FailureJson(const DriverFailure& failure) {
  nlohmann::json details = failure.details;
  details["driverCode"] = failure.driver_code;
  details["retryable"] = failure.retryable;
  details["grpcStatus"] = GrpcCodeName(failure.grpc_code);
  return {{"error", {{"code", failure.reason}, {"message", failure.message}, {"details", details}}}};
}

}  // namespace duckstore::driver
