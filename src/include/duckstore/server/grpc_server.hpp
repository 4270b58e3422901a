// The gRPC listener: grpc.health.v1.Health, server reflection, and the services transports register; every
// call is counted in the request metrics (grpc_metrics.hpp).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "duckstore/server/grpc_metrics.hpp"

namespace duckstore {

class GrpcServer {
 public:
  // `services` must outlive the server; `doors` name the door of each service for the request metrics.
  GrpcServer(const std::string& host, uint16_t port, const std::vector<grpc::Service*>& services,
             std::vector<GrpcDoor> doors);
  ~GrpcServer();
  uint16_t port() const { return port_; }
  // Stops accepting calls and gives running ones until `deadline` to finish.
  void Shutdown(std::chrono::system_clock::time_point deadline);

 private:
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace duckstore
