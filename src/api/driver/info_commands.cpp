// ObjectInfo and ListSchemas. The DATABASE is the project (its name is the project id, as returned in
// CreateProjectResponse.projectDatabaseName), SCHEMAs are buckets, TABLEs and VIEWs their objects. DATABASE
// and ListSchemas list the default branch's buckets; a SCHEMA, TABLE or VIEW path names its branch through
// the bucket object name, and is described as that branch sees it.
#include "duckstore/api/driver/commands.hpp"
#include "duckstore/api/driver/support.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::driver {
namespace {

void RequirePathSize(const info::ObjectInfoCommand& command, int size) {
  if (command.path_size() != size) {
    throw InvalidArgument("invalid_request", "ObjectInfoCommand.path must have " + std::to_string(size) +
                                                 " element(s) for " +
                                                 info::ObjectType_Name(command.expectedobjecttype()));
  }
}

// The bucket element of a [bucket, object] path, as a bucket-level path.
google::protobuf::RepeatedPtrField<std::string> Head(
    const google::protobuf::RepeatedPtrField<std::string>& path) {
  google::protobuf::RepeatedPtrField<std::string> out;
  out.Add()->assign(path[0]);
  return out;
}

info::ObjectInfo ObjectOf(const std::string& name, info::ObjectType type) {
  info::ObjectInfo out;
  out.set_objectname(name);
  out.set_objecttype(type);
  return out;
}

}  // namespace

void AddInfoCommands(CommandRegistry& registry) {
  registry.Add<info::ObjectInfoCommand>(
      Access::kRead, [](const info::ObjectInfoCommand& command, CommandContext& context) {
        info::ObjectInfoResponse response;
        *response.mutable_path() = command.path();
        response.set_objecttype(command.expectedobjecttype());
        auto& services = context.services;
        switch (command.expectedobjecttype()) {
          case info::DATABASE: {
            RequirePathSize(command, 1);
            if (command.path(0) != context.project_id) {
              throw InvalidArgument("database_mismatch", "Requested database \"" + command.path(0) +
                                                             "\" does not match the connected database \"" +
                                                             context.project_id + "\".");
            }
            auto* database = response.mutable_databaseinfo();
            for (const auto& bucket : services.buckets.ListNames(context.Branch()))
              *database->add_objects() = ObjectOf(bucket, info::SCHEMA);
            break;
          }
          case info::SCHEMA: {
            RequirePathSize(command, 1);
            BucketRef bucket = BucketNamed(context, command.path(0), "ObjectInfoCommand.path");
            auto* schema = response.mutable_schemainfo();
            for (const auto& object : services.buckets.ListObjects(bucket.branch, bucket.bucket)) {
              *schema->add_objects() = ObjectOf(object.name, object.is_view ? info::VIEW : info::TABLE);
            }
            break;
          }
          case info::TABLE: {
            RequirePathSize(command, 2);
            TableRef ref = TableAt(context, Head(command.path()), command.path(1), "ObjectInfoCommand");
            *response.mutable_tableinfo() = TableInfoOf(services.tables.Get(ref), ref.branch);
            break;
          }
          case info::VIEW: {
            RequirePathSize(command, 2);
            TableRef ref = TableAt(context, Head(command.path()), command.path(1), "ObjectInfoCommand");
            ViewInfo view = services.views.Get(ref);
            auto* out = response.mutable_viewinfo();
            out->add_path(ObjectNameOf(ref.branch, view.bucket));
            out->set_viewname(view.name);
            for (const auto& column : view.columns) *out->add_columns() = ColumnInfoOf(column);
            break;
          }
          default:
            throw InvalidArgument("unknown_object_type",
                                  "Unknown object \"" + std::to_string(command.expectedobjecttype()) + "\".");
        }
        return response;
      });

  registry.Add<info::ListSchemasCommand>(
      Access::kRead, [](const info::ListSchemasCommand&, CommandContext& context) {
        info::ListSchemasResponse response;
        for (const auto& bucket : context.services.buckets.ListNames(context.Branch()))
          response.add_schemas(bucket);
        return response;
      });
}

}  // namespace duckstore::driver
