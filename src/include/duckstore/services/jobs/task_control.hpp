// Lets a caller watch and cancel a long-running import or export from another thread (the job runner).
//
// The engine attaches the DuckDB connection it is running a statement on; Cancel() interrupts that
// statement (Connection::Interrupt) and makes every later Checkpoint() throw kCancelled, so a cancelled
// import rolls back like any failed one. Progress() reads DuckDB's own query progress of the attached
// connection together with the phase the engine reported. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace duckdb {
class Connection;
}

namespace duckstore {

struct TaskProgress {
  std::string phase;            // e.g. "reading_source", "loading", "writing"
  int64_t rows_processed = 0;   // of the running statement, as DuckDB counts them
  int64_t rows_total = 0;       // DuckDB's estimate for the running statement (0 = unknown)
  int64_t bytes_total = 0;      // size of the source or target files, when known
  int64_t bytes_processed = 0;  // bytes_total scaled by the statement's progress
  double percentage = -1;       // of the running statement; -1 = unknown
};

class TaskControl {
 public:
  // Cancels the attached statement and every later one; idempotent.
  void Cancel();
  bool cancelled() const { return cancelled_.load(); }
  // Throws Error(kCancelled, "cancelled") once Cancel() was called.
  void Checkpoint() const;

  // The engine reports which connection runs its statements (nullptr detaches) and the current phase.
  // Attaching enables DuckDB's progress tracking on the connection.
  void Attach(duckdb::Connection* conn);
  void SetPhase(std::string phase, int64_t bytes_total = 0);

  TaskProgress Progress() const;

 private:
  mutable std::mutex mutex_;
  std::atomic<bool> cancelled_{false};
  duckdb::Connection* conn_ = nullptr;
  std::string phase_;
  int64_t bytes_total_ = 0;
};

// Attaches a connection for the lifetime of a scope; a null control is allowed and does nothing.
class AttachedConnection {
 public:
  AttachedConnection(TaskControl* control, duckdb::Connection& conn);
  ~AttachedConnection();
  AttachedConnection(const AttachedConnection&) = delete;
  AttachedConnection& operator=(const AttachedConnection&) = delete;

 private:
  TaskControl* control_;
};

}  // namespace duckstore
