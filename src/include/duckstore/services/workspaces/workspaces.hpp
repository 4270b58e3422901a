// Workspaces: isolated databases of a project branch that their users reach with generated credentials
// (the PG wire server logs in with them), into which storage tables are loaded by copy or as views.
//
// A workspace is the DuckDB file workspaces/<id>.duckdb attached to the project's instance; its objects are
// the tables and views of its `main` schema. The catalog holds the workspace and its users; passwords only
// as SCRAM-SHA-256 verifiers (password.hpp). A workspace's object name (the driver's workspaceObjectName)
// is its id.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "duckstore/services/audit/operation_log.hpp"
#include "duckstore/services/metadata/branch_view.hpp"
#include "duckstore/services/workspaces/session_registry.hpp"

namespace duckstore {

struct WorkspaceCredentials {
  std::string user;
  std::string password;  // shown once; only its verifier is stored
};

struct WorkspaceObject {
  std::string name;
  std::string type;  // "table" or "view"
};

// How a storage table is loaded: kCopy replaces the destination with a copy, kAppend appends to it
// (creating it when missing), kView makes the destination a view that reads the source live.
enum class WorkspaceLoadMode { kCopy, kAppend, kView };

struct WorkspaceLoad {
  TableRef source;  // its branch is the workspace's branch
  std::string destination;
  // Columns to load, source name -> destination name; empty = all columns under their own names.
  std::vector<std::pair<std::string, std::string>> columns;
  std::vector<ColumnFilter> filters;
  std::optional<int64_t> limit;
  WorkspaceLoadMode mode = WorkspaceLoadMode::kCopy;
};

struct WorkspaceLoadResult {
  std::string destination;
  int64_t rows = 0;         // rows in the destination after the load
  int64_t loaded_rows = 0;  // rows this load wrote (0 for a view)
  std::vector<std::string> columns;
};

class WorkspaceService {
 public:
  WorkspaceService(BranchResolver& branches, OperationLog& ops, SqlSessionRegistry& sessions)
      : branches_(branches), ops_(ops), sessions_(sessions) {}

  struct Created {
    Workspace workspace;
    WorkspaceCredentials credentials;
  };
  // `id` is generated when absent; kConflict("workspace_exists") for a taken id.
  Created Create(const BranchRef& branch, const std::optional<std::string>& id);
  // Workspaces of the project, all branches or one.
  std::vector<Workspace> List(const std::string& project_id, const std::optional<std::string>& branch_id);
  // kNotFound("workspace_not_found").
  Workspace Get(const std::string& project_id, const std::string& id);
  // Removes the workspace, its users and its data; its SQL sessions end (FATAL 57P01) after the catalog
  // change, before its file goes.
  void Drop(const std::string& project_id, const std::string& id);

  std::vector<WorkspaceObject> ListObjects(const std::string& project_id, const std::string& id);
  // Drops every object except those named in `preserve` (case-insensitive).
  void Clear(const std::string& project_id, const std::string& id, const std::vector<std::string>& preserve);
  // kNotFound("object_not_found") unless `ignore_missing`.
  void DropObject(const std::string& project_id, const std::string& id, const std::string& name,
                  bool ignore_missing);
  WorkspaceLoadResult Load(const std::string& project_id, const std::string& id, const WorkspaceLoad& load);

  // Users. Names are generated and unique server-wide.
  std::vector<WorkspaceUser> ListUsers(const std::string& project_id, const std::string& id);
  WorkspaceCredentials CreateUser(const std::string& project_id, const std::string& id);
  // kNotFound("workspace_user_not_found"); `project_id` scopes the lookup to one project.
  // DropUser and ResetPassword end the user's SQL sessions (FATAL 57P01) after the catalog change.
  void DropUser(const std::string& project_id, const std::string& user);
  WorkspaceCredentials ResetPassword(const std::string& project_id, const std::string& user);
  // The live SQL sessions of the workspace (kNotFound("workspace_not_found") for an unknown one).
  std::vector<SqlSessionInfo> ListSessions(const std::string& project_id, const std::string& id);
  // Ends session `pid` of the workspace: kNotFound("session_not_found") when it has none such.
  void TerminateSession(const std::string& project_id, const std::string& id, int32_t pid);

  // The user when `password` is theirs (for the PG wire login); nullopt otherwise.
  std::optional<WorkspaceUser> Authenticate(const std::string& user, const std::string& password);

 private:
  WorkspaceCredentials NewUser(const Workspace& workspace);
  WorkspaceUser RequireUser(const std::string& project_id, const std::string& user);

  BranchResolver& branches_;
  OperationLog& ops_;
  SqlSessionRegistry& sessions_;
};

}  // namespace duckstore
