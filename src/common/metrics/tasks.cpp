#include "duckstore/common/metrics/tasks.hpp"

#include "duckstore/common/metrics/registry.hpp"

namespace duckstore::metrics {
namespace {

struct TaskMetrics {
  CounterFamily& runs = Registry::Default().Counter(
      "duckstore_background_task_runs_total", "Runs of a background task, finished or failed.", {"task"});
  GaugeFamily& last_duration =
      Registry::Default().Gauge("duckstore_background_task_last_duration_seconds",
                                "Duration of the last finished run of a background task.", {"task"});
};

TaskMetrics& Metrics() {
  static TaskMetrics metrics;
  return metrics;
}

}  // namespace

TaskRun::TaskRun(std::string task) : task_(std::move(task)), started_(std::chrono::steady_clock::now()) {}

TaskRun::~TaskRun() {
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started_;
  auto& metrics = Metrics();
  metrics.runs.With({task_}).Add();
  metrics.last_duration.With({task_}).Set(elapsed.count());
}

}  // namespace duckstore::metrics
