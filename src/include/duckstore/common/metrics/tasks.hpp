// Runs of the server's background tasks in the metrics: duckstore_background_task_runs_total{task} and
// duckstore_background_task_last_duration_seconds{task}. `task` is one of a fixed set of names chosen in
// code (docs/design/operations.md lists them), never a value from a request.
#pragma once

#include <chrono>
#include <string>

namespace duckstore::metrics {

// Times one run of `task` from construction to destruction and records it then, whether the run returned
// or threw.
class TaskRun {
 public:
  explicit TaskRun(std::string task);
  ~TaskRun();
  TaskRun(const TaskRun&) = delete;
  TaskRun& operator=(const TaskRun&) = delete;

 private:
  std::string task_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace duckstore::metrics
