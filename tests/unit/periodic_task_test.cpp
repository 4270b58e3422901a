// The background thread that closes idle databases: it runs its task at the period, never after the
// destructor returned, and counts its runs in the metrics under its name.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "duckstore/common/metrics/registry.hpp"
#include "duckstore/storage/engine/periodic_task.hpp"

namespace duckstore {
namespace {

// The sample of `family`{task="<task>"} in the process's registry (0 when absent).
double TaskSample(const std::string& family, const std::string& task) {
  for (const auto& snapshot : metrics::Registry::Default().Snapshot()) {
    if (snapshot.name != family) continue;
    for (const auto& sample : snapshot.samples)
      if (sample.label_values == std::vector<std::string>{task}) return sample.value;
  }
  return 0;
}

TEST(PeriodicTask, RunsAtItsPeriodUntilDestroyed) {
  std::atomic<int> runs = 0;
  {
    PeriodicTask task("unit_test_task", std::chrono::milliseconds(10), [&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      ++runs;
    });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (runs < 3 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(runs.load(), 3);
  int after = runs.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(runs.load(), after);
  EXPECT_EQ(TaskSample("duckstore_background_task_runs_total", "unit_test_task"), after);
  EXPECT_GE(TaskSample("duckstore_background_task_last_duration_seconds", "unit_test_task"), 0.002);
}

TEST(PeriodicTask, DestroyingDoesNotWaitForThePeriod) {
  std::atomic<int> runs = 0;
  auto started = std::chrono::steady_clock::now();
  {
    PeriodicTask task("unit_test_idle", std::chrono::hours(1), [&] { ++runs; });
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(runs.load(), 0);
}

}  // namespace
}  // namespace duckstore
