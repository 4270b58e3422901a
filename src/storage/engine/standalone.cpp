#include "duckstore/storage/engine/standalone.hpp"

#include <duckdb.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <fstream>

#include "duckstore/common/error.hpp"
#include "duckstore/storage/engine/confined_database.hpp"

namespace duckstore {
namespace {

namespace fs = std::filesystem;

// A DuckDB database file starts with its main header: an 8-byte checksum, then the magic bytes "DUCK".
bool HasDuckDbHeader(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 12> head{};
  if (!in.read(head.data(), head.size())) return false;
  return std::string_view(head.data() + 8, 4) == "DUCK";
}

// Whether `path` (lexically normal, absolute) lies strictly inside `dir`.
bool Inside(const fs::path& path, const fs::path& dir) {
  auto relative = path.lexically_relative(dir);
  return !relative.empty() && relative != "." && *relative.begin() != "..";
}

}  // namespace

StandaloneDatabase::StandaloneDatabase(const fs::path& path, const fs::path& temp_dir,
                                       const EngineLimits& limits)
    : last_used_(std::chrono::steady_clock::now()) {
  // Only the spill directory is reachable: SQL stored in the file cannot read anything else.
  db_ = OpenConfinedDatabase(path, temp_dir, temp_dir, limits, DatabaseAccess::kReadOnly);
}

StandaloneDatabase::~StandaloneDatabase() = default;

std::unique_ptr<duckdb::Connection> StandaloneDatabase::Connect() {
  return std::make_unique<duckdb::Connection>(*db_);
}

StandaloneDatabases::StandaloneDatabases(const fs::path& dir, fs::path temp_dir, EngineLimits limits,
                                         std::chrono::seconds idle_close)
    : temp_dir_(std::move(temp_dir)), limits_(std::move(limits)), idle_close_(idle_close) {
  if (dir.empty()) return;
  std::error_code error;
  dir_ = fs::canonical(dir, error);
  if (error || !fs::is_directory(dir_)) {
    throw InvalidArgument("invalid_config", "das-databases-dir '" + dir.string() + "' is not a directory");
  }
  idle_closer_ = std::make_unique<PeriodicTask>(
      "das_idle_close",
      std::clamp<std::chrono::seconds>(idle_close_, std::chrono::seconds(1), std::chrono::seconds(5)),
      [this] { CloseIdle(); });
}

StandaloneDatabases::~StandaloneDatabases() {
  idle_closer_.reset();
  CloseAll();
}

std::string StandaloneDatabases::Resolve(const std::string& path) const {
  if (!enabled()) {
    throw InvalidArgument("databases_disabled",
                          "this server exposes no standalone databases (--das-databases-dir is not set)");
  }
  if (path.empty()) throw InvalidArgument("invalid_database", "the database path is empty");
  fs::path given(path);
  for (const auto& part : given) {
    if (part == "..") throw InvalidArgument("invalid_database", "a database path must not contain '..'");
  }
  fs::path full = (given.is_absolute() ? given : dir_ / given).lexically_normal();
  auto outside = [&] {
    return Error(ErrorKind::kPermissionDenied, "database_outside_directory",
                 "database '" + path + "' is outside the databases directory");
  };
  if (!Inside(full, dir_)) throw outside();
  std::error_code error;
  fs::path canonical = fs::canonical(full, error);
  if (error) throw InvalidArgument("invalid_database", "database '" + path + "' does not exist");
  if (!Inside(canonical, dir_)) throw outside();  // a symlink leads out
  if (!fs::is_regular_file(canonical, error) || !HasDuckDbHeader(canonical)) {
    throw InvalidArgument("invalid_database", "'" + path + "' is not a DuckDB database file");
  }
  return canonical.lexically_relative(dir_).generic_string();
}

std::shared_ptr<StandaloneDatabase> StandaloneDatabases::Open(const std::string& name) {
  std::string canonical = Resolve(name);
  std::lock_guard lock(mutex_);
  if (auto it = open_.find(canonical); it != open_.end()) {
    it->second->last_used_ = std::chrono::steady_clock::now();
    return it->second;
  }
  std::error_code error;
  fs::create_directories(temp_dir_, error);
  std::shared_ptr<StandaloneDatabase> db;
  try {
    db = std::make_shared<StandaloneDatabase>(dir_ / canonical, temp_dir_, limits_);
  } catch (const duckdb::IOException& e) {
    duckdb::ErrorData data(e);
    if (data.RawMessage().find("lock") != std::string::npos) {
      throw Error(ErrorKind::kUnavailable, "database_locked",
                  "database '" + canonical + "' is being written by another process; retry later");
    }
    throw InvalidArgument("invalid_database",
                          "database '" + canonical + "' cannot be opened: " + data.RawMessage());
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw InvalidArgument("invalid_database", "database '" + canonical +
                                                  "' cannot be opened: " + duckdb::ErrorData(e).RawMessage());
  }
  open_.emplace(canonical, db);
  spdlog::debug("opened standalone database {}", canonical);
  return db;
}

void StandaloneDatabases::CloseAll() {
  std::lock_guard lock(mutex_);
  open_.clear();
}

void StandaloneDatabases::CloseIdle() {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  for (auto it = open_.begin(); it != open_.end();) {
    if (it->second.use_count() == 1 && now - it->second->last_used_ >= idle_close_) {
      spdlog::debug("closing idle standalone database {}", it->first);
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace duckstore
