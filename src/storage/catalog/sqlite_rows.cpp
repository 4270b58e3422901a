#include "duckstore/storage/catalog/sqlite_rows.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>

namespace duckstore {
namespace {

// The names of a column list ("a, b, c").
std::vector<std::string> SplitColumns(const std::string& columns) {
  std::vector<std::string> names;
  std::istringstream in(columns);
  std::string name;
  while (std::getline(in, name, ',')) {
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    names.push_back(name);
  }
  return names;
}

}  // namespace

nlohmann::json RowReader::Json() {
  return nlohmann::json::parse(Text());
}

std::vector<std::string> RowReader::BlobList() {
  std::vector<std::string> paths;
  for (const auto& stored : Json()) paths.push_back(blobs_.Decode(stored.get<std::string>()));
  return paths;
}

nlohmann::json RowReader::OptionalJson() {
  auto text = OptionalText();
  return text ? nlohmann::json::parse(*text) : nlohmann::json(nullptr);
}

std::vector<std::string> RowReader::Strings() {
  return Json().get<std::vector<std::string>>();
}

std::optional<std::string> NullableJson(const nlohmann::json& value) {
  if (value.is_null()) return std::nullopt;
  return value.dump();
}

std::optional<std::string> PrefixUpperBound(std::string prefix) {
  // Drop trailing 0xFF bytes, then increment the last byte.
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (prefix.empty()) return std::nullopt;
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

std::string SelectSql(const SqliteTable& table, const std::string& where, const std::string& tail) {
  std::string sql = std::string("SELECT ") + table.columns + " FROM " + table.name;
  if (!where.empty()) sql += " WHERE " + where;
  if (!tail.empty()) sql += " " + tail;
  return sql;
}

std::string InsertSql(const SqliteTable& table, const std::string& key) {
  std::vector<std::string> columns = SplitColumns(table.columns);
  std::string sql = std::string("INSERT INTO ") + table.name + " (" + table.columns + ") VALUES (";
  for (size_t i = 0; i < columns.size(); ++i) sql += i == 0 ? "?" : ", ?";
  sql += ")";
  if (key.empty()) return sql;
  std::vector<std::string> keys = SplitColumns(key);
  std::string updates;
  for (const auto& column : columns) {
    if (std::find(keys.begin(), keys.end(), column) != keys.end()) continue;
    updates += (updates.empty() ? "" : ", ") + column + " = excluded." + column;
  }
  return sql + " ON CONFLICT (" + key + ") DO UPDATE SET " + updates;
}

SqliteCatalogDb::SqliteCatalogDb(const std::string& path)
    : blobs_(std::filesystem::path(path).parent_path()), db_(path) {
  db_.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
}

}  // namespace duckstore
