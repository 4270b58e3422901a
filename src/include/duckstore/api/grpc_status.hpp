// The default gRPC status code of each ErrorKind, shared by the gRPC doors (DAS, storage driver).
//
// It follows the canonical gRPC meanings (a conflict is ABORTED, a failed precondition FAILED_PRECONDITION,
// a too-large payload RESOURCE_EXHAUSTED, an unsatisfiable range OUT_OF_RANGE). A door whose contract says
// otherwise handles those kinds or codes itself and calls this for every other kind, so the cases the doors
// agree on are written once.
#pragma once

#include <grpcpp/support/status.h>

#include "duckstore/common/error.hpp"

namespace duckstore::api {

grpc::StatusCode DefaultGrpcCode(ErrorKind kind);

}  // namespace duckstore::api
