// duckstore: a multi-tenant storage and data-access service over DuckDB.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>

#include "duckstore/common/error.hpp"
#include "duckstore/common/log.hpp"
#include "duckstore/config/config.hpp"
#include "duckstore/config/pg_settings.hpp"
#include "duckstore/server/app.hpp"

int main(int argc, char** argv) {
  CLI::App cli{
      "duckstore: DuckDB as a multi-tenant storage backend (REST, S3, Keboola driver, DAS, PostgreSQL)"};
  cli.require_subcommand(1);
  duckstore::Config config;
  auto* serve = cli.add_subcommand("serve", "run the server over one data directory");
  config.AddOptions(cli, *serve);
  duckstore::PgSettings pg;
  pg.AddOptions(*serve);
  cli.add_subcommand("version", "print the version")->callback([] {
    std::cout << DUCKSTORE_VERSION << "\n";
  });
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
    return cli.exit(e);
  }

  if (serve->parsed()) {
    try {
      config.Validate();
      pg.Validate();
      duckstore::log::Init(
          config.log_format == "json" ? duckstore::log::Format::kJson : duckstore::log::Format::kText,
          config.log_level);
      return duckstore::App(config, pg).Run();
    } catch (const std::exception& e) {
      std::cerr << "duckstore: " << e.what() << "\n";
      return 1;
    }
  }
  return 0;
}
