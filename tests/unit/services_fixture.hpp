// A test fixture with every service wired over a fresh catalog and engine in a temporary directory (the
// admin key is "admin-key").
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "duckstore/services/services.hpp"
#include "test_util.hpp"

namespace duckstore::testing {

class ServicesFixture : public ::testing::Test {
 protected:
  static EngineLimits SmallLimits() {
    EngineLimits limits;
    limits.project_memory_limit = "128MB";
    limits.project_threads = 1;
    limits.memory_cap = "1GB";
    return limits;
  }

  TempDir dir_;
  std::unique_ptr<Catalog> catalog_ = OpenSqliteCatalog((dir_ / "catalog.db").string());
  Engine engine_{dir_ / "projects", SmallLimits()};
  Services services_{*catalog_, engine_, dir_.path(), 1 << 20, "admin-key", "master-key"};
};

}  // namespace duckstore::testing
