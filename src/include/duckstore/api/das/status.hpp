// How the DAS services report failures: duckstore errors to gRPC status codes, following the DAS
// contract (docs/design/das.md): an unknown DAS id is NOT_FOUND (the client then re-registers), an
// unknown table or function INVALID_ARGUMENT, unsupported operations UNIMPLEMENTED, and UNAVAILABLE only
// for transient conditions (clients retry it).
#pragma once

#include <grpcpp/grpcpp.h>

#include <exception>

namespace duckstore::das {

grpc::Status ToStatus(const std::exception_ptr& error);

// Runs `body`, turning whatever it throws into a status.
template <typename Body>
grpc::Status Serve(Body&& body) {
  try {
    body();
    return grpc::Status::OK;
  } catch (...) {
    return ToStatus(std::current_exception());
  }
}

}  // namespace duckstore::das
