// The gRPC listener's request metrics: a server interceptor counts every call in the request metrics
// (common/metrics/requests.hpp) under the door its service belongs to, with "<Service>/<Method>" as the
// operation, the status's error code, and message bytes in and out. A door registers its services by full
// name; a service of no door (health, reflection) counts under door "grpc".
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <string>
#include <vector>

namespace duckstore {

struct GrpcDoor {
  std::string service;  // the generated service_full_name(), e.g.
                        // "com.rawlabs.protocol.das.v1.services.TablesService"
  std::string door;     // "das", "driver"
  // The door counts its calls itself at a deeper single place (the driver dispatcher, per command); the
  // interceptor then records only the bytes.
  bool self_recorded = false;
};

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeMetricsInterceptorFactory(
    std::vector<GrpcDoor> doors);

}  // namespace duckstore
