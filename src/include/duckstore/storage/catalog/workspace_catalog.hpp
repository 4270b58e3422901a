// Workspaces, their users and the keys granted a login to them, one of the catalog's small interfaces
// (catalog.hpp aggregates them). Every method is safe to call from any thread. Failures throw
// duckstore::Error: kConflict for uniqueness violations, kInternal for the backend.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "duckstore/storage/catalog/entities.hpp"

namespace duckstore {

class WorkspaceCatalog {
 public:
  virtual ~WorkspaceCatalog() = default;

  // CreateWorkspace throws kConflict("workspace_exists"). Deleting a workspace deletes its users.
  virtual void CreateWorkspace(const Workspace& workspace) = 0;
  virtual std::optional<Workspace> GetWorkspace(const std::string& project_id, const std::string& id) = 0;
  // All workspaces of a project, oldest first.
  virtual std::vector<Workspace> ListWorkspaces(const std::string& project_id) = 0;
  virtual void DeleteWorkspace(const std::string& project_id, const std::string& id) = 0;

  // CreateWorkspaceUser throws kConflict("workspace_user_exists") (names are unique server-wide).
  virtual void CreateWorkspaceUser(const WorkspaceUser& user) = 0;
  virtual std::optional<WorkspaceUser> GetWorkspaceUser(const std::string& name) = 0;
  // Oldest first.
  virtual std::vector<WorkspaceUser> ListWorkspaceUsers(const std::string& project_id,
                                                        const std::string& workspace_id) = 0;
  virtual void SetWorkspaceUserVerifier(const std::string& name, const std::string& verifier) = 0;
  virtual void DeleteWorkspaceUser(const std::string& name) = 0;

  // Grants: an API key of the project that may log in to the workspace, described as a WorkspaceUser whose
  // name is the key id. Granting again replaces the verifier. Deleting the workspace or the key deletes
  // its grants.
  virtual void PutWorkspaceGrant(const WorkspaceUser& grant) = 0;
  virtual std::optional<WorkspaceUser> GetWorkspaceGrant(const std::string& key_id,
                                                         const std::string& workspace_id) = 0;
  // Oldest first.
  virtual std::vector<WorkspaceUser> ListWorkspaceGrants(const std::string& project_id,
                                                         const std::string& workspace_id) = 0;
  // False when there was no such grant.
  virtual bool DeleteWorkspaceGrant(const std::string& project_id, const std::string& workspace_id,
                                    const std::string& key_id) = 0;
};

}  // namespace duckstore
