// Projects and their API keys: the tenant lifecycle. Deleting a project, revoking or rotating a key end
// the SQL sessions they own (a key logs in to workspaces it was granted, workspace_access.hpp).
#pragma once

#include <optional>
#include <string>

#include "duckstore/services/audit/operation_log.hpp"
#include "duckstore/services/auth/auth.hpp"
#include "duckstore/services/workspaces/session_registry.hpp"
#include "duckstore/storage/catalog/catalog.hpp"
#include "duckstore/storage/engine/engine.hpp"

namespace duckstore {

struct ProjectStats {
  int64_t bucket_count = 0;
  int64_t table_count = 0;
  int64_t row_count = 0;
  int64_t size_bytes = 0;
};

class ProjectService {
 public:
  ProjectService(Catalog& catalog, Engine& engine, AuthService& auth, OperationLog& ops,
                 SqlSessionRegistry& sessions)
      : catalog_(catalog), engine_(engine), auth_(auth), ops_(ops), sessions_(sessions) {}

  // Creates the catalog row, the storage and a first project_admin key (returned once).
  struct Created {
    Project project;
    AuthService::IssuedKey admin_key;
  };
  Created Create(const std::string& id, std::string name, nlohmann::json settings);
  Project Get(const std::string& id);
  Page<Project> List(const PageRequest& page);
  Project Update(const std::string& id, std::optional<std::string> name,
                 std::optional<nlohmann::json> settings);
  // Removes the project and everything it owns: data, files, keys, branches.
  void Delete(const std::string& id);
  ProjectStats Stats(const std::string& id);

  // Keys.
  AuthService::IssuedKey CreateKey(const std::string& project_id, KeyScope scope,
                                   std::optional<std::string> branch_id, std::string description,
                                   std::optional<int64_t> expires_in_days);
  // Active (not revoked) keys, newest first.
  Page<ApiKey> ListKeys(const std::string& project_id, const PageRequest& page);
  ApiKey GetKey(const std::string& project_id, const std::string& key_id);
  // Refuses to revoke the last active project_admin key (the project would become unmanageable).
  void RevokeKey(const std::string& project_id, const std::string& key_id);
  // A new key with the same scope, branch and lifetime; the old one is revoked in the same transaction.
  AuthService::IssuedKey RotateKey(const std::string& project_id, const std::string& key_id);

 private:
  Catalog& catalog_;
  Engine& engine_;
  AuthService& auth_;
  OperationLog& ops_;
  SqlSessionRegistry& sessions_;
};

}  // namespace duckstore
