// The storage driver's two transports over the Dispatcher: the gRPC service
// keboola.storageDriver.service.StorageDriverService/Execute and the HTTP route POST /driver/execute
// (protobuf JSON or, with Content-Type application/x-protobuf, binary; answered in the request's format).
#pragma once

#include "duckstore/api/driver/dispatcher.hpp"
#include "duckstore/api/http/router.hpp"
#include "keboola/storage_driver/service.grpc.pb.h"

namespace duckstore::driver {

class GrpcDriverService final : public keboola::storageDriver::service::StorageDriverService::Service {
 public:
  explicit GrpcDriverService(Dispatcher& dispatcher) : dispatcher_(dispatcher) {}
  grpc::Status Execute(grpc::ServerContext* context, const common::DriverRequest* request,
                       common::DriverResponse* response) override;

 private:
  Dispatcher& dispatcher_;
};

// POST /driver/execute. `dispatcher` must outlive the router.
void AddDriverRoute(http::Router& router, Dispatcher& dispatcher);

}  // namespace duckstore::driver
