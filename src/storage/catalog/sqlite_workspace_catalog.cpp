// WorkspaceCatalog on SQLite: tables workspaces, workspace_users and workspace_grants (a workspace's users
// and grants go with it by foreign key, a key's grants with the key).
#include "duckstore/storage/catalog/sqlite_catalog_parts.hpp"

namespace duckstore {
namespace {

Workspace ReadWorkspace(RowReader& row) {
  return Workspace{row.Text(), row.Text(), row.Text(), row.Text()};
}

WorkspaceUser ReadUser(RowReader& row) {
  return WorkspaceUser{row.Text(), row.Text(), row.Text(), row.Text(), row.Text()};
}

constexpr RowMapping<Workspace> kWorkspaces{{"workspaces", "id, project_id, branch_id, created_at"},
                                            ReadWorkspace};
constexpr RowMapping<WorkspaceUser> kUsers{
    {"workspace_users", "name, project_id, workspace_id, password_verifier, created_at"}, ReadUser};
constexpr RowMapping<WorkspaceUser> kGrants{
    {"workspace_grants", "key_id, project_id, workspace_id, password_verifier, created_at"}, ReadUser};

}  // namespace

void SqliteWorkspaceCatalog::CreateWorkspace(const Workspace& w) {
  db_.InsertUnique(kWorkspaces, "workspace_exists", "workspace '" + w.id + "' already exists", w.id,
                   w.project_id, w.branch_id, w.created_at);
}

std::optional<Workspace> SqliteWorkspaceCatalog::GetWorkspace(const std::string& project_id,
                                                              const std::string& id) {
  return db_.One(kWorkspaces, "project_id = ? AND id = ?", project_id, id);
}

std::vector<Workspace> SqliteWorkspaceCatalog::ListWorkspaces(const std::string& project_id) {
  return db_.All(kWorkspaces, "project_id = ?", "ORDER BY created_at, id", project_id);
}

void SqliteWorkspaceCatalog::DeleteWorkspace(const std::string& project_id, const std::string& id) {
  db_.Delete(kWorkspaces, "project_id = ? AND id = ?", project_id, id);
}

void SqliteWorkspaceCatalog::CreateWorkspaceUser(const WorkspaceUser& u) {
  db_.InsertUnique(kUsers, "workspace_user_exists", "workspace user '" + u.name + "' already exists", u.name,
                   u.project_id, u.workspace_id, u.password_verifier, u.created_at);
}

std::optional<WorkspaceUser> SqliteWorkspaceCatalog::GetWorkspaceUser(const std::string& name) {
  return db_.One(kUsers, "name = ?", name);
}

std::vector<WorkspaceUser> SqliteWorkspaceCatalog::ListWorkspaceUsers(const std::string& project_id,
                                                                      const std::string& workspace_id) {
  return db_.All(kUsers, "project_id = ? AND workspace_id = ?", "ORDER BY created_at, name", project_id,
                 workspace_id);
}

void SqliteWorkspaceCatalog::SetWorkspaceUserVerifier(const std::string& name, const std::string& verifier) {
  db_.Run("UPDATE workspace_users SET password_verifier = ? WHERE name = ?", verifier, name);
}

void SqliteWorkspaceCatalog::DeleteWorkspaceUser(const std::string& name) {
  db_.Delete(kUsers, "name = ?", name);
}

void SqliteWorkspaceCatalog::PutWorkspaceGrant(const WorkspaceUser& g) {
  db_.Run(
      "INSERT INTO workspace_grants (key_id, project_id, workspace_id, password_verifier, created_at) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (key_id, workspace_id) DO UPDATE SET "
      "password_verifier = excluded.password_verifier",
      g.name, g.project_id, g.workspace_id, g.password_verifier, g.created_at);
}

std::optional<WorkspaceUser> SqliteWorkspaceCatalog::GetWorkspaceGrant(const std::string& key_id,
                                                                       const std::string& workspace_id) {
  return db_.One(kGrants, "key_id = ? AND workspace_id = ?", key_id, workspace_id);
}

std::vector<WorkspaceUser> SqliteWorkspaceCatalog::ListWorkspaceGrants(const std::string& project_id,
                                                                       const std::string& workspace_id) {
  return db_.All(kGrants, "project_id = ? AND workspace_id = ?", "ORDER BY created_at, key_id", project_id,
                 workspace_id);
}

bool SqliteWorkspaceCatalog::DeleteWorkspaceGrant(const std::string& project_id,
                                                  const std::string& workspace_id,
                                                  const std::string& key_id) {
  return db_.Run("DELETE FROM workspace_grants WHERE project_id = ? AND workspace_id = ? AND key_id = ?",
                 project_id, workspace_id, key_id) > 0;
}

}  // namespace duckstore
