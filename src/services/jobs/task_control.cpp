#include "duckstore/services/jobs/task_control.hpp"

#include <duckdb.hpp>

#include "duckstore/common/error.hpp"

namespace duckstore {

void TaskControl::Cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  if (conn_) conn_->Interrupt();
}

void TaskControl::Checkpoint() const {
  if (cancelled_) throw Error(ErrorKind::kCancelled, "cancelled", "the operation was cancelled");
}

void TaskControl::Attach(duckdb::Connection* conn) {
  std::lock_guard lock(mutex_);
  conn_ = conn;
  if (!conn) return;
  // Client settings of this connection only: track progress from the start, never print it.
  auto& config = duckdb::ClientConfig::GetConfig(*conn->context);
  config.enable_progress_bar = true;
  config.print_progress_bar = false;
  config.wait_time = 0;
  if (cancelled_) conn->Interrupt();
}

void TaskControl::SetPhase(std::string phase, int64_t bytes_total) {
  std::lock_guard lock(mutex_);
  phase_ = std::move(phase);
  if (bytes_total > 0) bytes_total_ = bytes_total;
}

TaskProgress TaskControl::Progress() const {
  std::lock_guard lock(mutex_);
  TaskProgress out;
  out.phase = phase_;
  out.bytes_total = bytes_total_;
  if (conn_) {
    auto progress = conn_->context->GetQueryProgress();
    out.percentage = progress.GetPercentage();
    out.rows_processed = static_cast<int64_t>(progress.GetRowsProcesseed());
    out.rows_total = static_cast<int64_t>(progress.GetTotalRowsToProcess());
    if (out.percentage >= 0 && bytes_total_ > 0) {
      out.bytes_processed = static_cast<int64_t>(static_cast<double>(bytes_total_) * out.percentage / 100.0);
    }
  }
  return out;
}

AttachedConnection::AttachedConnection(TaskControl* control, duckdb::Connection& conn) : control_(control) {
  if (control_) control_->Attach(&conn);
}

AttachedConnection::~AttachedConnection() {
  if (control_) control_->Attach(nullptr);
}

}  // namespace duckstore
