// Row mapping for the SQLite catalog: the one place that binds record fields to statement parameters,
// reads result rows back into records and writes the select/page/insert/upsert/delete statements that
// every kind of record shares. Each kind's implementation (sqlite_<kind>_catalog.cpp) declares its table
// once, as a RowMapping (table, column list, row reader), and passes the WHERE and ORDER BY clauses that
// are its own. Table, column and clause texts are constants of the implementations; values are always
// bound, never spliced.
#pragma once

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "duckstore/common/error.hpp"
#include "duckstore/storage/catalog/blob_paths.hpp"
#include "duckstore/storage/catalog/entities.hpp"
#include "duckstore/storage/catalog/sqlite_db.hpp"

namespace duckstore {

// Reads the columns of the current row of a statement in order: each call consumes the next column, so a
// record's reader lists its fields in the order of its mapping's column list.
class RowReader {
 public:
  RowReader(const SqliteStatement& row, const BlobPaths& blobs) : row_(row), blobs_(blobs) {}

  std::string Text() { return row_.Text(column_++); }
  std::optional<std::string> OptionalText() { return row_.OptionalText(column_++); }
  int64_t Int() { return row_.Int(column_++); }
  bool Bool() { return Int() != 0; }
  // A column holding JSON text; OptionalJson reads NULL as JSON null.
  nlohmann::json Json();
  nlohmann::json OptionalJson();
  // A column holding a JSON array of strings (what a std::vector<std::string> value is stored as).
  std::vector<std::string> Strings();
  // A stored blob path, as the absolute path (BlobPaths::Decode).
  std::string Blob() { return blobs_.Decode(Text()); }
  // A column holding a JSON array of stored blob paths, as absolute paths.
  std::vector<std::string> BlobList();

 private:
  const SqliteStatement& row_;
  const BlobPaths& blobs_;
  int column_ = 0;
};

// A table and the columns a record is read from and written to, in one order.
struct SqliteTable {
  const char* name;
  const char* columns;  // "a, b, c"
};

template <typename T>
struct RowMapping : SqliteTable {
  T (*read)(RowReader& row);
};

// Binds one value at a 1-based position, by its C++ type: integers and bools as INTEGER, strings as TEXT,
// nullopt as NULL, JSON documents and string lists as JSON text.
template <typename T>
void BindValue(SqliteStatement& stmt, int index, const T& value) {
  if constexpr (std::is_integral_v<T>) {
    stmt.Bind(index, static_cast<int64_t>(value));
  } else if constexpr (std::is_same_v<T, nlohmann::json>) {
    stmt.Bind(index, value.dump());
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    stmt.Bind(index, nlohmann::json(value).dump());
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::optional<std::string>>) {
    stmt.Bind(index, value);
  } else if constexpr (std::is_same_v<T, std::nullopt_t>) {
    stmt.Bind(index, std::optional<std::string>());
  } else {
    stmt.Bind(index, std::string(value));
  }
}

// Binds `values` to parameters 1, 2, ... in order.
template <typename... Values>
SqliteStatement& BindAll(SqliteStatement& stmt, const Values&... values) {
  int index = 1;
  (BindValue(stmt, index++, values), ...);
  return stmt;
}

// A JSON value for a nullable JSON column: JSON null is stored as NULL.
std::optional<std::string> NullableJson(const nlohmann::json& value);

// The smallest string greater than every string that starts with `prefix` (SQLite compares TEXT
// bytewise), for a range scan "key >= prefix AND key < bound"; nullopt when there is none (the prefix is
// empty or all 0xFF), i.e. the range is open above.
std::optional<std::string> PrefixUpperBound(std::string prefix);

// The statement texts of the generic operations below (exposed for their unit test).
// "SELECT <columns> FROM <table>[ WHERE <where>][ <tail>]"
std::string SelectSql(const SqliteTable& table, const std::string& where, const std::string& tail);
// "INSERT INTO <table> (<columns>) VALUES (?, ...)", and with a conflict target `key` ("a, b") the upsert
// that replaces every other column of the existing row.
std::string InsertSql(const SqliteTable& table, const std::string& key = "");

// The catalog's one SQLite connection with its lock and blob-path codec, and the operations every kind of
// record is stored with. Each operation holds the lock for its statements; a method that runs several
// statements that must see the same rows takes Lock() around them (the mutex is recursive, as is
// InTransaction's use of it: a transaction owns the connection until it ends).
class SqliteCatalogDb {
 public:
  // Opens (creating if needed) the file at `path` with WAL journaling and foreign keys on; blob paths are
  // stored relative to the directory that holds it.
  explicit SqliteCatalogDb(const std::string& path);

  std::unique_lock<std::recursive_mutex> Lock() { return std::unique_lock(mutex_); }
  // The raw connection, for statements the operations below do not cover; hold Lock() while using it.
  SqliteDb& db() { return db_; }
  const BlobPaths& blobs() const { return blobs_; }

  // Runs a statement that returns no rows; returns how many rows it changed.
  template <typename... Values>
  int64_t Run(const std::string& sql, const Values&... values) {
    auto lock = Lock();
    auto stmt = db_.Prepare(sql);
    BindAll(stmt, values...).Run();
    return db_.Changes();
  }

  // Whether `sql` returns a row.
  template <typename... Values>
  bool Exists(const std::string& sql, const Values&... values) {
    auto lock = Lock();
    auto stmt = db_.Prepare(sql);
    return BindAll(stmt, values...).Step();
  }

  // The first column of every row `sql` returns, as text.
  template <typename... Values>
  std::vector<std::string> Texts(const std::string& sql, const Values&... values) {
    auto lock = Lock();
    auto stmt = db_.Prepare(sql);
    BindAll(stmt, values...);
    std::vector<std::string> texts;
    while (stmt.Step()) texts.push_back(stmt.Text(0));
    return texts;
  }

  // The blob paths (one column of stored paths) `sql` returns, decoded.
  template <typename... Values>
  std::vector<std::string> Blobs(const std::string& sql, const Values&... values) {
    std::vector<std::string> paths = Texts(sql, values...);
    for (auto& path : paths) path = blobs_.Decode(path);
    return paths;
  }

  // The blob path of the first row `sql` returns, decoded; nullopt when there is none.
  template <typename... Values>
  std::optional<std::string> Blob(const std::string& sql, const Values&... values) {
    auto paths = Blobs(sql, values...);
    if (paths.empty()) return std::nullopt;
    return paths.front();
  }

  // Inserts one row; `values` follow the table's column list. With a conflict target `key`, an existing
  // row with that key is replaced (upsert).
  template <typename... Values>
  void Insert(const SqliteTable& table, const Values&... values) {
    Run(InsertSql(table), values...);
  }
  // Insert, with a uniqueness violation reported as kConflict(`conflict_code`, `message`).
  template <typename... Values>
  void InsertUnique(const SqliteTable& table, const char* conflict_code, const std::string& message,
                    const Values&... values) {
    try {
      Insert(table, values...);
    } catch (const Error& error) {
      if (error.kind() == ErrorKind::kConflict) throw Conflict(conflict_code, message);
      throw;
    }
  }
  template <typename... Values>
  void Upsert(const SqliteTable& table, const std::string& key, const Values&... values) {
    Run(InsertSql(table, key), values...);
  }

  // Deletes the rows matching `where`; returns how many.
  template <typename... Values>
  int64_t Delete(const SqliteTable& table, const std::string& where, const Values&... values) {
    return Run(std::string("DELETE FROM ") + table.name + " WHERE " + where, values...);
  }

  // The first record matching `where` (its key, normally), or nullopt.
  template <typename T, typename... Values>
  std::optional<T> One(const RowMapping<T>& mapping, const std::string& where, const Values&... values) {
    auto lock = Lock();
    auto stmt = db_.Prepare(SelectSql(mapping, where, ""));
    BindAll(stmt, values...);
    if (!stmt.Step()) return std::nullopt;
    return Read(stmt, mapping);
  }

  // Every record matching `where` (empty: all), then `tail` (ORDER BY, LIMIT; its parameters follow
  // `where`'s in `values`).
  template <typename T, typename... Values>
  std::vector<T> All(const RowMapping<T>& mapping, const std::string& where, const std::string& tail,
                     const Values&... values) {
    auto lock = Lock();
    auto stmt = db_.Prepare(SelectSql(mapping, where, tail));
    BindAll(stmt, values...);
    return ReadAll(stmt, mapping);
  }

  // One page of the records matching `where` in the order `order_by` ("ORDER BY ..."), and how many match
  // in all.
  template <typename T, typename... Values>
  Page<T> PageOf(const RowMapping<T>& mapping, const std::string& where, const std::string& order_by,
                 const PageRequest& page, const Values&... values) {
    auto lock = Lock();
    Page<T> result;
    auto stmt = db_.Prepare(SelectSql(mapping, where, order_by + " LIMIT ? OFFSET ?"));
    BindAll(stmt, values..., page.limit, page.offset);
    result.items = ReadAll(stmt, mapping);
    auto count = db_.Prepare(SelectSql(SqliteTable{mapping.name, "count(*)"}, where, ""));
    BindAll(count, values...).Step();
    result.total = count.Int(0);
    return result;
  }

  // The remaining rows of a statement that selects `mapping`'s columns.
  template <typename T>
  std::vector<T> ReadAll(SqliteStatement& stmt, const RowMapping<T>& mapping) const {
    std::vector<T> records;
    while (stmt.Step()) records.push_back(Read(stmt, mapping));
    return records;
  }

 private:
  template <typename T>
  T Read(const SqliteStatement& stmt, const RowMapping<T>& mapping) const {
    RowReader row(stmt, blobs_);
    return mapping.read(row);
  }

  const BlobPaths blobs_;
  std::recursive_mutex mutex_;
  SqliteDb db_;
};

}  // namespace duckstore
