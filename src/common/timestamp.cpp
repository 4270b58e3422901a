#include "duckstore/common/timestamp.hpp"

#include <cstdio>
#include <ctime>

namespace duckstore {

std::string IsoTimestamp(std::chrono::system_clock::time_point at) {
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count() % 1000;
  std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%S", &utc);
  char out[40];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buffer, static_cast<int>(millis));
  return out;
}

}  // namespace duckstore
