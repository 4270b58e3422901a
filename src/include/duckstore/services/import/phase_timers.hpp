// Wall-clock timers of the phases of an import or export, reported in its result (the contract's
// `timers`): each phase is timed once, in the order it ran.
#pragma once

#include <chrono>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "duckstore/services/import/import_request.hpp"

namespace duckstore {

class PhaseTimers {
 public:
  // Runs `body` and records its duration under `name` (also when it throws: the failed phase took time
  // too, but a failed import reports no timers, so only the successful path is ever seen).
  template <typename Body>
  auto Time(std::string name, Body&& body) {
    Stopwatch watch(*this, std::move(name));
    return body();
  }

  const std::vector<Timer>& timers() const { return timers_; }
  std::vector<Timer> Take() { return std::move(timers_); }
  void Append(std::vector<Timer> more) {
    for (auto& timer : more) timers_.push_back(std::move(timer));
  }

 private:
  struct Stopwatch {
    Stopwatch(PhaseTimers& owner, std::string name) : owner(owner), name(std::move(name)) {}
    ~Stopwatch() {
      owner.timers_.push_back(
          {std::move(name),
           std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()});
    }
    PhaseTimers& owner;
    std::string name;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  };

  std::vector<Timer> timers_;
};

}  // namespace duckstore
