// `duckstore serve`: owns the storage layer, the services and every listener for the life of the process.
#pragma once

#include <memory>

#include "duckstore/config/config.hpp"
#include "duckstore/config/pg_settings.hpp"
#include "duckstore/config/serve_options.hpp"

namespace duckstore {

class App {
 public:
  App(Config config, MetricsOptions metrics, PgSettings pg);
  ~App();
  // Starts every listener, blocks until SIGINT or SIGTERM, then shuts down gracefully. Returns the exit code.
  int Run();

 private:
  struct State;
  Config config_;
  MetricsOptions metrics_;
  PgSettings pg_;
  std::unique_ptr<State> state_;
};

}  // namespace duckstore
