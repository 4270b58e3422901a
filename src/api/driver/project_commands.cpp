// CreateProject, UpdateProject, DropProject: the admin key only. (CreateDevBranch / DropDevBranch belong
// to the branch commands.)
//
// A driver project is a duckstore project whose id is CreateProjectCommand.projectId. The response hands
// Connection the project's first project_admin key: projectUserName = its key id, projectPassword = the
// whole key (what later commands send as GenericBackendCredentials.principal), projectDatabaseName = the
// project id (the DATABASE of ObjectInfo paths), projectReadOnlyRoleName = the project's read-only role
// "<project id>_ro" (sharing.hpp), which reads the buckets granted to it and nothing else.
#include "duckstore/api/driver/commands.hpp"
#include "duckstore/api/driver/support.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/services/metadata/table_history.hpp"
#include "keboola/storage_driver/project.pb.h"

namespace duckstore::driver {

namespace project = keboola::storageDriver::command::project;

void AddProjectCommands(CommandRegistry& registry) {
  registry.Add<project::CreateProjectCommand>(
      Access::kServerAdmin, [](const project::CreateProjectCommand& command, CommandContext& context) {
        const std::string& id = Require(command.projectid(), "CreateProjectCommand.projectId");
        nlohmann::json settings = nlohmann::json::object();
        if (!command.stackprefix().empty()) settings["stack_prefix"] = command.stackprefix();
        if (command.dataretentiontime() > 0) settings["data_retention_days"] = command.dataretentiontime();
        auto created = context.services.projects.Create(id, id, std::move(settings));
        // Time travel keeps this many days of table history (0 in the command: the default).
        if (command.dataretentiontime() > 0)
          TableHistoryService(context.services.branches, context.services.operations)
              .SetRetentionDays(id, command.dataretentiontime());
        project::CreateProjectResponse response;
        response.set_projectusername(created.admin_key.key.id);
        response.set_projectpassword(created.admin_key.token);
        response.set_projectdatabasename(created.project.id);
        response.set_projectreadonlyrolename(ReadOnlyRoleOf(BranchRef{created.project.id, kDefaultBranch}));
        return response;
      });

  registry.Add<project::UpdateProjectCommand>(
      Access::kServerAdmin, [](const project::UpdateProjectCommand& command, CommandContext& context) {
        const std::string& id = Require(command.projectid(), "UpdateProjectCommand.projectId");
        nlohmann::json settings = context.services.projects.Get(id).settings;
        if (!command.region().empty()) settings["region"] = command.region();
        if (!command.timezone().empty()) settings["timezone"] = command.timezone();
        context.services.projects.Update(id, std::nullopt, std::move(settings));
      });

  // Removes the project and everything it owns (data, files, keys, branches).
  registry.Add<project::DropProjectCommand>(
      Access::kServerAdmin, [](const project::DropProjectCommand& command, CommandContext& context) {
        std::string id =
            command.projectdatabasename().empty() ? context.project_id : command.projectdatabasename();
        context.services.projects.Delete(Require(id, "DropProjectCommand.projectDatabaseName"));
      });
}

}  // namespace duckstore::driver
