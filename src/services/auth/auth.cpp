#include "duckstore/services/auth/auth.hpp"

#include <algorithm>
#include <cctype>

#include "duckstore/common/error.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore {
namespace {

constexpr size_t kKeyIdRandomChars = 16;
constexpr int64_t kLastUsedResolutionSeconds = 60;

// Key ids look like AWS access key ids: "DSK" + 16 upper-case hex characters.
std::string NewKeyId() {
  std::string id = "DSK" + RandomHex(kKeyIdRandomChars / 2);
  std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return std::toupper(c); });
  return id;
}

}  // namespace

std::string Principal::Describe() const {
  if (admin) return "admin";
  if (key) return "key " + key->id + " (" + ToString(key->scope) + ")";
  return "anonymous";
}

AuthService::AuthService(Catalog& catalog, std::string admin_key, std::string master_key)
    : catalog_(catalog), admin_key_(std::move(admin_key)), master_key_(std::move(master_key)) {}

std::string AuthService::SecretOf(const std::string& key_id) const {
  std::string digest = HmacSha256(master_key_, "duckstore-key:" + key_id);
  return HexEncode(digest);
}

std::optional<std::string> AuthService::TokenOf(const std::string& key_id) const {
  if (!catalog_.GetKey(key_id)) return std::nullopt;
  return key_id + "." + SecretOf(key_id);
}

Principal AuthService::Authenticate(std::string_view token) {
  if (token.empty()) throw Unauthenticated("missing credentials: send 'Authorization: Bearer <key>'");
  if (ConstantTimeEquals(token, admin_key_)) return Principal{true, std::nullopt};
  auto dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0) throw Unauthenticated("invalid API key");
  std::string key_id(token.substr(0, dot));
  std::string_view secret = token.substr(dot + 1);
  auto key = catalog_.GetKey(key_id);
  if (!key || !ConstantTimeEquals(Sha256Hex(secret), key->secret_hash))
    throw Unauthenticated("invalid API key");
  std::string now = NowTimestamp();
  if (key->revoked_at) throw Unauthenticated("API key has been revoked");
  if (key->expires_at && *key->expires_at <= now) throw Unauthenticated("API key has expired");
  if (!Usable(*key)) throw Unauthenticated("invalid API key");
  // last_used_at is kept to the minute: one catalog write per key per minute, not one per request.
  if (!key->last_used_at || *key->last_used_at < NowTimestamp(-kLastUsedResolutionSeconds)) {
    catalog_.TouchKey(key->id, now);
    key->last_used_at = now;
  }
  return Principal{false, std::move(key)};
}

bool AuthService::Usable(const ApiKey& key) const {
  if (key.revoked_at || (key.expires_at && *key.expires_at <= NowTimestamp())) return false;
  auto project = catalog_.GetProject(key.project_id);
  return project && project->status == "active";
}

void AuthService::Authorize(const Principal& principal, Access access, const std::string& project_id,
                            const std::string& branch_id) const {
  if (principal.admin) return;
  if (!principal.key || access == Access::kServerAdmin)
    throw PermissionDenied("this operation needs the admin key");
  const ApiKey& key = *principal.key;
  if (key.project_id != project_id)
    throw PermissionDenied("the key does not belong to project '" + project_id + "'");
  if (key.scope == KeyScope::kProjectAdmin) return;
  if (access == Access::kProjectAdmin) throw PermissionDenied("this operation needs a project_admin key");
  if (key.branch_id.value_or(kDefaultBranch) != branch_id) {
    throw PermissionDenied("the key is bound to branch '" + key.branch_id.value_or(kDefaultBranch) + "'");
  }
  if (access == Access::kWrite && key.scope == KeyScope::kBranchRead) {
    throw PermissionDenied("the key is read-only (branch_read)");
  }
}

AuthService::IssuedKey AuthService::IssueKey(const std::string& project_id, KeyScope scope,
                                             std::optional<std::string> branch_id, std::string description,
                                             std::optional<int64_t> expires_in_seconds) {
  ApiKey key;
  key.id = NewKeyId();
  key.project_id = project_id;
  key.branch_id = std::move(branch_id);
  key.scope = scope;
  key.description = std::move(description);
  std::string secret = SecretOf(key.id);
  key.secret_hash = Sha256Hex(secret);
  key.created_at = NowTimestamp();
  if (expires_in_seconds) key.expires_at = NowTimestamp(*expires_in_seconds);
  catalog_.CreateKey(key);
  return IssuedKey{key, key.id + "." + secret};
}

}  // namespace duckstore
