#include "duckstore/services/audit/operation_log.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/log.hpp"
#include "duckstore/common/metrics/registry.hpp"

namespace duckstore {
namespace {

thread_local nlohmann::json current_context = nlohmann::json::object();

// Every logged operation in the metrics too: the operation names are the services' constants
// ("table.import", "bucket.create"...) and the outcome "ok" or a stable error code, so the labels are
// bounded.
struct OperationMetrics {
  metrics::CounterFamily& total = metrics::Registry::Default().Counter(
      "duckstore_operations_total",
      "Operations of the operations log (mutations, imports, exports) by outcome: ok or the error code.",
      {"operation", "outcome"});
  metrics::HistogramFamily& duration = metrics::Registry::Default().Histogram(
      "duckstore_operation_duration_seconds", "Duration of the operations of the operations log.",
      {"operation"}, metrics::LatencyBuckets());
};

void RecordMetrics(const std::string& operation, const std::string& status,
                   std::chrono::steady_clock::duration elapsed) {
  static OperationMetrics families;
  families.total.With({operation, status}).Add();
  families.duration.With({operation}).Observe(std::chrono::duration<double>(elapsed).count());
}

}  // namespace

ScopedOperationContext::ScopedOperationContext(nlohmann::json details)
    : previous_(std::exchange(current_context, std::move(details))) {}

ScopedOperationContext::~ScopedOperationContext() {
  current_context = std::move(previous_);
}

const nlohmann::json& ScopedOperationContext::Current() {
  return current_context;
}

void OperationLog::Record(const std::string& project_id, const std::string& operation,
                          const std::string& resource, std::chrono::steady_clock::time_point started,
                          const std::string& status) {
  auto elapsed = std::chrono::steady_clock::now() - started;
  RecordMetrics(operation, status, elapsed);
  Operation op;
  op.at = NowTimestamp();
  op.request_id = log::CurrentRequestId();
  op.project_id = project_id;
  op.operation = operation;
  op.resource = resource;
  op.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  op.status = status;
  op.details = ScopedOperationContext::Current();
  try {
    catalog_.AppendOperation(op);
  } catch (const std::exception& e) {
    spdlog::warn("cannot record operation {} on {}: {}", operation, resource, e.what());
  }
}

std::string OperationLog::CodeOf(const std::exception& e) {
  if (const auto* error = dynamic_cast<const Error*>(&e)) return error->code();
  return "internal_error";
}

}  // namespace duckstore
