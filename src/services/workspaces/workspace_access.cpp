#include "duckstore/services/workspaces/workspace_access.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/services/auth/password.hpp"

namespace duckstore {

Workspace WorkspaceAccessService::RequireWorkspace(const std::string& project_id,
                                                   const std::string& workspace_id) {
  auto workspace = branches_.catalog().GetWorkspace(project_id, workspace_id);
  if (!workspace) throw NotFound("workspace_not_found", "workspace '" + workspace_id + "' does not exist");
  return *workspace;
}

void WorkspaceAccessService::Grant(const std::string& project_id, const std::string& workspace_id,
                                   const std::string& key_id) {
  ops_.Run(project_id, "workspace.grant", workspace_id + "." + key_id, [&] {
    Workspace workspace = RequireWorkspace(project_id, workspace_id);
    auto& catalog = branches_.catalog();
    auto key = catalog.GetKey(key_id);
    if (!key || key->project_id != project_id) {
      throw NotFound("api_key_not_found",
                     "API key '" + key_id + "' does not exist in project '" + project_id + "'");
    }
    if (!auth_.Usable(*key))
      throw InvalidArgument("api_key_not_usable", "API key '" + key_id + "' is revoked or expired");
    // The login gives read-write on the workspace: only a key that could write its branch gets it.
    auth_.Authorize(Principal{false, key}, Access::kWrite, project_id, workspace.branch_id);
    if (catalog.GetWorkspaceGrant(key_id, workspace_id)) return;
    auto token = auth_.TokenOf(key_id);
    if (!token) throw NotFound("api_key_not_found", "API key '" + key_id + "' does not exist");
    catalog.PutWorkspaceGrant(
        WorkspaceUser{key_id, project_id, workspace_id, MakeScramVerifier(*token), NowTimestamp()});
  });
}

void WorkspaceAccessService::Revoke(const std::string& project_id, const std::string& workspace_id,
                                    const std::string& key_id) {
  ops_.Run(project_id, "workspace.revoke", workspace_id + "." + key_id, [&] {
    RequireWorkspace(project_id, workspace_id);
    // The catalog first: the key stops logging in, then its open sessions end.
    branches_.catalog().DeleteWorkspaceGrant(project_id, workspace_id, key_id);
    sessions_.TerminateAll({project_id, workspace_id, key_id});
  });
}

std::vector<WorkspaceUser> WorkspaceAccessService::List(const std::string& project_id,
                                                        const std::string& workspace_id) {
  RequireWorkspace(project_id, workspace_id);
  return branches_.catalog().ListWorkspaceGrants(project_id, workspace_id);
}

std::optional<WorkspaceUser> WorkspaceAccessService::Login(const std::string& key_id,
                                                           const std::string& workspace_id) {
  auto grant = branches_.catalog().GetWorkspaceGrant(key_id, workspace_id);
  if (!grant) return std::nullopt;
  auto key = branches_.catalog().GetKey(key_id);
  if (!key || !auth_.Usable(*key)) return std::nullopt;
  return grant;
}

}  // namespace duckstore
