// `duckstore query`: SQL against a project's branch, scoped to one bucket, through the storage driver's
// ExecuteQuery command over POST /driver/execute (protobuf JSON): the REST API has no SQL endpoint, and
// ExecuteQuery is the server's SQL entry point for a project key (docs/design/operations.md). Rows are
// printed in the --output format; an error DuckDB reports about the text goes to stderr with exit code 1.
#include <iostream>
#include <iterator>

#include "duckstore/cli/commands.hpp"

namespace duckstore::cli {
namespace {

constexpr const char* kTypePrefix = "type.googleapis.com/keboola.storageDriver.";

// The driver's name of a bucket: the bucket of the default branch as is, "<branch>/<bucket>" on a dev
// branch (api/driver/object_names.hpp).
std::string BucketObjectName(const std::string& branch, const std::string& bucket) {
  return branch == "default" ? bucket : branch + "/" + bucket;
}

}  // namespace

void AddQueryCommand(CLI::App& app, ClientOptions& o) {
  auto* query = app.add_subcommand(
      "query", "run SQL on the branch, scoped to one bucket (tables by bare name; other buckets qualified)");
  auto bucket = Value(*query, "--bucket", "the bucket the statement runs in (its schema is the default)");
  auto sql = Value(*query, "sql", "the SQL text: one statement or a script ('-' reads it from stdin)");
  auto timeout = std::make_shared<int>(0);
  query
      ->add_option("--timeout", *timeout, "seconds before the statement is cancelled (default: the server's)")
      ->check(CLI::Range(0, 86400));
  query->callback([&o, bucket, sql, timeout] {
    std::string text = *sql;
    if (text == "-") text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    Endpoint endpoint = ResolveEndpoint(o.endpoint);
    nlohmann::json command = {
        {"@type", std::string(kTypePrefix) + "command.executeQuery.ExecuteQueryCommand"},
        {"pathRestriction", {BucketObjectName(o.branch, *bucket)}},
        {"query", text}};
    if (*timeout > 0) command["timeout"] = *timeout;
    nlohmann::json request = {{"credentials",
                               {{"@type", std::string(kTypePrefix) + "credentials.GenericBackendCredentials"},
                                {"host", o.Project()},
                                {"principal", endpoint.api_key}}},
                              {"command", command}};
    auto response = RestClient(endpoint.url, endpoint.api_key).Call("POST", "/driver/execute", request);
    const auto& result = response["commandResponse"];
    if (result.value("status", "") != "Success")
      throw ApiError(0, "query_failed", result.value("message", "the query failed"));
    nlohmann::json data = result.value("data", nlohmann::json::object());
    std::vector<std::string> columns = data.value("columns", std::vector<std::string>{});
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : data.value("rows", nlohmann::json::array())) {
      // NULL travels as an absent field.
      nlohmann::json out = nlohmann::json::object();
      const auto& fields = row.value("fields", nlohmann::json::object());
      for (const auto& column : columns) out[column] = fields.contains(column) ? fields[column] : nullptr;
      rows.push_back(std::move(out));
    }
    if (o.Format() == OutputFormat::kJson) return o.Print({{"columns", columns}, {"rows", rows}});
    if (!columns.empty()) o.Print(rows, columns);
    if (!result.value("message", "").empty()) std::cerr << result["message"].get<std::string>() << "\n";
  });
}

}  // namespace duckstore::cli
