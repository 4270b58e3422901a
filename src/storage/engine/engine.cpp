#include "duckstore/storage/engine/engine.hpp"

#include <duckdb.hpp>
#include "duckdb/storage/buffer_manager.hpp"

#include <spdlog/spdlog.h>

#include <optional>
#include <vector>

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/common/scope_exit.hpp"
#include "duckstore/storage/engine/confined_database.hpp"
#include "duckstore/storage/engine/project_metadata_history.hpp"
#include "duckstore/storage/engine/project_schema.hpp"

namespace duckstore {
namespace {

constexpr const char* kDatabaseFile = "project.duckdb";
constexpr auto kDropWait = std::chrono::seconds(30);
constexpr auto kHistoryExpiryPeriod = std::chrono::minutes(10);

void RunOrThrow(duckdb::Connection& conn, const std::string& sql) {
  RunSetupSql(conn, sql, "engine");
}

}  // namespace

ProjectDatabase::ProjectDatabase(std::string project_id, std::filesystem::path root,
                                 const EngineLimits& limits)
    : project_id_(std::move(project_id)),
      root_(std::move(root)),
      last_used_(std::chrono::steady_clock::now()) {
  db_ = OpenConfinedDatabase(root_ / kDatabaseFile, root_, root_ / "tmp", limits, DatabaseAccess::kReadWrite);
  duckdb::Connection conn(*db_);
  ApplyProjectSchema(conn, SchemaKind::kHistory);
}

ProjectDatabase::~ProjectDatabase() {
  if (!db_) return;
  try {
    duckdb::Connection conn(*db_);
    for (const auto& alias : attached_) conn.Query("CHECKPOINT " + QuoteIdent(alias));
    conn.Query("CHECKPOINT");
  } catch (const std::exception& e) {
    spdlog::warn("checkpoint of project {} failed on close: {}", project_id_, e.what());
  }
}

std::unique_ptr<duckdb::Connection> ProjectDatabase::Connect() {
  return std::make_unique<duckdb::Connection>(*db_);
}

std::unique_lock<std::mutex> ProjectDatabase::LockTable(const std::string& schema, const std::string& table) {
  return LockTable(kProjectCatalog, schema, table);
}

std::unique_lock<std::mutex> ProjectDatabase::LockTable(const std::string& database,
                                                        const std::string& schema, const std::string& table) {
  std::string key =
      database + '\0' + duckdb::StringUtil::Lower(schema) + '\0' + duckdb::StringUtil::Lower(table);
  std::mutex* table_mutex;
  {
    std::lock_guard lock(table_locks_mutex_);
    auto& slot = table_locks_[key];
    if (!slot) slot = std::make_unique<std::mutex>();
    table_mutex = slot.get();
  }
  return std::unique_lock(*table_mutex);
}

std::filesystem::path ProjectDatabase::AttachedPath(AttachedKind kind, const std::string& id) const {
  ValidateId(id, kind == AttachedKind::kBranch ? "branch id" : "workspace id");
  return root_ / (kind == AttachedKind::kBranch ? "branches" : "workspaces") / (id + ".duckdb");
}

namespace {

std::string AliasOf(AttachedKind kind, const std::string& id) {
  return (kind == AttachedKind::kBranch ? "_duckstore_branch_" : "_duckstore_workspace_") + id;
}

}  // namespace

std::string ProjectDatabase::Attach(AttachedKind kind, const std::string& id, bool create) {
  auto path = AttachedPath(kind, id);
  std::string alias = AliasOf(kind, id);
  std::lock_guard lock(attach_mutex_);
  if (attached_.contains(alias)) return alias;
  if (!std::filesystem::exists(path)) {
    if (!create) throw NotFound("storage_not_found", "the storage of '" + id + "' does not exist");
    std::filesystem::create_directories(path.parent_path());
  }
  duckdb::Connection conn(*db_);
  RunOrThrow(conn, "ATTACH " + QuoteLiteral(path.string()) + " AS " + QuoteIdent(alias));
  CheckpointReplayedWal(conn, alias);
  RunOrThrow(conn, "USE " + QuoteIdent(alias));
  ApplyProjectSchema(conn, kind == AttachedKind::kBranch ? SchemaKind::kHistory : SchemaKind::kPlain);
  attached_.insert(alias);
  return alias;
}

void ProjectDatabase::DropAttached(AttachedKind kind, const std::string& id) {
  auto path = AttachedPath(kind, id);
  std::string alias = AliasOf(kind, id);
  std::lock_guard lock(attach_mutex_);
  if (attached_.contains(alias)) {
    duckdb::Connection conn(*db_);
    RunOrThrow(conn, "DETACH " + QuoteIdent(alias));
    attached_.erase(alias);
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + ".wal");
}

Engine::Engine(std::filesystem::path projects_dir, EngineLimits limits)
    : projects_dir_(std::move(projects_dir)),
      limits_(std::move(limits)),
      project_memory_bytes_(ParseByteSize(limits_.project_memory_limit)),
      memory_cap_bytes_(ParseByteSize(limits_.memory_cap)) {
  std::filesystem::create_directories(projects_dir_);
  idle_closer_ = std::make_unique<PeriodicTask>("idle_close", std::chrono::seconds(5), [this] {
    std::lock_guard lock(mutex_);
    EvictIdleLocked(/*make_room=*/false);
  });
  // Table history past each open project's retention (docs/design/history.md); a database held meanwhile
  // is not evicted.
  history_expiry_ = std::make_unique<PeriodicTask>("history_expiry", kHistoryExpiryPeriod, [this] {
    std::vector<std::shared_ptr<ProjectDatabase>> expiring;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [id, db] : open_) expiring.push_back(db);
    }
    for (const auto& db : expiring) {
      try {
        auto conn = db->Connect();
        int64_t forgotten = ExpireRetainedHistory(*conn);
        if (forgotten > 0)
          spdlog::info("project {}: {} expired table changes forgotten", db->project_id(), forgotten);
      } catch (const std::exception& e) {
        spdlog::warn("project {}: history expiry failed: {}", db->project_id(), e.what());
      }
    }
  });
}

Engine::~Engine() {
  history_expiry_.reset();
  idle_closer_.reset();
  CloseAll();
}

std::filesystem::path Engine::ProjectDir(const std::string& project_id) const {
  ValidateId(project_id, "project id");
  return projects_dir_ / project_id;
}

bool Engine::ProjectExists(const std::string& project_id) const {
  return std::filesystem::exists(ProjectDir(project_id) / kDatabaseFile);
}

void Engine::CreateProject(const std::string& project_id) {
  auto dir = ProjectDir(project_id);
  if (std::filesystem::exists(dir / kDatabaseFile)) {
    throw Conflict("project_exists", "storage of project '" + project_id + "' already exists");
  }
  std::filesystem::create_directories(dir / "tmp");
  Open(project_id);  // creates project.duckdb with the internal schema
}

std::shared_ptr<ProjectDatabase> Engine::Open(const std::string& project_id) {
  auto dir = ProjectDir(project_id);
  std::promise<std::shared_ptr<ProjectDatabase>> opened;
  {
    std::unique_lock lock(mutex_);
    if (dropping_.contains(project_id)) {
      throw NotFound("project_not_found", "project '" + project_id + "' is being deleted");
    }
    if (auto it = open_.find(project_id); it != open_.end()) {
      it->second->last_used_ = std::chrono::steady_clock::now();
      return it->second;
    }
    if (auto pending = opening_.find(project_id); pending != opening_.end()) {
      auto future = pending->second;
      lock.unlock();
      return future.get();  // the opener's database, or its exception
    }
    if (!std::filesystem::exists(dir / "tmp")) {
      throw NotFound("project_not_found", "project '" + project_id + "' has no storage");
    }
    EvictIdleLocked(/*make_room=*/true);
    if (AtCapacityLocked()) {
      throw Error(ErrorKind::kUnavailable, "engine_at_capacity",
                  "every open project database is in use and the memory cap is reached; retry shortly",
                  {{"open_projects", open_.size()}, {"memory_cap", limits_.memory_cap}});
    }
    opening_.emplace(project_id, opened.get_future().share());
  }
  // Opening can take a while (WAL replay); it runs outside the lock so other projects are served meanwhile,
  // and concurrent requests for this project wait for this one open.
  try {
    auto db = std::make_shared<ProjectDatabase>(project_id, dir, limits_);
    {
      std::lock_guard lock(mutex_);
      opening_.erase(project_id);
      open_.emplace(project_id, db);
    }
    opened.set_value(db);
    spdlog::debug("opened project database {}", project_id);
    return db;
  } catch (...) {
    {
      std::lock_guard lock(mutex_);
      opening_.erase(project_id);
    }
    opened.set_exception(std::current_exception());
    throw;
  }
}

bool Engine::AtCapacityLocked() const {
  size_t reserved = open_.size() + opening_.size();
  return reserved >= limits_.max_open_projects || (reserved + 1) * project_memory_bytes_ > memory_cap_bytes_;
}

void Engine::EvictIdleLocked(bool make_room) {
  auto now = std::chrono::steady_clock::now();
  auto idle_limit = std::chrono::seconds(limits_.idle_close_seconds);
  // Close databases unused past the idle limit; when making room, also the least recently used idle one.
  std::string lru;
  for (auto it = open_.begin(); it != open_.end();) {
    bool unused = it->second.use_count() == 1;
    if (unused && now - it->second->last_used_ >= idle_limit) {
      spdlog::debug("closing idle project database {}", it->first);
      it = open_.erase(it);
      continue;
    }
    if (unused && (lru.empty() || it->second->last_used_ < open_[lru]->last_used_)) lru = it->first;
    ++it;
  }
  bool full = open_.size() >= limits_.max_open_projects ||
              (open_.size() + 1) * project_memory_bytes_ > memory_cap_bytes_;
  if (make_room && full && !lru.empty()) open_.erase(lru);
}

void Engine::DropProject(const std::string& project_id) {
  auto dir = ProjectDir(project_id);
  std::optional<std::shared_future<std::shared_ptr<ProjectDatabase>>> pending_open;
  {
    std::lock_guard lock(mutex_);
    if (!dropping_.insert(project_id).second) {
      throw Conflict("project_busy", "project '" + project_id + "' is already being deleted");
    }
    if (auto pending = opening_.find(project_id); pending != opening_.end()) pending_open = pending->second;
  }
  // Whatever happens below, the project stops being "dropping" (a failed drop can be retried).
  ScopeExit done([&] {
    std::lock_guard lock(mutex_);
    dropping_.erase(project_id);
  });
  if (pending_open) pending_open->wait();  // an open that started before the drop finishes first
  std::shared_ptr<ProjectDatabase> db;
  {
    std::lock_guard lock(mutex_);
    if (auto it = open_.find(project_id); it != open_.end()) {
      db = std::move(it->second);
      open_.erase(it);
    }
  }
  if (db) {
    auto deadline = std::chrono::steady_clock::now() + kDropWait;
    while (db.use_count() > 1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (db.use_count() > 1) {
      std::lock_guard lock(mutex_);
      open_.emplace(project_id, std::move(db));  // still in use: keep serving it, let the caller retry
      throw Error(ErrorKind::kConflict, "project_busy",
                  "project '" + project_id + "' is still in use; retry");
    }
    db.reset();
  }
  std::filesystem::remove_all(dir);
}

void Engine::CloseAll() {
  std::lock_guard lock(mutex_);
  open_.clear();
}

EngineStats Engine::Stats() {
  std::lock_guard lock(mutex_);
  return EngineStats{open_.size(), open_.size() * project_memory_bytes_, memory_cap_bytes_};
}

std::vector<ProjectMemory> Engine::MemoryByProject() {
  std::lock_guard lock(mutex_);
  std::vector<ProjectMemory> usage;
  usage.reserve(open_.size());
  for (const auto& [id, db] : open_) {
    auto used = duckdb::BufferManager::GetBufferManager(*db->db_->instance).GetUsedMemory();
    usage.push_back({id, static_cast<uint64_t>(used)});
  }
  return usage;
}

void Engine::Probe() {
  duckdb::DuckDB db(nullptr);
  duckdb::Connection conn(db);
  auto result = conn.Query("SELECT 1");
  if (result->HasError()) throw Error(ErrorKind::kUnavailable, "engine_unavailable", result->GetError());
}

}  // namespace duckstore
