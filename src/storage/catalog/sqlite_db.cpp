#include "duckstore/storage/catalog/sqlite_db.hpp"

#include "duckstore/common/error.hpp"

namespace duckstore {
namespace {

[[noreturn]] void Fail(sqlite3* db, int rc) {
  int extended = db ? sqlite3_extended_errcode(db) : rc;
  std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if ((extended & 0xFF) == SQLITE_CONSTRAINT) throw Conflict("catalog_constraint", message);
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
}

SqliteDb::~SqliteDb() {
  sqlite3_close(db_);
}

void SqliteDb::Exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw Internal("catalog error: " + message);
  }
}

SqliteStatement SqliteDb::Prepare(const std::string& sql) {
  return SqliteStatement(db_, sql);
}

SqliteStatement::SqliteStatement(sqlite3* db, const std::string& sql) : db_(db) {
  Check(sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr));
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

SqliteStatement::~SqliteStatement() {
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
  int rc = sqlite3_step(stmt_);
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
