// `serve` options kept beside Config rather than in it, handed to App directly. Their rows are in
// config.cpp's option table, so the environment (DUCKSTORE_*) and the config file set them like every other
// option. (They sit outside config.hpp because nearly every source includes that header through engine.hpp.)
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace duckstore {

struct MetricsOptions {
  // A scraper's bearer token for GET /metrics (the admin key works too); empty: none.
  std::string token;

  // Registers --metrics-token on `serve`.
  void AddOptions(CLI::App& serve);
  // Throws Error(kInvalidArgument, "invalid_config") for a token too short to be a secret.
  void Validate() const;
};

}  // namespace duckstore
