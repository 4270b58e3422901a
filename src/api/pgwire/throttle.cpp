#include "duckstore/api/pgwire/throttle.hpp"

namespace duckstore::pgwire {

void LoginThrottle::Expire(std::deque<Clock::time_point>& failures, Clock::time_point now) {
  while (!failures.empty() && now - failures.front() >= window_) failures.pop_front();
}

bool LoginThrottle::Allowed(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(address);
  if (it == failures_.end()) return true;
  Expire(it->second, now);
  if (it->second.empty()) {
    failures_.erase(it);
    return true;
  }
  return it->second.size() < max_failures_;
}

void LoginThrottle::Failed(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  // Drop addresses whose failures all expired, so scanning addresses cannot grow the map without bound.
  for (auto it = failures_.begin(); it != failures_.end();) {
    Expire(it->second, now);
    it = it->second.empty() ? failures_.erase(it) : std::next(it);
  }
  failures_[address].push_back(now);
}

}  // namespace duckstore::pgwire
