#include "duckstore/api/das/services.hpp"

namespace duckstore::das {

grpc::Status HealthService::Check(grpc::ServerContext*, const pb::HealthCheckRequest*,
                                  pb::HealthCheckResponse* response) {
  response->set_status(pb::HealthCheckResponse::SERVING);
  response->set_description(std::string("Version: duckstore ") + DUCKSTORE_VERSION);
  return grpc::Status::OK;
}

}  // namespace duckstore::das
