// The DAS RPCs' access declarations (services/auth/entry_points.hpp), one per method of every DAS v1 service,
// named "<Service>/<Method>" as in the proto service descriptors. Every data RPC is registration-scoped: it
// acts with the key stored with its registration (Credentials::kRegistration), re-authenticated on every
// call, on the registration's project and branch; a registration under a readable, client-chosen id also
// needs the caller's own key in the call's gRPC metadata (DasRegistry::Resolve, docs/design/das.md).
// Register authenticates the definition's api_key, Unregister the caller's key; the health check takes none.
#pragma once

#include <grpcpp/server_context.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "duckstore/services/auth/entry_points.hpp"
#include "duckstore/services/das/das_registry.hpp"

namespace duckstore::das {

// Every DAS RPC's declaration.
const std::vector<EntryPoint>& DasEntryPoints();

// The caller's API key from the call's metadata: "authorization: Bearer <key>", else "x-api-key".
std::optional<std::string> CallerKey(const grpc::ServerContext& context);

// The registration `das_id` names, authorized as the RPC `rpc` ("TablesService/InsertTable") declares: read
// access (DasRegistry::Resolve re-authenticates the registration's key and checks the caller's, see there),
// and write access for writing RPCs. std::logic_error for an undeclared RPC.
DasScope AuthorizedScope(DasRegistry& registry, std::string_view rpc, const std::string& das_id,
                         const grpc::ServerContext& context);

}  // namespace duckstore::das
