// SqlSessionService (sql_session.hpp): the workspace login's authorization path and the sessions' listing.
#include <stdexcept>

#include "duckstore/services/workspaces/sql_session.hpp"

namespace duckstore {

namespace {

// A workspace login is declared with these credentials and this target (and write access: a workspace user
// writes its own workspace); the rest of the check is the user's workspace being the one named.
void RequireWorkspaceLogin(const EntryPoint& entry) {
  if (entry.credentials != Credentials::kWorkspaceLogin || entry.target != TargetFrom::kWorkspace ||
      entry.access != Access::kWrite) {
    throw std::logic_error("entry point " + entry.door + " " + entry.operation +
                           " is not declared as a workspace login");
  }
}

}  // namespace

std::optional<WorkspaceUser> SqlSessionService::LoginOf(const std::string& user,
                                                        const std::string& database) {
  auto found = branches_.catalog().GetWorkspaceUser(user);
  if (found && found->workspace_id == database) return found;
  return access_.Login(user, database);
}

std::optional<std::string> SqlSessionService::Verifier(const EntryPoint& entry, const std::string& user,
                                                       const std::string& database) {
  RequireWorkspaceLogin(entry);
  auto found = LoginOf(user, database);
  if (!found) return std::nullopt;
  return found->password_verifier;
}

std::unique_ptr<SqlSession> SqlSessionService::Open(const EntryPoint& entry, const std::string& user,
                                                    const std::string& database) {
  RequireWorkspaceLogin(entry);
  auto found = LoginOf(user, database);
  std::optional<Workspace> workspace;
  if (found) workspace = branches_.catalog().GetWorkspace(found->project_id, database);
  if (!workspace) throw Unauthenticated("the workspace or its user no longer exists");
  auto view = branches_.View(BranchRef{workspace->project_id, workspace->branch_id});
  return std::make_unique<SqlSession>(std::move(view), sharing_, *workspace, user);
}

void SqlSessionService::List(int32_t pid, SqlSession& session) {
  session.registry_ = &registry_;
  session.pid_ = pid;
  const auto& workspace = session.workspace();
  registry_.Attach(pid, session, {workspace.project_id, workspace.branch_id, workspace.id, session.user()});
}

}  // namespace duckstore
