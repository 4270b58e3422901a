// CreateDevBranch, DropDevBranch and the bucket sharing commands (Share/Unshare/Link/Unlink, read-only
// grants). The rules live in BranchService and SharingService (docs/design/branches.md).
//
// Names handed to Connection: a dev branch's devBranchReadOnlyRoleName is its branch id (DropDevBranch
// gets only that name back), the project's read-only role is "<project id>_ro" (ReadOnlyRoleOf); a share's
// bucketShareRoleName is "<source project id>/<bucket>", which LinkBucket receives as sourceShareRoleName.
// Project ids never contain '/', so the first '/' splits it unambiguously whatever the bucket name holds.
#include "duckstore/api/driver/commands.hpp"
#include "duckstore/api/driver/support.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/error_codes.hpp"
#include "keboola/storage_driver/bucket.pb.h"
#include "keboola/storage_driver/project.pb.h"

namespace duckstore::driver {

namespace bucket = keboola::storageDriver::command::bucket;
namespace project = keboola::storageDriver::command::project;

namespace {

// The command's project id, when given, must be the credentials' project.
void CheckProject(const std::string& project_id, const CommandContext& context, const std::string& field) {
  if (!project_id.empty() && project_id != context.project_id) {
    throw InvalidArgument(
        "invalid_request",
        field + " '" + project_id + "' is not the project of the credentials ('" + context.project_id + "')");
  }
}

std::pair<std::string, std::string> ParseShareName(const std::string& name) {
  auto slash = name.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == name.size()) {
    throw InvalidArgument("invalid_request", "LinkBucketCommand.sourceShareRoleName '" + name +
                                                 "' is not a share of this backend");
  }
  return {name.substr(0, slash), name.substr(slash + 1)};
}

}  // namespace

void AddBranchCommands(CommandRegistry& registry) {
  registry.Add<project::CreateDevBranchCommand>(
      Access::kProjectAdmin, [](const project::CreateDevBranchCommand& command, CommandContext& context) {
        CheckProject(command.projectid(), context, "CreateDevBranchCommand.projectId");
        const std::string& id = Require(command.branchid(), "CreateDevBranchCommand.branchId");
        auto branch = context.services.dev_branches.Create(context.project_id, id, "", id);
        project::CreateDevBranchResponse response;
        response.set_devbranchreadonlyrolename(branch.id);
        return response;
      });

  // Idempotent, like the reference drivers' DROP ROLE IF EXISTS.
  registry.Add<project::DropDevBranchCommand>(
      Access::kProjectAdmin, [](const project::DropDevBranchCommand& command, CommandContext& context) {
        const std::string& id =
            Require(command.devbranchreadonlyrolename(), "DropDevBranchCommand.devBranchReadOnlyRoleName");
        try {
          context.services.dev_branches.Delete(context.project_id, id);
        } catch (const Error& e) {
          if (e.code() != error_code::kBranchNotFound) throw;
        }
      });

  registry.Add<bucket::ShareBucketCommand>(
      Access::kProjectAdmin, [](const bucket::ShareBucketCommand& command, CommandContext& context) {
        CheckProject(command.sourceprojectid(), context, "ShareBucketCommand.sourceProjectId");
        std::string name = command.sourcebucketobjectname().empty() ? command.sourcebucketid()
                                                                    : command.sourcebucketobjectname();
        BucketRef bucket = BucketNamed(context, name, "ShareBucketCommand.sourceBucketObjectName");
        auto share = context.services.sharing.Share(bucket.branch, bucket.bucket, {});
        bucket::ShareBucketResponse response;
        response.set_bucketsharerolename(share.project_id + "/" + share.bucket);
        return response;
      });

  registry.Add<bucket::UnshareBucketCommand>(
      Access::kProjectAdmin, [](const bucket::UnshareBucketCommand& command, CommandContext& context) {
        BucketRef bucket =
            BucketNamed(context, command.bucketobjectname(), "UnshareBucketCommand.bucketObjectName");
        context.services.sharing.Unshare(bucket.branch, bucket.bucket);
      });

  registry.Add<bucket::LinkBucketCommand>(
      Access::kProjectAdmin, [](const bucket::LinkBucketCommand& command, CommandContext& context) {
        CheckProject(command.targetprojectid(), context, "LinkBucketCommand.targetProjectId");
        auto [source_project, source_bucket] =
            ParseShareName(Require(command.sourcesharerolename(), "LinkBucketCommand.sourceShareRoleName"));
        // Naming the project's read-only role grants it the linked bucket.
        const std::string& role = command.targetprojectreadonlyrolename();
        if (!role.empty()) context.services.sharing.CheckReadOnlyRole(context.Branch(), role);
        auto linked = context.services.sharing.Link(
            context.Branch(), Require(command.targetbucketid(), "LinkBucketCommand.targetBucketId"),
            source_project, source_bucket, !role.empty());
        bucket::LinkedBucketResponse response;
        response.set_linkedbucketobjectname(ObjectNameOf(context.Branch(), linked.name));
        return response;
      });

  registry.Add<bucket::UnlinkBucketCommand>(
      Access::kProjectAdmin, [](const bucket::UnlinkBucketCommand& command, CommandContext& context) {
        BucketRef bucket =
            BucketNamed(context, command.bucketobjectname(), "UnlinkBucketCommand.bucketObjectName");
        context.services.sharing.Unlink(bucket.branch, bucket.bucket);
      });

  // The bucket is destinationObjectName, else the last element of path; it is granted to the read-only
  // role of its branch, which projectReadOnlyRoleName must name when given (likewise for Revoke).
  registry.Add<bucket::GrantBucketAccessToReadOnlyRoleCommand>(
      Access::kProjectAdmin,
      [](const bucket::GrantBucketAccessToReadOnlyRoleCommand& command, CommandContext& context) {
        std::string name = command.destinationobjectname();
        if (name.empty() && command.path_size() > 0) name = command.path(command.path_size() - 1);
        BucketRef bucket =
            BucketNamed(context, name, "GrantBucketAccessToReadOnlyRoleCommand.destinationObjectName");
        if (!command.projectreadonlyrolename().empty())
          context.services.sharing.CheckReadOnlyRole(bucket.branch, command.projectreadonlyrolename());
        context.services.sharing.GrantReadOnly(bucket.branch, bucket.bucket);
        bucket::GrantBucketAccessToReadOnlyRoleResponse response;
        response.set_createbucketobjectname(name);
        return response;
      });

  registry.Add<bucket::RevokeBucketAccessFromReadOnlyRoleCommand>(
      Access::kProjectAdmin,
      [](const bucket::RevokeBucketAccessFromReadOnlyRoleCommand& command, CommandContext& context) {
        BucketRef bucket = BucketNamed(context, command.bucketobjectname(),
                                       "RevokeBucketAccessFromReadOnlyRoleCommand.bucketObjectName");
        if (!command.projectreadonlyrolename().empty())
          context.services.sharing.CheckReadOnlyRole(bucket.branch, command.projectreadonlyrolename());
        try {
          context.services.sharing.RevokeReadOnly(bucket.branch, bucket.bucket);
        } catch (const Error& e) {
          if (!(IgnoreErrors(command) && e.code() == error_code::kBucketNotFound)) throw;
        }
      });
}

}  // namespace duckstore::driver
