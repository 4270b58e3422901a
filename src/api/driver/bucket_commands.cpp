// CreateBucket, DropBucket. A bucket is a schema of the project database (or of a dev branch's database)
// named exactly like the bucket id ("in.c-sales"); its object name, which later commands put in their
// paths, is that id, prefixed with the branch on dev branches (object_names.hpp). A dropped bucket's
// read-only grant goes with it (BucketService), whatever projectReadOnlyRoleName says.
// (Share/link/grant commands live with the branch commands.)
#include "duckstore/api/driver/commands.hpp"
#include "duckstore/api/driver/support.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/error_codes.hpp"
#include "keboola/storage_driver/bucket.pb.h"

namespace duckstore::driver {

namespace bucket = keboola::storageDriver::command::bucket;

namespace {

// The command's projectId, when given, must be the credentials' project.
void CheckProject(const std::string& project_id, const CommandContext& context, const char* field) {
  if (!project_id.empty() && project_id != context.project_id) {
    throw InvalidArgument("invalid_request", std::string(field) + " '" + project_id +
                                                 "' is not the project of the credentials ('" +
                                                 context.project_id + "')");
  }
}

// The branch CreateBucket works on: `branchId` unless `isBranchDefault` (or no branch id is given).
std::string BranchOf(const bucket::CreateBucketCommand& command) {
  return command.isbranchdefault() || command.branchid().empty() ? std::string(kDefaultBranch)
                                                                 : command.branchid();
}

}  // namespace

void AddBucketCommands(CommandRegistry& registry) {
  // On a dev branch the bucket is the branch's own and its object name carries the branch
  // ("<branch id>/<bucket id>", object_names.hpp); later commands route to the branch by that name.
  registry.Add<bucket::CreateBucketCommand>(
      Access::kWrite,
      [](const bucket::CreateBucketCommand& command, CommandContext& context) {
        CheckProject(command.projectid(), context, "CreateBucketCommand.projectId");
        const std::string& name = Require(command.bucketid(), "CreateBucketCommand.bucketId");
        BranchRef branch = context.BranchNamed(BranchOf(command));
        // The bucket is granted to the read-only role of its branch when the command names that role;
        // every role it names must be the project's (or the branch's), checked before anything is created.
        auto& sharing = context.services.sharing;
        BranchRef project{context.project_id, kDefaultBranch};
        if (!command.projectreadonlyrolename().empty())
          sharing.CheckReadOnlyRole(project, command.projectreadonlyrolename());
        if (!command.devbranchreadonlyrolename().empty() && branch.branch_id != kDefaultBranch)
          sharing.CheckReadOnlyRole(branch, command.devbranchreadonlyrolename());
        const std::string& role = branch.branch_id == kDefaultBranch ? command.projectreadonlyrolename()
                                                                     : command.devbranchreadonlyrolename();
        auto created = context.services.buckets.Create(branch, name, "");
        if (!role.empty()) sharing.GrantReadOnly(branch, created.name);
        bucket::CreateBucketResponse response;
        response.set_createbucketobjectname(ObjectNameOf(branch, created.name));
        return response;
      },
      BranchOf);

  registry.Add<bucket::DropBucketCommand>(
      Access::kWrite,
      [](const bucket::DropBucketCommand& command, CommandContext& context) {
        BucketRef bucket =
            BucketNamed(context, command.bucketobjectname(), "DropBucketCommand.bucketObjectName");
        try {
          context.services.buckets.Delete(bucket.branch, bucket.bucket, command.iscascade());
        } catch (const Error& e) {
          // The deprecated ignoreErrors only forgives a bucket that is already gone.
          if (!(IgnoreErrors(command) && e.code() == error_code::kBucketNotFound)) throw;
        }
      },
      [](const bucket::DropBucketCommand& command) {
        return BranchOfObjectName(command.bucketobjectname());
      });
}

}  // namespace duckstore::driver
