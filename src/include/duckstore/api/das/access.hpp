// The DAS RPCs' access declarations (services/auth/entry_points.hpp), one per method of every DAS v1 service,
// named "<Service>/<Method>" as in the proto service descriptors. Today every data RPC is registration-
// scoped: it acts with the key stored with its registration (Credentials::kRegistration), re-authenticated
// on every call, on the registration's project and branch. Register authenticates the definition's
// api_key; Unregister and the health check take no credentials. Issue 15 adds caller credentials to DAS
// calls: they become another Credentials kind checked here, before the registration's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "duckstore/services/auth/entry_points.hpp"
#include "duckstore/services/das/das_registry.hpp"

namespace duckstore::das {

// Every DAS RPC's declaration.
const std::vector<EntryPoint>& DasEntryPoints();

// The registration `das_id` names, authorized as the RPC `rpc` ("TablesService/InsertTable") declares: read
// access (DasRegistry::Resolve re-authenticates the registration's key), and write access for writing RPCs.
// std::logic_error for an undeclared RPC.
DasScope AuthorizedScope(DasRegistry& registry, std::string_view rpc, const std::string& das_id);

}  // namespace duckstore::das
