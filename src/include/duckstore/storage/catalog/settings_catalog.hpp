// Server settings (small values: secrets' fingerprints, feature switches, one-time conversions done), one
// of the catalog's small interfaces (catalog.hpp aggregates them). Every method is safe to call from any
// thread. Failures throw duckstore::Error (kInternal for the backend).
#pragma once

#include <optional>
#include <string>

namespace duckstore {

class SettingsCatalog {
 public:
  virtual ~SettingsCatalog() = default;

  virtual std::optional<std::string> GetSetting(const std::string& key) = 0;
  // Inserts or replaces.
  virtual void PutSetting(const std::string& key, const std::string& value) = 0;
};

}  // namespace duckstore
