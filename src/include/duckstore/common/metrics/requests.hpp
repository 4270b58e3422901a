// The one code path every door reports its requests through, so a new door gets request metrics by calling
// it at the single place where it sees each request (the HTTP server for REST and S3, the driver dispatcher,
// the gRPC interceptor for DAS): counts and latency per door and operation, errors per stable error code,
// bytes in and out, requests in flight. `operation` must come from a bounded set (a route template, an S3
// operation, a driver command, an RPC method), never from a name the caller chose.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

namespace duckstore::metrics {

class Gauge;

enum class Outcome { kOk, kClientError, kServerError };

// The outcome of an HTTP status: 5xx server errors, 4xx client errors, the rest ok.
Outcome OutcomeOfStatus(int http_status);
// The stable code of a failure: duckstore::Error's code, "internal_error" for anything else.
std::string ErrorCodeOf(const std::exception& error);
// The outcome of a failure: server error for internal, unavailable and timeout kinds (and non-Errors).
Outcome OutcomeOfError(const std::exception& error);

struct RequestRecord {
  std::string_view door;
  std::string_view operation;
  Outcome outcome = Outcome::kOk;
  std::string_view error_code;  // when the outcome is not ok
  std::chrono::steady_clock::duration elapsed{};
};

void RecordRequest(const RequestRecord& record);
void RecordBytes(std::string_view door, uint64_t received, uint64_t sent);

// Counts a request in duckstore_requests_in_flight{door} for its lifetime.
class InFlight {
 public:
  explicit InFlight(std::string_view door);
  ~InFlight();
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  Gauge& gauge_;
};

}  // namespace duckstore::metrics
