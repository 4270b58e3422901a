// The gRPC listener: grpc.health.v1.Health, server reflection, and the services transports register.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace duckstore {

class GrpcServer {
 public:
  // `services` must outlive the server.
  GrpcServer(const std::string& host, uint16_t port, std::vector<grpc::Service*> services);
  ~GrpcServer();
  uint16_t port() const { return port_; }
  // Stops accepting calls and gives running ones until `deadline` to finish.
  void Shutdown(std::chrono::system_clock::time_point deadline);

 private:
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace duckstore
