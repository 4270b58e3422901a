#include "duckstore/api/das/status.hpp"

#include <spdlog/spdlog.h>

#include "duckstore/api/grpc_status.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/error_codes.hpp"

namespace duckstore::das {
namespace {

// The DAS contract's exceptions to the default mapping.
grpc::StatusCode CodeOf(const Error& error) {
  switch (error.kind()) {
    case ErrorKind::kPreconditionFailed:
    case ErrorKind::kRangeNotSatisfiable:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case ErrorKind::kNotFound:
      // Only a lost registration is NOT_FOUND: that is what makes a client re-register. A missing table,
      // function or row is a bad argument of an otherwise valid call.
      return error.code() == error_code::kDasNotFound ? grpc::StatusCode::NOT_FOUND
                                                      : grpc::StatusCode::INVALID_ARGUMENT;
    case ErrorKind::kConflict:
      if (error.code() == error_code::kDasExists) return grpc::StatusCode::ALREADY_EXISTS;
      if (error.code() == error_code::kConstraintViolation) return grpc::StatusCode::INVALID_ARGUMENT;
      return grpc::StatusCode::ABORTED;
    default:
      return api::DefaultGrpcCode(error.kind());
  }
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
