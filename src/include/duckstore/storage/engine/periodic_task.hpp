// A background thread that runs one task at a fixed period: what closes idle databases (Engine,
// StandaloneDatabases) and times SQL sessions out. The task runs on that thread only, never after the
// destructor returns. Each run is counted and timed in the metrics under the task's name (common/metrics/
// tasks.hpp).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace duckstore {

class PeriodicTask {
 public:
  // Starts the thread; `task` first runs one `period` from now. `name` is its metrics label (a fixed word,
  // "idle_close").
  PeriodicTask(std::string name, std::chrono::milliseconds period, std::function<void()> task);
  // Stops the thread, waiting for a run in progress to finish.
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

 private:
  void Loop();

  const std::string name_;
  const std::chrono::milliseconds period_;
  const std::function<void()> task_;
  std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the members it uses exist
};

}  // namespace duckstore
