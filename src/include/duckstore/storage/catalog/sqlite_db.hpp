// A thin RAII layer over the SQLite C API: a connection and prepared statements with bound values.
// Errors throw duckstore::Error (kConflict for constraint violations, DiskFull for SQLITE_FULL, kInternal
// otherwise).
//
// A full disk (common/disk_full.hpp) must not stop the catalog: deletes free space only after their
// catalog row is gone. So the connection keeps a reserve file next to its database (<path>.reserve, a few
// MiB that nothing else can take). When a statement fails with SQLITE_FULL the reserve is released, and a
// statement outside an explicit transaction (which SQLite rolled back whole) runs once more; inside one,
// the error stands and the transaction rolls back. The reserve is taken again once the filesystem has
// room for it several times over (checked at most every few seconds, when statements run).
//
// Every statement's time inside SQLite is recorded here, once per statement, in the histogram
// duckstore_catalog_operation_duration_seconds{kind}: `read` (a statement that changes nothing), `write`
// (one that may: DML, DDL), `transaction` (BEGIN, COMMIT, ROLLBACK: a COMMIT's time is the WAL's sync).
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace duckstore {

class SqliteStatement;
class SpaceReserve;

class SqliteDb {
 public:
  explicit SqliteDb(const std::string& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs statements that take no parameters and return no rows (DDL, PRAGMA, BEGIN/COMMIT).
  void Exec(const std::string& sql);
  SqliteStatement Prepare(const std::string& sql);
  int64_t Changes() const { return sqlite3_changes64(db_); }
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unique_ptr<SpaceReserve> reserve_;
};

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, SpaceReserve* reserve, const std::string& sql);
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  SqliteStatement& operator=(SqliteStatement&&) = delete;

  // Binds by 1-based position; a nullopt binds NULL.
  SqliteStatement& Bind(int index, const std::string& value);
  SqliteStatement& Bind(int index, const std::optional<std::string>& value);
  SqliteStatement& Bind(int index, int64_t value);

  // Advances to the next row; false when done. Statements without rows are run with Run().
  bool Step();
  void Run();

  std::string Text(int column) const;
  std::optional<std::string> OptionalText(int column) const;
  int64_t Int(int column) const;

 private:
  void Check(int rc) const;
  sqlite3* db_;
  SpaceReserve* reserve_;
  sqlite3_stmt* stmt_ = nullptr;
  std::chrono::steady_clock::duration busy_{};  // spent in sqlite3_step, recorded when finalized
  bool stepped_ = false;
};

}  // namespace duckstore
