// Table data: PreviewTable, DeleteTableRows, CreateView, CreateProfileTable, CreateTableFromTimeTravel.
#include <google/protobuf/struct.pb.h>

#include <set>

#include "duckstore/api/driver/commands.hpp"
#include "duckstore/api/driver/support.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::driver {
namespace {

// The contract's preview limits: 0 means the default (100); more than 1000 is rejected by the service.
int64_t PreviewLimit(int32_t requested) {
  return requested == 0 ? kPreviewDefaultLimit : requested;
}

}  // namespace

void AddTableDataCommands(CommandRegistry& registry) {
  registry.Add<table::PreviewTableCommand>(Access::kRead, [](const table::PreviewTableCommand& command,
                                                             CommandContext& context) {
    TableRef ref = TableAt(context, command.path(), command.tablename(), "PreviewTableCommand");
    if (command.columns().empty())
      throw InvalidArgument("invalid_request", "PreviewTableCommand.columns is required");
    std::set<std::string> seen;
    for (const auto& column : command.columns()) {
      if (!seen.insert(column).second)
        throw InvalidArgument("invalid_request", "PreviewTableCommand.columns has '" + column + "' twice");
    }
    PreviewRequest request;
    request.columns.assign(command.columns().begin(), command.columns().end());
    request.order_by = OrderOf(command.orderby());
    const auto& filters = command.filters();
    request.limit = PreviewLimit(filters.limit());
    request.filters = FiltersOf(filters.wherefilters());
    if (!filters.fulltextsearch().empty()) request.fulltext = filters.fulltextsearch();
    request.changed = ChangeWindowOf(filters.changesince(), filters.changeuntil());
    request.as_text = true;
    PreviewResult result = context.services.tables.Preview(ref, request);

    std::set<std::pair<size_t, size_t>> truncated(result.truncated.begin(), result.truncated.end());
    table::PreviewTableResponse response;
    for (const auto& name : result.columns) response.add_columns(name);
    for (size_t r = 0; r < result.rows.size(); ++r) {
      auto* row = response.add_rows();
      for (size_t c = 0; c < result.columns.size(); ++c) {
        auto* cell = row->add_columns();
        cell->set_columnname(result.columns[c]);
        const auto& value = result.rows[r][c];
        if (value.is_null()) {
          cell->mutable_value()->set_null_value(google::protobuf::NULL_VALUE);
        } else {
          cell->mutable_value()->set_string_value(value.get<std::string>());
        }
        cell->set_istruncated(truncated.count({r, c}) > 0);
      }
    }
    return response;
  });

  // No conditions at all truncates the table.
  registry.Add<table::DeleteTableRowsCommand>(Access::kWrite, [](const table::DeleteTableRowsCommand& command,
                                                                 CommandContext& context) {
    TableRef ref = TableAt(context, command.path(), command.tablename(), "DeleteTableRowsCommand");
    DeleteRowsRequest request;
    request.filters = FiltersOf(command.wherefilters());
    request.changed = ChangeWindowOf(command.changesince(), command.changeuntil());
    for (const auto& filter : command.wherereftablefilters()) {
      RefTableFilter ref_filter;
      ref_filter.column = Require(filter.column(), "WhereRefTableFilter.column");
      ref_filter.negate = filter.operator_() == table::DeleteTableRowsCommand::WhereRefTableFilter::NOT_IN;
      BucketRef ref_bucket = RefBucketOf(filter.refpath(), context, "WhereRefTableFilter.refPath");
      RequireSameBranch(ref.branch, ref_bucket.branch, "WhereRefTableFilter.refPath");
      ref_filter.ref_bucket = ref_bucket.bucket;
      ref_filter.ref_table = Require(filter.reftable(), "WhereRefTableFilter.refTable");
      ref_filter.ref_column = Require(filter.refcolumn(), "WhereRefTableFilter.refColumn");
      request.ref_filters.push_back(std::move(ref_filter));
    }
    DeleteRowsResult result = context.services.tables.DeleteRows(ref, request);
    TableInfo after = context.services.tables.Get(ref);
    table::DeleteTableRowsResponse response;
    response.set_deletedrowscount(result.deleted_rows);
    response.set_tablerowscount(after.row_count);
    response.set_tablesizebytes(after.size_bytes);
    return response;
  });

  // sourcePath empty = the view's own bucket; columns empty = every column. Replaces a view of that name.
  registry.Add<table::CreateViewCommand>(
      Access::kWrite, [](const table::CreateViewCommand& command, CommandContext& context) {
        TableRef view = TableAt(context, command.path(), command.viewname(), "CreateViewCommand");
        ViewDefinition definition;
        definition.source.branch = view.branch;
        definition.source.bucket = view.bucket;
        if (!command.sourcepath().empty()) {
          BucketRef source = BucketAt(context, command.sourcepath(), "CreateViewCommand.sourcePath");
          RequireSameBranch(view.branch, source.branch, "CreateViewCommand.sourcePath");
          definition.source.bucket = source.bucket;
        }
        definition.source.table = Require(command.sourcetablename(), "CreateViewCommand.sourceTableName");
        definition.columns.assign(command.columns().begin(), command.columns().end());
        definition.filters = FiltersOf(command.wherefilters());
        context.services.views.CreateOrReplace(view, definition);
      });

  registry.Add<table::CreateProfileTableCommand>(
      Access::kRead, [](const table::CreateProfileTableCommand& command, CommandContext& context) {
        TableRef ref = TableAt(context, command.path(), command.tablename(), "CreateProfileTableCommand");
        TableProfile profile = context.services.tables.Profile(ref);
        table::CreateProfileTableResponse response;
        response.add_path(ObjectNameOf(ref.branch, profile.bucket));
        response.set_tablename(profile.table);
        response.set_profile(profile.profile.dump());
        for (const auto& [name, column_profile] : profile.columns) {
          auto* column = response.add_columns();
          column->set_name(name);
          column->set_profile(column_profile.dump());
        }
        return response;
      });

  registry.Add<table::CreateTableFromTimeTravelCommand>(
      Access::kWrite,
      [](const table::CreateTableFromTimeTravelCommand& command, CommandContext& context) {
        const auto& source = command.source();
        TableRef from =
            TableAt(context, source.path(), source.tablename(), "CreateTableFromTimeTravelCommand.source");
        TableRef to = TableAt(context, command.destination().path(), command.destination().tablename(),
                              "CreateTableFromTimeTravelCommand.destination");
        return TableResponse(context.services.tables.CreateFromTimeTravel(from, to, command.timestamp()),
                             to.branch);
      },
      [](const table::CreateTableFromTimeTravelCommand& command) {
        return BranchOfPath(command.destination().path());
      });
}

}  // namespace duckstore::driver
