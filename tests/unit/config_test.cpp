#include "duckstore/config/config.hpp"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>

#include "duckstore/common/error.hpp"
#include "test_util.hpp"

namespace duckstore {
namespace {

TEST(ParseByteSize, PlainNumbersAreBytes) {
  EXPECT_EQ(ParseByteSize("1000"), 1000u);
  EXPECT_EQ(ParseByteSize("0"), 0u);
  EXPECT_EQ(ParseByteSize("5B"), 5u);
}

TEST(ParseByteSize, DecimalAndBinaryUnits) {
  EXPECT_EQ(ParseByteSize("512MB"), 512'000'000u);
  EXPECT_EQ(ParseByteSize("2GiB"), 2ull << 30);
  EXPECT_EQ(ParseByteSize("8GB"), 8'000'000'000u);
  EXPECT_EQ(ParseByteSize("10KB"), 10'000u);
  EXPECT_EQ(ParseByteSize("10KiB"), 10'240u);
  EXPECT_EQ(ParseByteSize("3MiB"), 3ull << 20);
  EXPECT_EQ(ParseByteSize("1TB"), 1'000'000'000'000u);
  EXPECT_EQ(ParseByteSize("1TiB"), 1ull << 40);
  EXPECT_EQ(ParseByteSize("1.5GB"), 1'500'000'000u);
}

TEST(ParseByteSize, UnitsAreCaseInsensitiveAndMaySpace) {
  EXPECT_EQ(ParseByteSize("512mb"), 512'000'000u);
  EXPECT_EQ(ParseByteSize("2 gib"), 2ull << 30);
  EXPECT_EQ(ParseByteSize("4 GB"), 4'000'000'000u);
}

TEST(ParseByteSize, RejectsMalformedInput) {
  for (const char* bad : {"", "MB", "GB1", "abc", "12XB", "-1GB", "1e3", "1,5GB", "0x10", ".", "..MB",
                          "1..5MB", "1.2.3GB", " 5GB", "5 G B x", "100000000TB", "99999999999999999999"}) {
    EXPECT_DUCKSTORE_ERROR(ParseByteSize(bad), ErrorKind::kInvalidArgument, "invalid_config")
        << "'" << bad << "'";
  }
}

TEST(ConfigValidate, DefaultsAreValid) {
  Config config;
  EXPECT_NO_THROW(config.Validate());
  config.log_format = "json";
  EXPECT_NO_THROW(config.Validate());
  config.engine.project_memory_limit = config.engine.memory_cap;  // equal is fine
  EXPECT_NO_THROW(config.Validate());
}

TEST(ConfigValidate, RejectsInvalidSettings) {
  auto expect_invalid = [](auto change) {
    Config config;
    change(config);
    EXPECT_DUCKSTORE_ERROR(config.Validate(), ErrorKind::kInvalidArgument, "invalid_config");
  };
  expect_invalid([](Config& c) { c.log_format = "xml"; });
  expect_invalid([](Config& c) { c.log_format = "JSON"; });
  expect_invalid([](Config& c) { c.http_workers = 0; });
  expect_invalid([](Config& c) { c.engine.project_threads = 0; });
  expect_invalid([](Config& c) { c.engine.max_open_projects = 0; });
  expect_invalid([](Config& c) {
    c.engine.project_memory_limit = "4GB";
    c.engine.memory_cap = "2GB";
  });
  expect_invalid([](Config& c) { c.engine.memory_cap = "lots"; });
  expect_invalid([](Config& c) { c.engine.project_memory_limit = "2 GigaBytes"; });
  expect_invalid([](Config& c) { c.data_dir = ""; });
}

// Parses like main(): `serve`, then the environment's arguments, then the command line's.
Config ParseServe(std::vector<std::string> command_line) {
  Config config;
  CLI::App root;
  auto* serve = root.add_subcommand("serve");
  config.AddOptions(root, *serve);
  std::vector<std::string> args = {"serve"};
  auto env = Config::EnvironmentArguments();
  args.insert(args.end(), env.begin(), env.end());
  args.insert(args.end(), command_line.begin(), command_line.end());
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last-first
  root.parse(args);
  return config;
}

TEST(ConfigOptions, DefaultsFileEnvironmentFlagsInIncreasingPrecedence) {
  testing::TempDir dir;
  std::filesystem::path file = dir / "duckstore.toml";
  {
    std::ofstream out(file);
    out << "[serve]\nhttp-workers = 3\nmemory-cap = \"4GB\"\nhttp-port = 7000\n";
  }
  ::setenv("DUCKSTORE_MEMORY_CAP", "16GB", 1);
  ::setenv("DUCKSTORE_PROJECT_THREADS", "6", 1);
  Config config;
  try {
    config = ParseServe({"--config", file.string(), "--http-port", "9000", "--project-threads", "5"});
  } catch (...) {
    ::unsetenv("DUCKSTORE_MEMORY_CAP");
    ::unsetenv("DUCKSTORE_PROJECT_THREADS");
    throw;
  }
  ::unsetenv("DUCKSTORE_MEMORY_CAP");
  ::unsetenv("DUCKSTORE_PROJECT_THREADS");

  EXPECT_EQ(config.http_workers, 3u);            // file beats default
  EXPECT_EQ(config.engine.memory_cap, "16GB");   // environment beats file
  EXPECT_EQ(config.http_port, 9000);             // flag beats file
  EXPECT_EQ(config.engine.project_threads, 5u);  // flag beats environment
  EXPECT_EQ(config.grpc_port, 50051);            // default
  EXPECT_NO_THROW(config.Validate());
}

TEST(ConfigOptions, FlagsAlone) {
  Config config =
      ParseServe({"--data-dir", "/srv/duckstore", "--log-format", "json", "--max-open-projects", "3"});
  EXPECT_EQ(config.data_dir, std::filesystem::path("/srv/duckstore"));
  EXPECT_EQ(config.log_format, "json");
  EXPECT_EQ(config.engine.max_open_projects, 3u);
  EXPECT_THROW(ParseServe({"--http-port", "not-a-port"}), CLI::ParseError);
}

}  // namespace
}  // namespace duckstore
