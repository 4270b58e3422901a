#include "duckstore/storage/catalog/entities.hpp"

#include <algorithm>
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

std::vector<std::string> ObjectBlobs(const StoredObject& object) {
  std::vector<std::string> blobs{object.blob};
  blobs.insert(blobs.end(), object.next_blobs.begin(), object.next_blobs.end());
  return blobs;
}

std::vector<BlobRange> ObjectRanges(const StoredObject& object, uint64_t offset, uint64_t length) {
  if (object.next_blobs.empty()) return {{object.blob, offset, length}};
  if (object.part_sizes.size() != object.next_blobs.size() + 1) {
    throw Internal("object '" + object.key + "' has " + std::to_string(object.next_blobs.size() + 1) +
                   " blobs but " + std::to_string(object.part_sizes.size()) + " part sizes");
  }
  std::vector<BlobRange> ranges;
  uint64_t start = 0;  // where the current blob starts in the object
  for (size_t i = 0; i < object.part_sizes.size() && length > 0; ++i) {
    auto size = static_cast<uint64_t>(object.part_sizes[i]);
    if (offset < start + size) {
      uint64_t within = offset - start;
      uint64_t take = std::min(length, size - within);
      ranges.push_back({i == 0 ? object.blob : object.next_blobs[i - 1], within, take});
      offset += take;
      length -= take;
    }
    start += size;
  }
  if (length > 0) throw Internal("a range past the end of object '" + object.key + "' was asked for");
  return ranges;
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
