#include "duckstore/storage/catalog/sqlite_db.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include <spdlog/spdlog.h>

#include "duckstore/common/disk_full.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/metrics/registry.hpp"

namespace duckstore {

// The catalog's share of a full disk (see the header): a file of kBytes held next to the database.
class SpaceReserve {
 public:
  static constexpr off_t kBytes = off_t{8} << 20;

  explicit SpaceReserve(std::string path) : path_(std::move(path)) { MaybeRestore(); }

  // Frees the reserve; false when it was not held.
  bool Release() {
    if (!held_) return false;
    held_ = false;
    next_check_ = std::chrono::steady_clock::now() + kCheckEvery;
    ::unlink(path_.c_str());
    spdlog::warn("the data directory's filesystem is full: the catalog released its {} MiB reserve",
                 kBytes >> 20);
    return true;
  }

  // Takes the reserve (again) when the filesystem has room for it several times over.
  void MaybeRestore() {
    if (path_.empty() || held_ || std::chrono::steady_clock::now() < next_check_) return;
    next_check_ = std::chrono::steady_clock::now() + kCheckEvery;
    if (::access(path_.c_str(), F_OK) == 0) {
      held_ = true;  // kept from an earlier run
      return;
    }
    std::string dir = path_.substr(0, path_.find_last_of('/') + 1);
    struct statvfs fs {};
    if (::statvfs(dir.empty() ? "." : dir.c_str(), &fs) != 0) return;
    if (static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize < 4 * static_cast<uint64_t>(kBytes)) return;
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return;
    held_ = ::posix_fallocate(fd, 0, kBytes) == 0;
    ::close(fd);
    if (!held_) ::unlink(path_.c_str());
  }

 private:
  static constexpr std::chrono::seconds kCheckEvery{5};
  std::string path_;
  bool held_ = false;
  std::chrono::steady_clock::time_point next_check_{};
};

namespace {

bool IsFull(int rc) {
  return (rc & 0xFF) == SQLITE_FULL;
}

[[noreturn]] void Fail(sqlite3* db, int rc) {
  int extended = db ? sqlite3_extended_errcode(db) : rc;
  std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if ((extended & 0xFF) == SQLITE_CONSTRAINT) throw Conflict("catalog_constraint", message);
  if ((extended & 0xFF) == SQLITE_FULL) throw DiskFull("catalog write failed: " + message);
  throw Internal("catalog error: " + message);
}

}  // namespace

SqliteDb::SqliteDb(const std::string& path) {
  int rc = sqlite3_open_v2(path.c_str(), &db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    throw Internal("cannot open catalog " + path + ": " + message);
  }
  sqlite3_busy_timeout(db_, 10'000);
  reserve_ = std::make_unique<SpaceReserve>(path == ":memory:" ? std::string() : path + ".reserve");
}

SqliteDb::~SqliteDb() {
  sqlite3_close(db_);
}

namespace {

enum class OperationKind { kRead = 0, kWrite = 1, kTransaction = 2 };

void RecordOperation(OperationKind kind, std::chrono::steady_clock::duration elapsed) {
  static auto& family = metrics::Registry::Default().Histogram(
      "duckstore_catalog_operation_duration_seconds",
      "Time a catalog (SQLite) statement spent in SQLite, by kind: read, write or transaction control.",
      {"kind"}, metrics::ShortLatencyBuckets());
  static metrics::Histogram* const series[] = {&family.With({"read"}), &family.With({"write"}),
                                               &family.With({"transaction"})};
  series[static_cast<int>(kind)]->Observe(std::chrono::duration<double>(elapsed).count());
}

// BEGIN, COMMIT, END, ROLLBACK, SAVEPOINT, RELEASE: what SqliteDb::Exec runs besides DDL and PRAGMAs.
bool IsTransactionControl(const std::string& sql) {
  for (const char* word : {"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"}) {
    if (sqlite3_strnicmp(sql.c_str(), word, static_cast<int>(std::strlen(word))) == 0) return true;
  }
  return false;
}

}  // namespace

void SqliteDb::Exec(const std::string& sql) {
  reserve_->MaybeRestore();
  bool autocommit = sqlite3_get_autocommit(db_) != 0;
  char* error = nullptr;
  auto started = std::chrono::steady_clock::now();
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (IsFull(rc) && reserve_->Release() && autocommit) {
    sqlite3_free(error);
    error = nullptr;
    rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  }
  RecordOperation(IsTransactionControl(sql) ? OperationKind::kTransaction : OperationKind::kWrite,
                  std::chrono::steady_clock::now() - started);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    if (IsFull(rc)) throw DiskFull("catalog write failed: " + message);
    throw Internal("catalog error: " + message);
  }
}

SqliteStatement SqliteDb::Prepare(const std::string& sql) {
  return SqliteStatement(db_, reserve_.get(), sql);
}

SqliteStatement::SqliteStatement(sqlite3* db, SpaceReserve* reserve, const std::string& sql)
    : db_(db), reserve_(reserve) {
  Check(sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr));
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_),
      reserve_(other.reserve_),
      stmt_(other.stmt_),
      busy_(other.busy_),
      stepped_(other.stepped_) {
  other.stmt_ = nullptr;
  other.stepped_ = false;
}

SqliteStatement::~SqliteStatement() {
  if (stepped_) {
    RecordOperation(sqlite3_stmt_readonly(stmt_) ? OperationKind::kRead : OperationKind::kWrite, busy_);
  }
  sqlite3_finalize(stmt_);
}

void SqliteStatement::Check(int rc) const {
  if (rc != SQLITE_OK) Fail(db_, rc);
}

SqliteStatement& SqliteStatement::Bind(int index, const std::string& value) {
  Check(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, const std::optional<std::string>& value) {
  if (!value) {
    Check(sqlite3_bind_null(stmt_, index));
    return *this;
  }
  return Bind(index, *value);
}

SqliteStatement& SqliteStatement::Bind(int index, int64_t value) {
  Check(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

bool SqliteStatement::Step() {
  reserve_->MaybeRestore();
  auto started = std::chrono::steady_clock::now();
  int rc = sqlite3_step(stmt_);
  // A write outside a transaction that found the disk full was rolled back whole: once more with the
  // reserve's space.
  if (IsFull(rc) && reserve_->Release() && sqlite3_get_autocommit(db_) != 0) {
    sqlite3_reset(stmt_);
    rc = sqlite3_step(stmt_);
  }
  busy_ += std::chrono::steady_clock::now() - started;
  stepped_ = true;
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Fail(db_, rc);
}

void SqliteStatement::Run() {
  while (Step()) {
  }
}

std::string SqliteStatement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return text ? std::string(text, sqlite3_column_bytes(stmt_, column)) : std::string();
}

std::optional<std::string> SqliteStatement::OptionalText(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return Text(column);
}

int64_t SqliteStatement::Int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

}  // namespace duckstore
