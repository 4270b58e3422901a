// Who besides a workspace's own users may log in to it through the SQL door: API keys of its project that
// were granted access (the driver's GrantWorkspaceAccessToProject / RevokeWorkspaceAccessToProject; in
// Snowflake, the workspace role granted to the project user). docs/design/pgwire.md, "Authentication".
//
// A granted key logs in with user = the key id and password = the key's full token, and gets what a
// workspace user gets (read-write on the workspace, the same confinement). The catalog keeps a SCRAM
// verifier of the token per grant (made when the grant is given: the server can recompute any key's token,
// auth.hpp), never the token. A key may be granted only if it could write the workspace's branch through
// the API (AuthService::Authorize, Access::kWrite); it logs in only while it is usable (not revoked,
// not expired: AuthService::Usable). Revoking the grant, revoking or rotating the key, or dropping the
// workspace ends the key's sessions in it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "duckstore/services/audit/operation_log.hpp"
#include "duckstore/services/auth/auth.hpp"
#include "duckstore/services/metadata/branch_view.hpp"
#include "duckstore/services/workspaces/session_registry.hpp"

namespace duckstore {

class WorkspaceAccessService {
 public:
  WorkspaceAccessService(BranchResolver& branches, AuthService& auth, OperationLog& ops,
                         SqlSessionRegistry& sessions)
      : branches_(branches), auth_(auth), ops_(ops), sessions_(sessions) {}

  // Grants key `key_id` a login to workspace `workspace_id` of `project_id`; granting again is a no-op.
  // kNotFound("workspace_not_found"); kNotFound("api_key_not_found") for a key of another project or none;
  // kInvalidArgument("api_key_not_usable") for a revoked or expired key; kPermissionDenied when the key
  // may not write the workspace's branch.
  void Grant(const std::string& project_id, const std::string& workspace_id, const std::string& key_id);
  // Removes the grant (a no-op without one) and ends the key's sessions in the workspace.
  // kNotFound("workspace_not_found").
  void Revoke(const std::string& project_id, const std::string& workspace_id, const std::string& key_id);
  // The keys granted a login to the workspace (as WorkspaceUser rows named by key id), oldest first.
  std::vector<WorkspaceUser> List(const std::string& project_id, const std::string& workspace_id);

  // The login of a granted key: the grant when `key_id` is granted workspace `workspace_id` and is usable;
  // nullopt otherwise (the SQL door then answers like for a wrong password).
  std::optional<WorkspaceUser> Login(const std::string& key_id, const std::string& workspace_id);

 private:
  Workspace RequireWorkspace(const std::string& project_id, const std::string& workspace_id);

  BranchResolver& branches_;
  AuthService& auth_;
  OperationLog& ops_;
  SqlSessionRegistry& sessions_;
};

}  // namespace duckstore
