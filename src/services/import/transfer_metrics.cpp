#include "duckstore/services/import/transfer_metrics.hpp"

#include "duckstore/common/metrics/registry.hpp"

namespace duckstore {
namespace {

struct TransferMetrics {
  metrics::CounterFamily& runs = metrics::Registry::Default().Counter(
      "duckstore_transfers_total", "Imports and exports that succeeded.", {"direction"});
  metrics::CounterFamily& rows = metrics::Registry::Default().Counter(
      "duckstore_transfer_rows_total", "Rows loaded by imports and written by exports.", {"direction"});
  metrics::CounterFamily& bytes = metrics::Registry::Default().Counter(
      "duckstore_transfer_bytes_total",
      "Source bytes read by imports from files, and bytes written by exports.", {"direction"});
  metrics::HistogramFamily& phases = metrics::Registry::Default().Histogram(
      "duckstore_transfer_phase_duration_seconds", "Duration of each phase of an import or export.",
      {"direction", "phase"}, metrics::LatencyBuckets());
};

}  // namespace

void RecordTransfer(std::string_view direction, int64_t rows, uint64_t bytes,
                    const std::vector<Timer>& timers) {
  static TransferMetrics families;
  families.runs.With({direction}).Add();
  families.rows.With({direction}).Add(static_cast<double>(rows));
  families.bytes.With({direction}).Add(static_cast<double>(bytes));
  for (const auto& timer : timers) families.phases.With({direction, timer.name}).Observe(timer.seconds);
}

}  // namespace duckstore
