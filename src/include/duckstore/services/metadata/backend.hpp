// The storage backend as a whole (the Keboola driver's InitBackend): checks that this server can hold
// projects at all before a stack starts using it.
#pragma once

#include "duckstore/storage/catalog/catalog.hpp"
#include "duckstore/storage/engine/engine.hpp"

namespace duckstore {

class BackendService {
 public:
  BackendService(Catalog& catalog, Engine& engine) : catalog_(catalog), engine_(engine) {}

  // Verifies the catalog answers, the projects directory is a writable directory and DuckDB runs a query.
  // Collects every problem and throws one kInvalidArgument("backend_init_failed") listing them in
  // details.problems.
  void Check();

 private:
  Catalog& catalog_;
  Engine& engine_;
};

}  // namespace duckstore
