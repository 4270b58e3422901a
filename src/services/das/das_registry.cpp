#include "duckstore/services/das/das_registry.hpp"

#include <duckdb.hpp>

#include <algorithm>
#include <set>

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore {
namespace {

// Options this DAS type understands; any other key (IMPORT FOREIGN SCHEMA and user-mapping options a
// client passes along) is ignored and does not change the registration's identity.
constexpr const char* kProjectOption = "project_id";
constexpr const char* kKeyOption = "api_key";
constexpr const char* kBranchOption = "branch_id";
constexpr const char* kBucketsOption = "buckets";
constexpr const char* kDatabaseOption = "database";

[[noreturn]] void Invalid(const std::string& message) {
  throw InvalidArgument("invalid_das_definition", message);
}

std::string NewDasId() {
  std::string hex = RandomHex(16);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

Principal AuthenticateCaller(AuthService& auth, const std::optional<std::string>& caller_key,
                             const std::string& id) {
  if (!caller_key || caller_key->empty()) {
    throw Error(ErrorKind::kUnauthenticated, "das_credentials_required",
                "DAS '" + id +
                    "' needs the caller's API key with the call (gRPC metadata 'authorization: Bearer <key>' "
                    "or 'x-api-key'): only a server-issued DAS id is a credential by itself");
  }
  return auth.Authenticate(*caller_key);
}

// The caller may use the registration with `access`: on its project branch, or, for a standalone database
// (which only the admin may register), as the admin.
void AuthorizeCaller(AuthService& auth, const Principal& caller, Access access,
                     const DasRegistration& registration) {
  if (registration.standalone()) {
    if (!caller.admin) {
      throw PermissionDenied("only the admin key may use DAS '" + registration.id +
                             "' (a standalone database)");
    }
    return;
  }
  auth.Authorize(caller, access, registration.project_id, registration.branch_id);
}

std::string Trim(const std::string& text) {
  auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

}  // namespace

std::vector<std::string> ParseBucketList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = Trim(text.substr(start, comma - start));
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

std::pair<std::string, DasDefinition> ParseBuiltinDas(const std::string& spec) {
  size_t colon = spec.find(':');
  if (colon == std::string::npos || colon == 0) {
    throw InvalidArgument("invalid_config",
                          "a built-in DAS registration looks like <id>:<option>=<value>;...");
  }
  DasDefinition definition{kDasType, {}};
  size_t start = colon + 1;
  while (start < spec.size()) {
    size_t end = spec.find(';', start);
    if (end == std::string::npos) end = spec.size();
    std::string item = spec.substr(start, end - start);
    size_t eq = item.find('=');
    if (eq == std::string::npos || Trim(item.substr(0, eq)).empty()) {
      if (!Trim(item).empty()) {
        throw InvalidArgument("invalid_config", "built-in DAS '" + spec.substr(0, colon) +
                                                    "': options look like <option>=<value>");
      }
    } else {
      definition.options[Trim(item.substr(0, eq))] = Trim(item.substr(eq + 1));
    }
    start = end + 1;
  }
  return {spec.substr(0, colon), std::move(definition)};
}

bool IsCapabilityId(const std::string& id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = id[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool DasScope::Exposes(const std::string& bucket) const {
  if (registration.buckets.empty()) return true;
  return std::any_of(registration.buckets.begin(), registration.buckets.end(),
                     [&](const std::string& b) { return duckdb::StringUtil::CIEquals(b, bucket); });
}

DasRegistration DasRegistry::Build(const DasDefinition& definition, const std::string& id) {
  if (definition.type != kDasType) {
    Invalid("unsupported DAS type '" + definition.type + "' (this server serves '" + kDasType + "')");
  }
  auto option = [&](const char* name) -> std::optional<std::string> {
    auto it = definition.options.find(name);
    if (it == definition.options.end() || Trim(it->second).empty()) return std::nullopt;
    return Trim(it->second);
  };
  auto key = option(kKeyOption);
  if (!key) Invalid("option 'api_key' is required");
  DasRegistration out;
  out.id = id;
  out.type = definition.type;
  Principal principal = auth_.Authenticate(*key);

  if (auto database = option(kDatabaseOption)) {
    // A standalone file is not data of any project: only the server's admin may expose one, and the
    // project options make no sense with it.
    if (!principal.admin) {
      throw PermissionDenied("only the admin key may register a standalone database ('database' option)");
    }
    for (const char* name : {kProjectOption, kBranchOption, kBucketsOption}) {
      if (option(name)) Invalid(std::string("option '") + name + "' cannot be combined with 'database'");
    }
    out.database = standalone_.Resolve(*database);
    standalone_.Open(out.database);  // readable now, or the registration fails
    out.fingerprint = Sha256Hex(nlohmann::json({{"type", out.type}, {"database", out.database}}).dump());
    out.created_at = NowTimestamp();
    return out;
  }

  auto project = option(kProjectOption);
  if (!project) Invalid("option 'project_id' (or, with the admin key, 'database') is required");
  ValidateId(*project, "project id");
  out.project_id = *project;
  out.branch_id = option(kBranchOption).value_or(kDefaultBranch);
  ValidateId(out.branch_id, "branch id");

  auth_.Authorize(principal, Access::kRead, out.project_id, out.branch_id);
  if (principal.key) out.key_id = principal.key->id;

  // The branch must resolve now, and every listed bucket must exist (by its canonical name).
  auto db = branches_.Open(BranchRef{out.project_id, out.branch_id});
  auto conn = db->Connect();
  std::set<std::string> seen;
  for (const auto& name : ParseBucketList(option(kBucketsOption).value_or(""))) {
    ValidateObjectName(name, "bucket name");
    auto canonical = FindBucket(*conn, name);
    if (!canonical) Invalid("bucket '" + name + "' does not exist");
    if (seen.insert(duckdb::StringUtil::Lower(*canonical)).second) out.buckets.push_back(*canonical);
  }
  std::sort(out.buckets.begin(), out.buckets.end());

  // The identity of a registration: everything that decides what it exposes and with whose rights.
  nlohmann::json identity = {{"type", out.type},
                             {"project_id", out.project_id},
                             {"branch_id", out.branch_id},
                             {"key", out.key_id ? *out.key_id : "admin"},
                             {"buckets", out.buckets}};
  out.fingerprint = Sha256Hex(identity.dump());
  out.created_at = NowTimestamp();
  return out;
}

std::string DasRegistry::Register(const DasDefinition& definition, const std::optional<std::string>& id) {
  if (id) ValidateId(*id, "DAS id");
  DasRegistration registration = Build(definition, id.value_or(NewDasId()));
  auto same_or_conflict = [&](const DasRegistration& existing) {
    if (existing.fingerprint != registration.fingerprint) {
      throw Conflict("das_exists", "DAS '" + registration.id + "' is registered with a different definition");
    }
    return existing.id;
  };
  {
    std::lock_guard lock(mutex_);
    if (auto it = builtins_.find(registration.id); it != builtins_.end()) return same_or_conflict(it->second);
  }
  if (auto existing = catalog_.GetDasRegistration(registration.id)) return same_or_conflict(*existing);
  try {
    catalog_.CreateDasRegistration(registration);
  } catch (const Error& e) {
    // A concurrent registration of the same id won the race: same rules as above.
    if (e.kind() != ErrorKind::kConflict) throw;
    if (auto existing = catalog_.GetDasRegistration(registration.id)) return same_or_conflict(*existing);
    throw;
  }
  return registration.id;
}

void DasRegistry::Unregister(const std::string& id, const std::optional<std::string>& caller_key) {
  Principal caller = AuthenticateCaller(auth_, caller_key, id);
  {
    std::lock_guard lock(mutex_);
    if (builtins_.contains(id)) {
      throw InvalidArgument("builtin_das", "DAS '" + id + "' comes from the server configuration");
    }
  }
  auto registration = catalog_.GetDasRegistration(id);
  if (!registration) return;
  AuthorizeCaller(auth_, caller, Access::kWrite, *registration);
  catalog_.DeleteDasRegistration(id);
}

void DasRegistry::AddBuiltin(const std::string& id, const DasDefinition& definition) {
  ValidateId(id, "DAS id");
  DasRegistration registration = Build(definition, id);
  std::lock_guard lock(mutex_);
  builtins_[id] = std::move(registration);
}

DasScope DasRegistry::Resolve(const std::string& id, const std::optional<std::string>& caller_key) {
  std::optional<DasRegistration> registration;
  bool builtin = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = builtins_.find(id); it != builtins_.end()) {
      registration = it->second;
      builtin = true;
    }
  }
  if (!registration) registration = catalog_.GetDasRegistration(id);
  if (!registration) throw NotFound("das_not_found", "DAS '" + id + "' is not registered");
  DasScope scope{std::move(*registration), Principal{}, std::nullopt};
  // A built-in registration is published by the server's configuration under the id it names: the
  // operator's choice, like a public share (docs/design/das.md).
  if ((caller_key && !caller_key->empty()) || (!builtin && !IsCapabilityId(id))) {
    scope.caller = AuthenticateCaller(auth_, caller_key, id);
    AuthorizeCaller(auth_, *scope.caller, Access::kRead, scope.registration);
  }
  if (scope.registration.standalone()) {
    scope.principal.admin = true;  // registered by the admin; the file is read-only to everyone
    return scope;
  }
  if (scope.registration.key_id) {
    auto token = auth_.TokenOf(*scope.registration.key_id);
    if (!token) throw Unauthenticated("the API key of DAS '" + id + "' no longer exists");
    scope.principal = auth_.Authenticate(*token);
  } else {
    scope.principal.admin = true;
  }
  auth_.Authorize(scope.principal, Access::kRead, scope.registration.project_id,
                  scope.registration.branch_id);
  return scope;
}

void DasRegistry::RequireWrite(const DasScope& scope) const {
  if (scope.registration.standalone()) {
    throw Error(ErrorKind::kUnimplemented, "read_only_database",
                "DAS '" + scope.registration.id + "' serves the standalone database '" +
                    scope.registration.database + "' read-only");
  }
  auth_.Authorize(scope.principal, Access::kWrite, scope.registration.project_id,
                  scope.registration.branch_id);
  if (scope.caller) AuthorizeCaller(auth_, *scope.caller, Access::kWrite, scope.registration);
}

}  // namespace duckstore
