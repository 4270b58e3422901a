// SettingsCatalog on SQLite: table settings (key, value).
#include "duckstore/storage/catalog/sqlite_catalog_parts.hpp"

namespace duckstore {
namespace {

constexpr SqliteTable kSettings{"settings", "key, value"};

}  // namespace

std::optional<std::string> SqliteSettingsCatalog::GetSetting(const std::string& key) {
  auto values = db_.Texts("SELECT value FROM settings WHERE key = ?", key);
  if (values.empty()) return std::nullopt;
  return values.front();
}

void SqliteSettingsCatalog::PutSetting(const std::string& key, const std::string& value) {
  db_.Upsert(kSettings, "key", key, value);
}

}  // namespace duckstore
