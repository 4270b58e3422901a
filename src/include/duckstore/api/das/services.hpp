// The DAS v1 gRPC services (com.rawlabs.protocol.das.v1.services): health, registration, tables and
// functions. They translate messages only; the rules live in DasRegistry and DasService.
#pragma once

#include "com/rawlabs/protocol/das/v1/services/functions_service.grpc.pb.h"
#include "com/rawlabs/protocol/das/v1/services/health_service.grpc.pb.h"
#include "com/rawlabs/protocol/das/v1/services/registration_service.grpc.pb.h"
#include "com/rawlabs/protocol/das/v1/services/tables_service.grpc.pb.h"
#include "duckstore/config/config.hpp"
#include "duckstore/services/das/das.hpp"

namespace duckstore::das {

namespace pb = com::rawlabs::protocol::das::v1::services;

class HealthService final : public pb::HealthCheckService::Service {
 public:
  grpc::Status Check(grpc::ServerContext* context, const pb::HealthCheckRequest* request,
                     pb::HealthCheckResponse* response) override;
};

class RegistrationService final : public pb::RegistrationService::Service {
 public:
  explicit RegistrationService(DasRegistry& registry) : registry_(registry) {}

  grpc::Status Register(grpc::ServerContext* context, const pb::RegisterRequest* request,
                        pb::RegisterResponse* response) override;
  grpc::Status Unregister(grpc::ServerContext* context,
                          const com::rawlabs::protocol::das::v1::common::DASId* request,
                          pb::UnregisterResponse* response) override;

 private:
  DasRegistry& registry_;
};

class TablesService final : public pb::TablesService::Service {
 public:
  TablesService(DasRegistry& registry, DasService& das, const DasSettings& settings)
      : registry_(registry), das_(das), settings_(settings) {}

  grpc::Status GetTableDefinitions(grpc::ServerContext* context,
                                   const pb::GetTableDefinitionsRequest* request,
                                   pb::GetTableDefinitionsResponse* response) override;
  grpc::Status GetTableSortOrders(grpc::ServerContext* context, const pb::GetTableSortOrdersRequest* request,
                                  pb::GetTableSortOrdersResponse* response) override;
  grpc::Status GetTablePathKeys(grpc::ServerContext* context, const pb::GetTablePathKeysRequest* request,
                                pb::GetTablePathKeysResponse* response) override;
  grpc::Status GetTableEstimate(grpc::ServerContext* context, const pb::GetTableEstimateRequest* request,
                                pb::GetTableEstimateResponse* response) override;
  grpc::Status ExplainTable(grpc::ServerContext* context, const pb::ExplainTableRequest* request,
                            pb::ExplainTableResponse* response) override;
  grpc::Status ExecuteTable(
      grpc::ServerContext* context, const pb::ExecuteTableRequest* request,
      grpc::ServerWriter<com::rawlabs::protocol::das::v1::tables::Rows>* writer) override;
  grpc::Status GetTableUniqueColumn(grpc::ServerContext* context,
                                    const pb::GetTableUniqueColumnRequest* request,
                                    pb::GetTableUniqueColumnResponse* response) override;
  grpc::Status InsertTable(grpc::ServerContext* context, const pb::InsertTableRequest* request,
                           pb::InsertTableResponse* response) override;
  grpc::Status GetBulkInsertTableSize(grpc::ServerContext* context,
                                      const pb::GetBulkInsertTableSizeRequest* request,
                                      pb::GetBulkInsertTableSizeResponse* response) override;
  grpc::Status BulkInsertTable(grpc::ServerContext* context, const pb::BulkInsertTableRequest* request,
                               pb::BulkInsertTableResponse* response) override;
  grpc::Status UpdateTable(grpc::ServerContext* context, const pb::UpdateTableRequest* request,
                           pb::UpdateTableResponse* response) override;
  grpc::Status DeleteTable(grpc::ServerContext* context, const pb::DeleteTableRequest* request,
                           pb::DeleteTableResponse* response) override;

 private:
  DasRegistry& registry_;
  DasService& das_;
  const DasSettings& settings_;
};

class FunctionsService final : public pb::FunctionsService::Service {
 public:
  FunctionsService(DasRegistry& registry, DasService& das) : registry_(registry), das_(das) {}

  grpc::Status GetFunctionDefinitions(grpc::ServerContext* context,
                                      const pb::GetFunctionDefinitionsRequest* request,
                                      pb::GetFunctionDefinitionsResponse* response) override;
  grpc::Status ExecuteFunction(grpc::ServerContext* context, const pb::ExecuteFunctionRequest* request,
                               pb::ExecuteFunctionResponse* response) override;

 private:
  DasRegistry& registry_;
  DasService& das_;
};

// The four services together, as the gRPC listener registers them.
struct DasServices {
  DasServices(DasRegistry& registry, DasService& das, const DasSettings& settings)
      : registration(registry), tables(registry, das, settings), functions(registry, das) {}

  std::vector<grpc::Service*> All() { return {&health, &registration, &tables, &functions}; }

  HealthService health;
  RegistrationService registration;
  TablesService tables;
  FunctionsService functions;
};

}  // namespace duckstore::das
