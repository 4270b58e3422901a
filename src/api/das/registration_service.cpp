#include "duckstore/api/das/access.hpp"
#include "duckstore/api/das/services.hpp"
#include "duckstore/api/das/status.hpp"

namespace duckstore::das {

grpc::Status RegistrationService::Register(grpc::ServerContext*, const pb::RegisterRequest* request,
                                           pb::RegisterResponse* response) {
  return Serve([&] {
    DasDefinition definition;
    definition.type = request->definition().type();
    for (const auto& [key, value] : request->definition().options()) {
      if (key.rfind("das_", 0) == 0) continue;  // the client's own bookkeeping (das_url, das_id...)
      definition.options[key] = value;
    }
    std::optional<std::string> id;
    if (request->has_id()) id = request->id().id();
    response->mutable_id()->set_id(registry_.Register(definition, id));
  });
}

grpc::Status RegistrationService::Unregister(grpc::ServerContext* context,
                                             const com::rawlabs::protocol::das::v1::common::DASId* request,
                                             pb::UnregisterResponse*) {
  return Serve([&] { registry_.Unregister(request->id(), CallerKey(*context)); });
}

}  // namespace duckstore::das
