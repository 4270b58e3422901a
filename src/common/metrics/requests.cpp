#include "duckstore/common/metrics/requests.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/metrics/registry.hpp"

namespace duckstore::metrics {
namespace {

struct RequestFamilies {
  CounterFamily& requests;
  HistogramFamily& duration;
  CounterFamily& errors;
  CounterFamily& received;
  CounterFamily& sent;
  GaugeFamily& in_flight;
};

// Registered on first use, in the process registry.
RequestFamilies& Families() {
  static RequestFamilies families{
      Registry::Default().Counter("duckstore_requests_total",
                                  "Requests served, per door, operation and outcome (ok, client_error, "
                                  "server_error).",
                                  {"door", "operation", "outcome"}, 2000),
      Registry::Default().Histogram("duckstore_request_duration_seconds",
                                    "Time from a request's arrival to its response, per door and operation.",
                                    {"door", "operation"}, LatencyBuckets(), 1000),
      Registry::Default().Counter("duckstore_request_errors_total",
                                  "Failed requests per door and stable error code (docs/design/errors.md).",
                                  {"door", "code"}, 1000),
      Registry::Default().Counter("duckstore_received_bytes_total",
                                  "Request bytes received (bodies and messages), per door.", {"door"}),
      Registry::Default().Counter("duckstore_sent_bytes_total",
                                  "Response bytes sent (bodies and messages), per door.", {"door"}),
      Registry::Default().Gauge("duckstore_requests_in_flight", "Requests being served now, per door.",
                                {"door"}),
  };
  return families;
}

std::string_view OutcomeLabel(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kClientError:
      return "client_error";
    case Outcome::kServerError:
      return "server_error";
  }
  return "ok";
}

}  // namespace

Outcome OutcomeOfStatus(int http_status) {
  if (http_status >= 500) return Outcome::kServerError;
  if (http_status >= 400) return Outcome::kClientError;
  return Outcome::kOk;
}

std::string ErrorCodeOf(const std::exception& error) {
  if (const auto* known = dynamic_cast<const Error*>(&error)) return known->code();
  return "internal_error";
}

Outcome OutcomeOfError(const std::exception& error) {
  const auto* known = dynamic_cast<const Error*>(&error);
  return known ? OutcomeOfStatus(HttpStatusOf(known->kind())) : Outcome::kServerError;
}

void RecordRequest(const RequestRecord& record) {
  auto& families = Families();
  families.requests.With({record.door, record.operation, OutcomeLabel(record.outcome)}).Add();
  families.duration.With({record.door, record.operation})
      .Observe(std::chrono::duration<double>(record.elapsed).count());
  if (record.outcome != Outcome::kOk) {
    families.errors.With({record.door, record.error_code.empty() ? "unknown" : record.error_code}).Add();
  }
}

void RecordBytes(std::string_view door, uint64_t received, uint64_t sent) {
  auto& families = Families();
  if (received) families.received.With({door}).Add(static_cast<double>(received));
  if (sent) families.sent.With({door}).Add(static_cast<double>(sent));
}

InFlight::InFlight(std::string_view door) : gauge_(Families().in_flight.With({door})) {
  gauge_.Add(1);
}

InFlight::~InFlight() {
  gauge_.Add(-1);
}

}  // namespace duckstore::metrics
