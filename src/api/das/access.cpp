#include "duckstore/api/das/access.hpp"

#include <algorithm>
#include <stdexcept>

namespace duckstore::das {
namespace {

EntryPoint Rpc(const char* name, Access access) {
  return EntryPoint{"das", name, Credentials::kRegistration, access, TargetFrom::kRegistration};
}

}  // namespace

const std::vector<EntryPoint>& DasEntryPoints() {
  static const std::vector<EntryPoint> entries = {
      EntryPoint{"das", "HealthCheckService/Check", Credentials::kNone, Access::kRead, TargetFrom::kNone},
      // The definition's api_key must read the definition's branch (checked by DasRegistry::Register).
      EntryPoint{"das", "RegistrationService/Register", Credentials::kApiKey, Access::kRead,
                 TargetFrom::kRegistration},
      // The caller's key (gRPC metadata) must write the registration's branch (DasRegistry::Unregister).
      EntryPoint{"das", "RegistrationService/Unregister", Credentials::kApiKey, Access::kWrite,
                 TargetFrom::kRegistration},
      Rpc("TablesService/GetTableDefinitions", Access::kRead),
      Rpc("TablesService/GetTableSortOrders", Access::kRead),
      Rpc("TablesService/GetTablePathKeys", Access::kRead),
      Rpc("TablesService/GetTableEstimate", Access::kRead),
      Rpc("TablesService/ExplainTable", Access::kRead),
      Rpc("TablesService/ExecuteTable", Access::kRead),
      // A client asks for the unique column before every write; a read-only key still learns it.
      Rpc("TablesService/GetTableUniqueColumn", Access::kRead),
      Rpc("TablesService/GetBulkInsertTableSize", Access::kRead),
      Rpc("TablesService/InsertTable", Access::kWrite),
      Rpc("TablesService/BulkInsertTable", Access::kWrite),
      Rpc("TablesService/UpdateTable", Access::kWrite),
      Rpc("TablesService/DeleteTable", Access::kWrite),
      Rpc("FunctionsService/GetFunctionDefinitions", Access::kRead),
      Rpc("FunctionsService/ExecuteFunction", Access::kRead),
  };
  return entries;
}

std::optional<std::string> CallerKey(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  if (auto found = metadata.find("authorization"); found != metadata.end()) {
    std::string_view value(found->second.data(), found->second.size());
    constexpr std::string_view kBearer = "Bearer ";
    if (value.size() > kBearer.size() && value.substr(0, kBearer.size()) == kBearer) {
      return std::string(value.substr(kBearer.size()));
    }
  }
  if (auto found = metadata.find("x-api-key"); found != metadata.end() && !found->second.empty()) {
    return std::string(found->second.data(), found->second.size());
  }
  return std::nullopt;
}

DasScope AuthorizedScope(DasRegistry& registry, std::string_view rpc, const std::string& das_id,
                         const grpc::ServerContext& context) {
  const auto& entries = DasEntryPoints();
  auto entry =
      std::find_if(entries.begin(), entries.end(), [rpc](const EntryPoint& e) { return e.operation == rpc; });
  if (entry == entries.end() || entry->target != TargetFrom::kRegistration) {
    throw std::logic_error("DAS RPC " + std::string(rpc) + " has no registration-scoped access declaration");
  }
  DasScope scope = registry.Resolve(das_id, CallerKey(context));
  if (entry->access == Access::kWrite) registry.RequireWrite(scope);
  return scope;
}

}  // namespace duckstore::das
