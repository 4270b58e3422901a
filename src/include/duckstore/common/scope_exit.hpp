// Runs a callable when the scope ends, however it ends (return, exception, coroutine destruction).
#pragma once

#include <utility>

namespace duckstore {

template <typename F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ~ScopeExit() { f_(); }
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;

 private:
  F f_;
};

}  // namespace duckstore
