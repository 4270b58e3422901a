#include "duckstore/server/grpc_server.hpp"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "duckstore/common/error.hpp"

namespace duckstore {
namespace {

constexpr int kMaxMessageBytes = 64 << 20;
// Connections of clients that vanished (no FIN: a crash, a dropped network) or that idle forever hold a
// descriptor each: ping every 5 minutes and drop a connection whose ping is not answered in 20 s, and close
// connections without calls for 30 minutes (clients reconnect transparently).
constexpr int kKeepaliveTimeMs = 5 * 60 * 1000;
constexpr int kKeepaliveTimeoutMs = 20 * 1000;
constexpr int kMaxConnectionIdleMs = 30 * 60 * 1000;

}  // namespace

GrpcServer::GrpcServer(const std::string& host, uint16_t port, const std::vector<grpc::Service*>& services,
                       std::vector<GrpcDoor> doors) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  std::string address =
      (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port_);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveTimeMs);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, kMaxConnectionIdleMs);
  for (auto* service : services) builder.RegisterService(service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(MakeMetricsInterceptorFactory(std::move(doors)));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) throw Internal("cannot listen for gRPC on " + address);
  server_->GetHealthCheckService()->SetServingStatus(true);
}

GrpcServer::~GrpcServer() {
  Shutdown(std::chrono::system_clock::now());
}

void GrpcServer::Shutdown(std::chrono::system_clock::time_point deadline) {
  if (!server_) return;
  server_->GetHealthCheckService()->SetServingStatus(false);
  server_->Shutdown(deadline);
  server_->Wait();
  server_.reset();
}

}  // namespace duckstore
