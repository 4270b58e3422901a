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
      // Takes no credentials today (issue 15 item 3 adds the caller's).
      EntryPoint{"das", "RegistrationService/Unregister", Credentials::kNone, Access::kRead,
                 TargetFrom::kNone},
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

DasScope AuthorizedScope(DasRegistry& registry, std::string_view rpc, const std::string& das_id) {
  const auto& entries = DasEntryPoints();
  auto entry =
      std::find_if(entries.begin(), entries.end(), [rpc](const EntryPoint& e) { return e.operation == rpc; });
  if (entry == entries.end() || entry->target != TargetFrom::kRegistration) {
    throw std::logic_error("DAS RPC " + std::string(rpc) + " has no registration-scoped access declaration");
  }
  DasScope scope = registry.Resolve(das_id);
  if (entry->access == Access::kWrite) registry.RequireWrite(scope);
  return scope;
}

}  // namespace duckstore::das
