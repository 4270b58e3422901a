// The background thread that closes idle databases: it runs its task at the period, and never after the
// destructor returned.
#include <gtest/gtest.h>

#include <atomic>

#include "duckstore/storage/engine/periodic_task.hpp"

namespace duckstore {
namespace {

TEST(PeriodicTask, RunsAtItsPeriodUntilDestroyed) {
  std::atomic<int> runs = 0;
  {
    PeriodicTask task(std::chrono::milliseconds(10), [&] { ++runs; });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (runs < 3 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(runs.load(), 3);
  int after = runs.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(runs.load(), after);
}

TEST(PeriodicTask, DestroyingDoesNotWaitForThePeriod) {
  std::atomic<int> runs = 0;
  auto started = std::chrono::steady_clock::now();
  {
    PeriodicTask task(std::chrono::hours(1), [&] { ++runs; });
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(runs.load(), 0);
}

}  // namespace
}  // namespace duckstore
