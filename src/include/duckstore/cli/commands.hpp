// The client subcommands of `duckstore` (beside `serve`): each talks to a server over the REST API with the
// caller's key and has no powers of its own. Results go to stdout in the --output format, progress and
// errors to stderr; errors carry the server's stable code. Exit codes: 0 ok, 1 error, 2 usage.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "duckstore/cli/output.hpp"
#include "duckstore/cli/rest_client.hpp"
#include "duckstore/cli/settings.hpp"

namespace duckstore::cli {

// The options every client subcommand shares (set on the root command, so they go anywhere on the line).
struct ClientOptions {
  EndpointFlags endpoint;
  std::string output = "table";
  std::string project;
  std::string branch = "default";
  bool terminal = false;  // stderr is a TTY: draw progress in place

  RestClient Client() const;
  OutputFormat Format() const { return ParseOutputFormat(output); }
  // --project, required by project-level commands; throws ApiError("missing_project") when absent.
  const std::string& Project() const;
  std::string ProjectPath() const;  // /projects/<project>
  std::string BranchPath() const;   // /projects/<project>/branches/<branch>
  std::string TablePath(const std::string& bucket, const std::string& table) const;
  void Print(const nlohmann::json& rows, const std::vector<std::string>& columns = {}) const;
};

// A value of a subcommand (positional `name`, or an option when `name` starts with '-'), owned by the
// subcommand's callback.
std::shared_ptr<std::string> Value(CLI::App& command, const std::string& name, const std::string& help,
                                   bool required = true);
// Every item of a paged listing ({"<field>": [...], "total"}), fetched 1000 at a time.
nlohmann::json ListAll(const RestClient& client, const std::string& path, const std::string& field);

// Registers the subcommands on `app`; `options` must outlive the parse.
void AddClientCommands(CLI::App& app, ClientOptions& options);

// Subcommand families (commands_*.cpp).
void AddProjectCommands(CLI::App& app, ClientOptions& options);
void AddDataCommands(CLI::App& app, ClientOptions& options);
void AddTransferCommands(CLI::App& app, ClientOptions& options);
void AddQueryCommand(CLI::App& app, ClientOptions& options);
void AddHistoryCommands(CLI::App& app, ClientOptions& options);

// Polls job `job_id` of the project until it ends, showing its phase; returns the finished job, throws
// ApiError with the job's error code when it failed or was cancelled.
nlohmann::json FollowJob(const ClientOptions& options, const RestClient& client, const std::string& job_id);

// Bash or zsh completion for the commands of `app`, generated from their definitions.
std::string CompletionScript(const CLI::App& app, const std::string& shell);

}  // namespace duckstore::cli
