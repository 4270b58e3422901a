#include "duckstore/storage/engine/periodic_task.hpp"

#include "duckstore/common/metrics/tasks.hpp"

namespace duckstore {

PeriodicTask::PeriodicTask(std::string name, std::chrono::milliseconds period, std::function<void()> task)
    : name_(std::move(name)), period_(period), task_(std::move(task)), thread_([this] { Loop(); }) {}

PeriodicTask::~PeriodicTask() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
}

void PeriodicTask::Loop() {
  std::unique_lock lock(mutex_);
  while (!stop_cv_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    {
      metrics::TaskRun run(name_);
      task_();
    }
    lock.lock();
  }
}

}  // namespace duckstore
