#include "duckstore/config/options.hpp"

#include <cstdlib>

namespace duckstore {

std::vector<std::string> EnvironmentArgumentsOf(std::span<const OptionSpec> options) {
  std::vector<std::string> args;
  for (const auto& spec : options) {
    if (const char* value = std::getenv(spec.env)) args.push_back(std::string(spec.flag) + "=" + value);
  }
  return args;
}

}  // namespace duckstore
