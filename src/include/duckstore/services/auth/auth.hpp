// Authentication (who is calling) and authorization (what they may do), shared by every transport.
//
// Tokens: the admin key (configured or generated), or a project key "<key id>.<secret>". The key id is
// unique and public (it is also the S3 access key id); the secret is HMAC-SHA256(master key, key id),
// so the server can recompute any key's full token for SigV4 without storing it, while the catalog holds
// only sha256(secret). docs/design/auth.md has the reasoning.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "duckstore/storage/catalog/catalog.hpp"

namespace duckstore {

// The authenticated caller of one request.
struct Principal {
  bool admin = false;
  std::optional<ApiKey> key;  // set for project keys

  std::string Describe() const;
};

// What an operation needs from the caller.
enum class Access {
  kRead,          // any key of the project (bound to the branch, for branch scopes)
  kWrite,         // project_admin, or branch_admin of the branch
  kProjectAdmin,  // project_admin (key management, branches, project settings)
  kServerAdmin,   // the admin key only
};

inline constexpr const char* kDefaultBranch = "default";

class AuthService {
 public:
  AuthService(Catalog& catalog, std::string admin_key, std::string master_key);

  // Resolves a bearer token; throws kUnauthenticated for missing, malformed, unknown, revoked or expired
  // keys and for keys of deleted projects. Never distinguishes these cases to the caller.
  Principal Authenticate(std::string_view token);
  // Whether a stored key still authenticates: not revoked, not expired, its project active. (The same rule
  // for every credential made from a key: bearer tokens, S3 signatures, workspace logins.)
  bool Usable(const ApiKey& key) const;

  // Throws kPermissionDenied unless `principal` may perform an operation needing `access` on `project_id`
  // (and `branch_id`, for data operations).
  void Authorize(const Principal& principal, Access access, const std::string& project_id = "",
                 const std::string& branch_id = kDefaultBranch) const;

  // A new key: returns the catalog row (already stored) and the one-time full token.
  struct IssuedKey {
    ApiKey key;
    std::string token;
  };
  IssuedKey IssueKey(const std::string& project_id, KeyScope scope, std::optional<std::string> branch_id,
                     std::string description, std::optional<int64_t> expires_in_seconds);
  // The full token of an existing key (the S3 secret access key); nullopt for unknown keys.
  std::optional<std::string> TokenOf(const std::string& key_id) const;

  const std::string& admin_key() const { return admin_key_; }

 private:
  std::string SecretOf(const std::string& key_id) const;

  Catalog& catalog_;
  std::string admin_key_;
  std::string master_key_;
};

}  // namespace duckstore
