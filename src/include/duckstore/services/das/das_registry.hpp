// DAS registrations: a DAS id names which tables of a project branch a Data Access Service client sees
// and with whose rights. Registrations are persisted in the catalog (they survive restarts); built-in
// ones come from the server configuration and live in memory. docs/design/das.md has the rules.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "duckstore/services/auth/auth.hpp"
#include "duckstore/services/metadata/buckets.hpp"
#include "duckstore/services/model/table_model.hpp"
#include "duckstore/storage/engine/standalone.hpp"

namespace duckstore {

inline constexpr const char* kDasType = "duckdb";

// What a client asks to register: the DAS type and its flat options (as sent, `das_*` keys included).
struct DasDefinition {
  std::string type;
  std::map<std::string, std::string> options;
};

// A resolved registration, valid for one call: the data it exposes and the caller it acts as.
struct DasScope {
  DasRegistration registration;
  Principal principal;
  // The caller's own key, authenticated, when the call carried one (required for readable ids): it must
  // hold the same access as the registration's key (RequireWrite checks both).
  std::optional<Principal> caller;

  BranchRef branch() const { return {registration.project_id, registration.branch_id}; }
  // Whether `bucket` (canonical name; a schema of a standalone database) is exposed.
  bool Exposes(const std::string& bucket) const;
};

class DasRegistry {
 public:
  DasRegistry(Catalog& catalog, AuthService& auth, BranchResolver& branches, StandaloneDatabases& standalone)
      : catalog_(catalog), auth_(auth), branches_(branches), standalone_(standalone) {}

  // Validates the definition (kInvalidArgument "invalid_das_definition" for a wrong type or missing or
  // malformed options), authenticates `api_key` (kUnauthenticated) and checks it may read the branch
  // (kPermissionDenied), then stores the registration under `id`, or a new random id. With the option
  // `database` (admin key only, else kPermissionDenied) it exposes a standalone DuckDB file instead of a
  // project: the path must resolve inside the databases directory (StandaloneDatabases::Resolve). Registering
  // the same definition under the same id again is a no-op; a different one under a taken id is kConflict
  // "das_exists". Options whose name starts with "das_" are the client's own and are ignored.
  std::string Register(const DasDefinition& definition, const std::optional<std::string>& id);
  // Removes a registration. `caller_key` is required (kUnauthenticated "das_credentials_required" without
  // one; kUnauthenticated for an unknown key) and must be allowed to write the registration's branch (the
  // admin key for a standalone database), else kPermissionDenied. Unknown ids are then a no-op. Built-in
  // registrations cannot be removed (kInvalidArgument "builtin_das").
  void Unregister(const std::string& id, const std::optional<std::string>& caller_key);
  // A registration from the server configuration, registered at startup under a fixed id.
  void AddBuiltin(const std::string& id, const DasDefinition& definition);

  // kNotFound "das_not_found" for unknown ids. Re-authenticates the registration's key on every call
  // (a revoked or expired key, or a deleted project, fails with kUnauthenticated) and checks read access.
  // The caller's key, when given, must read the registration's data too. A registration whose id is not a
  // capability (IsCapabilityId) and is not built in requires it: kUnauthenticated
  // "das_credentials_required" without one, so knowing a readable id gives nothing.
  DasScope Resolve(const std::string& id, const std::optional<std::string>& caller_key);
  // kPermissionDenied unless the registration's key, and the caller's when there is one, may write to the
  // registration's branch.
  void RequireWrite(const DasScope& scope) const;

 private:
  DasRegistration Build(const DasDefinition& definition, const std::string& id);

  Catalog& catalog_;
  AuthService& auth_;
  BranchResolver& branches_;
  StandaloneDatabases& standalone_;
  std::mutex mutex_;
  std::map<std::string, DasRegistration> builtins_;
};

// A built-in registration from the configuration: "<id>:<option>=<value>;<option>=<value>..." (type
// duckdb). kInvalidArgument "invalid_config" when malformed.
std::pair<std::string, DasDefinition> ParseBuiltinDas(const std::string& spec);

// Whether `id` has the form of the ids Register issues: a UUID of 128 random bits, written in lowercase hex.
// Such an id is unguessable and is itself the capability to use its registration, as DAS clients that send
// no credentials with their calls (multicorn-das) need. Any other id (chosen by a client, readable such as
// "sales-das") also requires the caller's key on every call. A client choosing its own id in this form
// must choose it at random, as the server does.
bool IsCapabilityId(const std::string& id);

// The comma-separated list of the `buckets` option, trimmed, without empty items.
std::vector<std::string> ParseBucketList(const std::string& text);

}  // namespace duckstore
