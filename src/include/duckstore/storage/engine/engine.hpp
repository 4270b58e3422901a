// The DuckDB engine: one DuckDB database per project, opened on demand and closed when idle.
//
// Each project is a directory <data>/projects/<id>/ holding project.duckdb (buckets are schemas, tables
// are tables), its files and a spill directory. Every project database is its own DuckDB instance with its
// own memory limit and thread pool, and with file access confined to the project directory
// (enable_external_access=false + allowed_directories, then lock_configuration), so SQL run for one project
// can never read another project's data or arbitrary files. docs/design/engine.md explains the choice.
//
// Thread safety: all methods may be called concurrently. A ProjectDatabase stays open while any
// shared_ptr to it is held; hold it only for the duration of one request.
#pragma once

#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "duckstore/config/config.hpp"
#include "duckstore/storage/engine/periodic_task.hpp"

namespace duckdb {
class DuckDB;
class Connection;
}  // namespace duckdb

namespace duckstore {

// The name of the project database inside its DuckDB instance (DuckDB names it after project.duckdb).
inline constexpr const char* kProjectCatalog = "project";

// Databases attached next to the project database, each its own DuckDB file below the project directory:
// a dev branch's own buckets and tables (branches/<id>.duckdb) and a workspace (workspaces/<id>.duckdb).
enum class AttachedKind { kBranch, kWorkspace };

class ProjectDatabase {
 public:
  ProjectDatabase(std::string project_id, std::filesystem::path root, const EngineLimits& limits);
  ~ProjectDatabase();
  ProjectDatabase(const ProjectDatabase&) = delete;
  ProjectDatabase& operator=(const ProjectDatabase&) = delete;

  const std::string& project_id() const { return project_id_; }
  // The project directory; every path the project's SQL may touch lies below it.
  const std::filesystem::path& root() const { return root_; }
  std::unique_ptr<duckdb::Connection> Connect();

  // Writers of one table are serialized (DuckDB would abort the later of two conflicting writers);
  // writers of different tables run in parallel. The lock is keyed by the lower-cased qualified name,
  // matching DuckDB's case-insensitive identifiers.
  std::unique_lock<std::mutex> LockTable(const std::string& schema, const std::string& table);
  // The same for a table of an attached database (`database` = its alias, or kProjectCatalog).
  std::unique_lock<std::mutex> LockTable(const std::string& database, const std::string& schema,
                                         const std::string& table);

  // Attaches the file of a dev branch or workspace under a reserved alias ("_duckstore_branch_<id>",
  // "_duckstore_workspace_<id>", never a valid bucket name) and returns the alias. The file is created
  // (with the internal schema) when `create`; otherwise a missing file is kNotFound("storage_not_found").
  // Idempotent and thread-safe. The confinement allows it: the file lies below the project directory.
  std::string Attach(AttachedKind kind, const std::string& id, bool create);
  // Detaches the database and deletes its file; a database that is not there is a no-op.
  void DropAttached(AttachedKind kind, const std::string& id);
  std::filesystem::path AttachedPath(AttachedKind kind, const std::string& id) const;

 private:
  friend class Engine;
  std::string project_id_;
  std::filesystem::path root_;
  std::unique_ptr<duckdb::DuckDB> db_;
  std::mutex table_locks_mutex_;
  std::map<std::string, std::unique_ptr<std::mutex>> table_locks_;
  std::mutex attach_mutex_;
  std::set<std::string> attached_;  // aliases
  std::chrono::steady_clock::time_point last_used_;
};

struct EngineStats {
  size_t open_projects = 0;
  uint64_t memory_reserved_bytes = 0;
  uint64_t memory_cap_bytes = 0;
};

// The memory an open project database uses now.
struct ProjectMemory {
  std::string project_id;
  uint64_t used_bytes = 0;
};

class Engine {
 public:
  Engine(std::filesystem::path projects_dir, EngineLimits limits);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Creates the project's directory and empty database; kConflict if it exists.
  void CreateProject(const std::string& project_id);
  // Opens the project's database (or returns the open one). kNotFound if the project has no storage;
  // kUnavailable when the memory cap is reached by databases that are all in use.
  std::shared_ptr<ProjectDatabase> Open(const std::string& project_id);
  // Closes the project's database, waiting (bounded) for in-flight users, and deletes its directory.
  void DropProject(const std::string& project_id);
  bool ProjectExists(const std::string& project_id) const;
  std::filesystem::path ProjectDir(const std::string& project_id) const;
  // The directory holding every project's directory.
  const std::filesystem::path& projects_dir() const { return projects_dir_; }
  const EngineLimits& limits() const { return limits_; }

  // Checkpoints and closes every open database (shutdown).
  void CloseAll();
  EngineStats Stats();
  // Per open project database, the memory its DuckDB buffer manager holds now (data blocks, hash tables,
  // sort runs; within its memory limit). A reading of atomic counters: cheap, for every scrape.
  std::vector<ProjectMemory> MemoryByProject();
  // Opens a database and runs a trivial query; throws when the engine cannot serve.
  void Probe();

 private:
  void EvictIdleLocked(bool make_room);
  // True when no further database may open: databases open or opening reach max-open-projects or the cap.
  bool AtCapacityLocked() const;

  std::filesystem::path projects_dir_;
  EngineLimits limits_;
  uint64_t project_memory_bytes_;
  uint64_t memory_cap_bytes_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<ProjectDatabase>> open_;
  // Databases being opened outside the lock; later requests for the same project wait on the future.
  std::map<std::string, std::shared_future<std::shared_ptr<ProjectDatabase>>> opening_;
  // Projects being dropped: Open refuses them, so no second instance can open the file while the old
  // one waits for its last users (DuckDB's file lock does not stop a second open within one process).
  std::set<std::string> dropping_;
  std::unique_ptr<PeriodicTask> idle_closer_;     // closes databases unused past the idle limit
  std::unique_ptr<PeriodicTask> history_expiry_;  // forgets table history past the retention
};

}  // namespace duckstore
