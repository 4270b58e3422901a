// Standalone DuckDB files: databases that are not a duckstore project (an analyst's .duckdb file, a file
// another process produces) served read-only, e.g. as a DAS. Every file lies in one configured directory;
// a client names a file by its path relative to it and can never reach a file outside it.
//
// Files are opened READ_ONLY: DuckDB then takes a shared file lock, so other processes may read the same
// file at the same time, and duckstore never changes a file it does not own (no checkpoint, no WAL, no
// metadata of ours). An opened file is closed after it has been unused for `idle_close`, which releases
// the lock so that a writer elsewhere can update the file; the next open sees the new contents. While a
// writer in another process holds the file, opening it fails with kUnavailable("database_locked").
//
// Each open file is its own DuckDB instance with the project limits (memory, threads) and the same
// confinement as a project database: no external access (SQL stored in the file, e.g. macros, cannot read
// other files), extensions not auto-loaded, configuration locked.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "duckstore/config/config.hpp"
#include "duckstore/storage/engine/periodic_task.hpp"

namespace duckdb {
class DuckDB;
class Connection;
}  // namespace duckdb

namespace duckstore {

class StandaloneDatabase {
 public:
  StandaloneDatabase(const std::filesystem::path& path, const std::filesystem::path& temp_dir,
                     const EngineLimits& limits);
  ~StandaloneDatabase();
  StandaloneDatabase(const StandaloneDatabase&) = delete;
  StandaloneDatabase& operator=(const StandaloneDatabase&) = delete;

  std::unique_ptr<duckdb::Connection> Connect();

 private:
  friend class StandaloneDatabases;
  std::unique_ptr<duckdb::DuckDB> db_;
  std::chrono::steady_clock::time_point last_used_;
};

class StandaloneDatabases {
 public:
  // `dir` empty: standalone files are disabled (every Resolve is kInvalidArgument "databases_disabled").
  // `temp_dir` (created on demand) is where queries over these files spill.
  StandaloneDatabases(const std::filesystem::path& dir, std::filesystem::path temp_dir, EngineLimits limits,
                      std::chrono::seconds idle_close = std::chrono::seconds(30));
  ~StandaloneDatabases();
  StandaloneDatabases(const StandaloneDatabases&) = delete;
  StandaloneDatabases& operator=(const StandaloneDatabases&) = delete;

  bool enabled() const { return !dir_.empty(); }

  // The canonical name of a client-supplied path: its path relative to the directory, symlinks resolved
  // (stored in registrations; Open takes it). A relative path is taken relative to the directory; an
  // absolute one must lie inside it. Rejected with kInvalidArgument: empty paths, any ".." component,
  // missing or non-regular files, files that are not DuckDB databases ("invalid_database"); with
  // kPermissionDenied: paths or symlinks leading outside the directory ("database_outside_directory").
  std::string Resolve(const std::string& path) const;

  // Opens (or returns the open instance of) a file named by Resolve; it is resolved again, so a file
  // replaced by a symlink to the outside since registration is refused. kUnavailable("database_locked")
  // while another process writes it; kInvalidArgument("invalid_database") if DuckDB cannot read it.
  std::shared_ptr<StandaloneDatabase> Open(const std::string& name);

  // Closes every instance (shutdown); instances still in use close when their last user lets go.
  void CloseAll();

 private:
  void CloseIdle();

  std::filesystem::path dir_;  // canonical; empty when disabled
  std::filesystem::path temp_dir_;
  EngineLimits limits_;
  std::chrono::seconds idle_close_;
  std::mutex mutex_;
  // By canonical name. Opens run under `mutex_`: they are short, and two instances of one file never
  // coexist.
  std::map<std::string, std::shared_ptr<StandaloneDatabase>> open_;
  std::unique_ptr<PeriodicTask> idle_closer_;  // null when disabled
};

}  // namespace duckstore
