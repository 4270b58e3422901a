// Workspace commands. A workspace's object name (workspaceObjectName) is its id; its users have generated
// names and passwords (WorkspaceService). Rules live in WorkspaceService (docs/design/branches.md).
#include "duckstore/api/driver/commands.hpp"
#include "duckstore/api/driver/support.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/error_codes.hpp"
#include "keboola/storage_driver/workspace.pb.h"

namespace duckstore::driver {

namespace workspace = keboola::storageDriver::command::workspace;

namespace {

WorkspaceLoadMode ModeOf(table::ImportExportShared::ImportOptions::ImportType type) {
  switch (type) {
    case table::ImportExportShared::ImportOptions::INCREMENTAL:
      return WorkspaceLoadMode::kAppend;
    case table::ImportExportShared::ImportOptions::VIEW:
      return WorkspaceLoadMode::kView;
    default:  // FULL, CLONE
      return WorkspaceLoadMode::kCopy;
  }
}

}  // namespace

void AddWorkspaceCommands(CommandRegistry& registry) {
  registry.Add<workspace::CreateWorkspaceCommand>(
      Access::kWrite,
      [](const workspace::CreateWorkspaceCommand& command, CommandContext& context) {
        if (!command.projectid().empty() && command.projectid() != context.project_id) {
          throw InvalidArgument("invalid_request",
                                "CreateWorkspaceCommand.projectId is not the credentials' project");
        }
        BranchRef branch = context.BranchNamed(
            command.isbranchdefault() || command.branchid().empty() ? kDefaultBranch : command.branchid());
        // The roles the workspace reads storage with (the PG wire server will enforce their grants) must
        // be this project's and this branch's.
        if (!command.projectreadonlyrolename().empty()) {
          context.services.sharing.CheckReadOnlyRole(BranchRef{context.project_id, kDefaultBranch},
                                                     command.projectreadonlyrolename());
        }
        if (!command.devbranchreadonlyrolename().empty() && branch.branch_id != kDefaultBranch)
          context.services.sharing.CheckReadOnlyRole(branch, command.devbranchreadonlyrolename());
        std::optional<std::string> id;
        if (!command.workspaceid().empty()) id = command.workspaceid();
        auto created = context.services.workspaces.Create(branch, id);
        workspace::CreateWorkspaceResponse response;
        response.set_workspaceusername(created.credentials.user);
        response.set_workspacepassword(created.credentials.password);
        response.set_workspaceobjectname(created.workspace.id);
        return response;
      },
      [](const workspace::CreateWorkspaceCommand& command) {
        return command.isbranchdefault() || command.branchid().empty() ? std::string(kDefaultBranch)
                                                                       : command.branchid();
      });

  // Without isCascade a workspace that still holds objects is kept (kConflict "workspace_not_empty").
  registry.Add<workspace::DropWorkspaceCommand>(
      Access::kWrite, [](const workspace::DropWorkspaceCommand& command, CommandContext& context) {
        const std::string& id =
            Require(command.workspaceobjectname(), "DropWorkspaceCommand.workspaceObjectName");
        auto& workspaces = context.services.workspaces;
        if (!command.iscascade()) {
          auto objects = workspaces.ListObjects(context.project_id, id);
          if (!objects.empty()) {
            throw Conflict("workspace_not_empty", "workspace '" + id + "' holds " +
                                                      std::to_string(objects.size()) +
                                                      " objects; drop with isCascade");
          }
        }
        workspaces.Drop(context.project_id, id);
      });

  registry.Add<workspace::ClearWorkspaceCommand>(
      Access::kWrite, [](const workspace::ClearWorkspaceCommand& command, CommandContext& context) {
        const std::string& id =
            Require(command.workspaceobjectname(), "ClearWorkspaceCommand.workspaceObjectName");
        std::vector<std::string> preserve(command.objectstopreserve().begin(),
                                          command.objectstopreserve().end());
        try {
          context.services.workspaces.Clear(context.project_id, id, preserve);
        } catch (const Error& e) {
          if (!(command.ignoreerrors() && e.code() == error_code::kWorkspaceNotFound)) throw;
        }
      });

  registry.Add<workspace::ResetWorkspacePasswordCommand>(
      Access::kWrite, [](const workspace::ResetWorkspacePasswordCommand& command, CommandContext& context) {
        auto credentials = context.services.workspaces.ResetPassword(
            context.project_id,
            Require(command.workspaceusername(), "ResetWorkspacePasswordCommand.workspaceUserName"));
        workspace::ResetWorkspacePasswordResponse response;
        response.set_workspaceusername(credentials.user);
        response.set_workspacepassword(credentials.password);
        return response;
      });

  registry.Add<workspace::CreateWorkspaceUserCommand>(
      Access::kWrite, [](const workspace::CreateWorkspaceUserCommand& command, CommandContext& context) {
        std::string id =
            command.workspaceobjectname().empty() ? command.workspaceid() : command.workspaceobjectname();
        auto credentials = context.services.workspaces.CreateUser(
            context.project_id, Require(id, "CreateWorkspaceUserCommand.workspaceObjectName"));
        workspace::CreateWorkspaceUserResponse response;
        response.set_workspaceusername(credentials.user);
        response.set_workspacepassword(credentials.password);
        return response;
      });

  registry.Add<workspace::DropWorkspaceUserCommand>(
      Access::kWrite, [](const workspace::DropWorkspaceUserCommand& command, CommandContext& context) {
        context.services.workspaces.DropUser(
            context.project_id,
            Require(command.workspaceusername(), "DropWorkspaceUserCommand.workspaceUserName"));
      });

  registry.Add<workspace::DropWorkspaceObjectCommand>(
      Access::kWrite, [](const workspace::DropWorkspaceObjectCommand& command, CommandContext& context) {
        context.services.workspaces.DropObject(
            context.project_id,
            Require(command.workspaceobjectname(), "DropWorkspaceObjectCommand.workspaceObjectName"),
            Require(command.objectnametodrop(), "DropWorkspaceObjectCommand.objectNameToDrop"),
            command.ignoreifnotexists());
      });

  // The source is read on the workspace's branch; destination.path = [workspace object name].
  registry.Add<workspace::LoadTableToWorkspaceCommand>(
      Access::kWrite, [](const workspace::LoadTableToWorkspaceCommand& command, CommandContext& context) {
        const auto& destination = command.destination();
        std::string id = SingleBucket(destination.path(), "LoadTableToWorkspaceCommand.destination.path");
        auto ws = context.services.workspaces.Get(context.project_id, id);
        const auto& source = command.source();
        BranchRef branch = context.BranchNamed(ws.branch_id);
        WorkspaceLoad load;
        load.source =
            TableAt(context, source.path(), source.tablename(), "LoadTableToWorkspaceCommand.source");
        // A default-branch name reads the table as the workspace's branch sees it (the default branch's
        // data until the branch writes it); a dev branch's name must be the workspace's branch.
        if (load.source.branch.branch_id != kDefaultBranch)
          RequireSameBranch(branch, load.source.branch, "LoadTableToWorkspaceCommand.source.path");
        load.source.branch = branch;
        load.destination = destination.tablename().empty() ? load.source.table : destination.tablename();
        for (const auto& mapping : source.columnmappings()) {
          load.columns.emplace_back(mapping.sourcecolumnname(), mapping.destinationcolumnname().empty()
                                                                    ? mapping.sourcecolumnname()
                                                                    : mapping.destinationcolumnname());
        }
        load.filters = FiltersOf(source.wherefilters());
        if (source.limit() > 0) load.limit = source.limit();
        load.mode = ModeOf(command.importoptions().importtype());
        auto result = context.services.workspaces.Load(context.project_id, id, load);
        table::TableImportResponse response;
        response.set_importedrowscount(result.loaded_rows);
        response.set_tablerowscount(result.rows);
        for (const auto& column : result.columns) response.add_importedcolumns(column);
        return response;
      });

  // The project user (projectUserName: the key CreateProject answered, or any key of the project that may
  // write the workspace's branch) may log in to the workspace's SQL door with the key as its password
  // (workspace_access.hpp). The role names are informational here: a workspace has no separate role.
  registry.Add<workspace::GrantWorkspaceAccessToProjectCommand>(
      Access::kWrite,
      [](const workspace::GrantWorkspaceAccessToProjectCommand& command, CommandContext& context) {
        context.services.workspace_access.Grant(
            context.project_id,
            Require(command.workspaceobjectname(),
                    "GrantWorkspaceAccessToProjectCommand.workspaceObjectName"),
            Require(command.projectusername(), "GrantWorkspaceAccessToProjectCommand.projectUserName"));
      });
  registry.Add<workspace::RevokeWorkspaceAccessToProjectCommand>(
      Access::kWrite,
      [](const workspace::RevokeWorkspaceAccessToProjectCommand& command, CommandContext& context) {
        context.services.workspace_access.Revoke(
            context.project_id,
            Require(command.workspaceobjectname(),
                    "RevokeWorkspaceAccessToProjectCommand.workspaceObjectName"),
            Require(command.projectusername(), "RevokeWorkspaceAccessToProjectCommand.projectUserName"));
      });
}

}  // namespace duckstore::driver
