// Small translation helpers shared by the command handlers: paths, required fields, Any payloads.
#pragma once

#include <google/protobuf/any.pb.h>
#include <google/protobuf/repeated_ptr_field.h>

#include <string>

#include "duckstore/api/driver/context.hpp"
#include "duckstore/services/import/import_request.hpp"
#include "duckstore/services/model/table_model.hpp"
#include "keboola/storage_driver/info.pb.h"
#include "keboola/storage_driver/table.pb.h"

namespace duckstore::driver {

// The one element of a bucket-level `path` ([bucket object name]); kInvalidArgument naming `field`
// ("CreateTableCommand.path is required and size must equal 1") otherwise.
std::string SingleBucket(const google::protobuf::RepeatedPtrField<std::string>& path,
                         const std::string& field);

// Buckets and tables as commands address them. EVERY handler resolves bucket object names through these
// (never by hand): they read the branch out of the name (object_names.hpp: "<bucket>" on the default
// branch, "<branch id>/<bucket>" on a dev branch) and authorize the caller for that branch
// (CommandContext::BranchNamed), so each command acts on the branch its names denote, with that branch's
// copy-on-write semantics, and a branch-bound key reaches no other branch.
struct BucketRef {
  BranchRef branch;
  std::string bucket;  // the bucket's name on that branch (no branch prefix)
};

// The bucket an object name denotes (`field` names the command field in errors).
BucketRef BucketNamed(const CommandContext& context, const std::string& object_name,
                      const std::string& field);

// The bucket of a bucket-level `path` ([bucket object name]).
BucketRef BucketAt(const CommandContext& context, const google::protobuf::RepeatedPtrField<std::string>& path,
                   const std::string& field);

// A bucket named by a path that may lead with the project's database: [bucket] or [database, bucket].
BucketRef RefBucketOf(const google::protobuf::RepeatedPtrField<std::string>& path,
                      const CommandContext& context, const std::string& field);

// A table addressed by path = [bucket object name] and a table name.
TableRef TableAt(const CommandContext& context, const google::protobuf::RepeatedPtrField<std::string>& path,
                 const std::string& table, const std::string& command);

// kInvalidArgument("cross_branch_reference") unless `other` (named by `field`) is on `branch`: a command
// works on one branch; a reference (refPath, sourcePath) to another branch's bucket is refused.
void RequireSameBranch(const BranchRef& branch, const BranchRef& other, const std::string& field);

// The object name answered for a bucket of `branch` (response paths, CreateBucket, LinkBucket).
std::string ObjectNameOf(const BranchRef& branch, const std::string& bucket);

// The `ignoreErrors` flag upstream marks deprecated; Connection may still send it, so it is honoured.
template <typename Command>
bool IgnoreErrors(const Command& command) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  return command.ignoreerrors();
#pragma GCC diagnostic pop
}

// kInvalidArgument("<field> is required") when `value` is empty.
std::string Require(const std::string& value, const std::string& field);

namespace info = keboola::storageDriver::command::info;
namespace table = keboola::storageDriver::command::table;

// A column definition from TableColumnShared: the DuckDB type is `type` with `length` as its parameters
// ("DECIMAL" + "12,2" -> "DECIMAL(12,2)"); an empty default means none (proto3 cannot tell them apart).
ColumnDefinition ColumnOf(const table::TableColumnShared& column);

// info.TableInfo of a table of `branch`: columns with the base type and its parameters split into type and
// length ("DECIMAL(12,2)" -> "DECIMAL", "12,2"), path = [bucket object name].
info::TableInfo TableInfoOf(const TableInfo& table, const BranchRef& branch);
info::TableInfo::TableColumn ColumnInfoOf(const ColumnInfo& column);

// ObjectInfoResponse{path, TABLE, tableInfo}: what table-changing commands answer.
info::ObjectInfoResponse TableResponse(const TableInfo& table, const BranchRef& branch);

// Where a FilePath points in duckstore's object store: bucket = root, key = path + "/" + fileName (only the
// non-empty parts; for exports fileName is the prefix of the slices and the manifest). Only provider S3
// exists here (ABS, GCS: kUnimplemented "file_provider_not_supported", driver code 900).
ObjectLocation ObjectAt(table::ImportExportShared::FileProvider provider,
                        const table::ImportExportShared::FilePath& path);

// Keboola's filter data types as DuckDB types (STRING -> VARCHAR, INTEGER/BIGINT -> BIGINT,
// DOUBLE/REAL/DECIMAL -> DOUBLE, TIMESTAMP -> TIMESTAMP).
std::string DuckTypeOf(table::ImportExportShared::DataType type);

// whereFilters as typed column filters: one value -> the operator; several -> IN / NOT IN (only eq, ne).
std::vector<ColumnFilter> FiltersOf(
    const google::protobuf::RepeatedPtrField<table::ImportExportShared::TableWhereFilter>& filters);

// orderBy: a non-STRING dataType orders by TRY_CAST to that type.
std::vector<OrderBy> OrderOf(
    const google::protobuf::RepeatedPtrField<table::ImportExportShared::ExportOrderBy>& order_by);

// changeSince / changeUntil: numeric unix seconds or empty.
ChangeWindow ChangeWindowOf(const std::string& since, const std::string& until);

}  // namespace duckstore::driver
