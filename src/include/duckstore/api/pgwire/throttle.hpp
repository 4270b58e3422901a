// Failed PostgreSQL logins per source address: after `max_failures` within `window`, the address may not
// try again until the oldest of them is older than the window. Thread-safe; forgets quiet addresses.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace duckstore::pgwire {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  LoginThrottle(size_t max_failures, std::chrono::seconds window)
      : max_failures_(max_failures), window_(window) {}

  bool Allowed(const std::string& address, Clock::time_point now = Clock::now());
  void Failed(const std::string& address, Clock::time_point now = Clock::now());

 private:
  void Expire(std::deque<Clock::time_point>& failures, Clock::time_point now);

  size_t max_failures_;
  std::chrono::seconds window_;
  std::mutex mutex_;
  std::map<std::string, std::deque<Clock::time_point>> failures_;
};

}  // namespace duckstore::pgwire
