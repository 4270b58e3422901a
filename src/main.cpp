// duckstore: a multi-tenant storage and data-access service over DuckDB. `duckstore serve` runs the server;
// the other subcommands are the command-line client (src/cli), which talks to a server over REST.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>

#include "duckstore/cli/commands.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/log.hpp"
#include "duckstore/config/config.hpp"
#include "duckstore/config/pg_settings.hpp"
#include "duckstore/config/serve_options.hpp"
#include "duckstore/server/app.hpp"

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "duckstore: DuckDB as a multi-tenant storage backend (REST, S3, Keboola driver, DAS, PostgreSQL)"};
  cli.require_subcommand(1);
  cli.fallthrough();  // inherited by every subcommand: the client options may go anywhere on the line
  duckstore::Config config;
  duckstore::MetricsOptions metrics;
  auto* serve = cli.add_subcommand("serve", "run the server over one data directory");
  config.AddOptions(cli, *serve);
  metrics.AddOptions(*serve);
  duckstore::PgSettings pg;
  pg.AddOptions(*serve);
  cli.add_subcommand("version", "print the version")->callback([] {
    std::cout << DUCKSTORE_VERSION << "\n";
  });
  duckstore::cli::ClientOptions client;
  duckstore::cli::AddClientCommands(cli, client);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "serve") {
    auto env = duckstore::Config::EnvironmentArguments();
    auto pg_env = duckstore::PgSettings::EnvironmentArguments();
    env.insert(env.end(), pg_env.begin(), pg_env.end());
    args.insert(args.begin() + 1, env.begin(), env.end());
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector of arguments last-first
  try {
    cli.parse(args);
  } catch (const CLI::ParseError& e) {
    int code = cli.exit(e);  // prints the help, or the usage error
    return code == 0 ? 0 : kExitUsage;
  } catch (const duckstore::cli::ApiError& e) {
    // The server's stable error code first, as scripts match on it.
    std::cerr << "duckstore: error " << e.code() << ": " << e.what();
    if (e.status()) std::cerr << " (HTTP " << e.status() << ")";
    std::cerr << "\n";
    return kExitError;
  } catch (const std::exception& e) {
    std::cerr << "duckstore: error: " << e.what() << "\n";
    return kExitError;
  }

  if (serve->parsed()) {
    try {
      config.Validate();
      metrics.Validate();
      pg.Validate();
      duckstore::log::Init(
          config.log_format == "json" ? duckstore::log::Format::kJson : duckstore::log::Format::kText,
          config.log_level);
      return duckstore::App(config, metrics, pg).Run();
    } catch (const std::exception& e) {
      std::cerr << "duckstore: " << e.what() << "\n";
      return 1;
    }
  }
  return 0;
}
