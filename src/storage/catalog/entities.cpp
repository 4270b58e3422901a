#include "duckstore/storage/catalog/entities.hpp"

#include <chrono>
#include <ctime>

#include "duckstore/common/error.hpp"
#include "duckstore/common/timestamp.hpp"

namespace duckstore {

std::string ToString(KeyScope scope) {
  switch (scope) {
    case KeyScope::kProjectAdmin:
      return "project_admin";
    case KeyScope::kBranchAdmin:
      return "branch_admin";
    case KeyScope::kBranchRead:
      return "branch_read";
  }
  return "unknown";
}

KeyScope ParseKeyScope(const std::string& name) {
  if (name == "project_admin") return KeyScope::kProjectAdmin;
  if (name == "branch_admin") return KeyScope::kBranchAdmin;
  if (name == "branch_read") return KeyScope::kBranchRead;
  throw InvalidArgument("invalid_scope", "unknown key scope '" + name + "'",
                        {{"allowed", {"project_admin", "branch_admin", "branch_read"}}});
}

std::string NowTimestamp(int64_t offset_seconds) {
  return IsoTimestamp(std::chrono::system_clock::now() + std::chrono::seconds(offset_seconds));
}

int64_t TimestampToUnixSeconds(const std::string& timestamp) {
  std::tm utc{};
  if (strptime(timestamp.c_str(), "%Y-%m-%dT%H:%M:%S", &utc) == nullptr) {
    throw Internal("malformed catalog timestamp '" + timestamp + "'");
  }
  return static_cast<int64_t>(timegm(&utc));
}

}  // namespace duckstore
