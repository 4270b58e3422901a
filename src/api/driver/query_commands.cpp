// ExecuteQuery: SQL (one statement or a script) scoped to the bucket in pathRestriction[0]. Errors DuckDB
// reports about the text (parse, bind, execution) and timeouts are answered in-band (status Error +
// message), as the contract requires; errors about the command (credentials, scope, role) are errors.
// A snowflakeRole restriction runs the statement under that read-only role (QueryService: the role of the
// path's branch, a granted bucket, SELECT only); BigQuery service accounts have no equivalent here.
#include "duckstore/api/driver/commands.hpp"
#include "duckstore/api/driver/support.hpp"
#include "duckstore/common/error.hpp"
#include "keboola/storage_driver/execute_query.pb.h"

namespace duckstore::driver {

namespace query = keboola::storageDriver::command::executeQuery;

namespace {

constexpr std::chrono::seconds kDefaultTimeout{3600};

}  // namespace

void AddQueryCommands(CommandRegistry& registry) {
  registry.Add<query::ExecuteQueryCommand>(
      Access::kWrite,
      [](const query::ExecuteQueryCommand& command, CommandContext& context) {
        if (command.has_bigqueryserviceaccount()) {
          throw Error(ErrorKind::kUnimplemented, "command_not_supported",
                      "ExecuteQueryCommand restrictions by BigQuery service account are not supported; use "
                      "snowflakeRole with a read-only role");
        }
        std::optional<std::string> role;
        if (command.has_snowflakerole()) {
          role = Require(command.snowflakerole().rolename(), "ExecuteQueryCommand.snowflakeRole.roleName");
        }
        BucketRef scope =
            RefBucketOf(command.pathrestriction(), context, "ExecuteQueryCommand.pathRestriction");
        auto timeout = command.timeout() ? std::chrono::seconds(command.timeout()) : kDefaultTimeout;
        QueryResult result = context.services.queries.Execute(
            scope.branch, scope.bucket, Require(command.query(), "ExecuteQueryCommand.query"), timeout, role);
        query::ExecuteQueryResponse response;
        response.set_status(result.ok ? query::ExecuteQueryResponse::Success
                                      : query::ExecuteQueryResponse::Error);
        response.set_message(result.message);
        auto* data = response.mutable_data();
        for (const auto& column : result.columns) data->add_columns(column);
        // NULL has no place in a map<string,string>: the column is left out of that row's fields.
        for (const auto& row : result.rows) {
          auto* fields = data->add_rows()->mutable_fields();
          for (size_t c = 0; c < row.size(); ++c) {
            if (row[c]) (*fields)[result.columns[c]] = *row[c];
          }
        }
        return response;
      },
      [](const query::ExecuteQueryCommand& command) { return BranchOfPath(command.pathrestriction()); });
}

}  // namespace duckstore::driver
