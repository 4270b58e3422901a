// Process-wide structured logging on top of spdlog.
//
// Every line carries the id of the request being served on the current thread (empty outside requests);
// transports install it with ScopedRequestId for the duration of a request. In JSON mode each line is one
// object {"ts","level","request_id","msg"}; in text mode a readable line with the id in brackets.
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace duckstore::log {

enum class Format { kText, kJson };

// Throws Error(kInvalidArgument) for an unknown level name.
void Init(Format format, std::string_view level);

const std::string& CurrentRequestId();
// A fresh random id (hex) for requests that arrive without one.
std::string NewRequestId();

class ScopedRequestId {
 public:
  explicit ScopedRequestId(std::string id);
  ~ScopedRequestId();
  ScopedRequestId(const ScopedRequestId&) = delete;
  ScopedRequestId& operator=(const ScopedRequestId&) = delete;

 private:
  std::string previous_;
};

}  // namespace duckstore::log
