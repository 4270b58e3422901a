// CreateBucket, DropBucket. A bucket is a schema of the project database named exactly like the bucket id
// ("in.c-sales"); that name is the bucket object name later commands put in their paths.
// (Share/link/grant commands live with the branch commands.)
#include "duckstore/api/driver/commands.hpp"
#include "duckstore/api/driver/support.hpp"
#include "duckstore/common/error.hpp"
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

}  // namespace

void AddBucketCommands(CommandRegistry& registry) {
  registry.Add<bucket::CreateBucketCommand>(
      Access::kWrite, [](const bucket::CreateBucketCommand& command, CommandContext& context) {
        CheckProject(command.projectid(), context, "CreateBucketCommand.projectId");
        const std::string& name = Require(command.bucketid(), "CreateBucketCommand.bucketId");
        auto created = context.services.buckets.Create(context.Branch(), name, "");
        bucket::CreateBucketResponse response;
        response.set_createbucketobjectname(created.name);
        return response;
      });

  registry.Add<bucket::DropBucketCommand>(
      Access::kWrite, [](const bucket::DropBucketCommand& command, CommandContext& context) {
        const std::string& name = Require(command.bucketobjectname(), "DropBucketCommand.bucketObjectName");
        try {
          context.services.buckets.Delete(context.Branch(), name, command.iscascade());
        } catch (const Error& e) {
          // The deprecated ignoreErrors only forgives a bucket that is already gone.
          if (!(IgnoreErrors(command) && e.code() == "bucket_not_found")) throw;
        }
      });
}

}  // namespace duckstore::driver
