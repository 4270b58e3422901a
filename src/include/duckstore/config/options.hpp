// What Config and PgSettings share about `serve` options: an option's flag, environment variable and help,
// and the variables found in the environment turned into `--flag=value` arguments.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace duckstore {

struct OptionSpec {
  const char* flag;
  const char* env;
  const char* help;
};

std::vector<std::string> EnvironmentArgumentsOf(std::span<const OptionSpec> options);

}  // namespace duckstore
