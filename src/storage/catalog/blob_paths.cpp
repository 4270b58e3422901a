#include "duckstore/storage/catalog/blob_paths.hpp"

namespace duckstore {

BlobPaths::BlobPaths(const std::filesystem::path& data_dir)
    : root_(std::filesystem::absolute(data_dir).lexically_normal()) {
  prefix_ = root_.string();
  if (prefix_.empty() || prefix_.back() != '/') prefix_ += '/';
}

std::string BlobPaths::Encode(const std::string& path) const {
  if (path.size() > prefix_.size() && path.compare(0, prefix_.size(), prefix_) == 0) {
    return path.substr(prefix_.size());
  }
  return path;
}

std::string BlobPaths::Decode(const std::string& stored) const {
  if (stored.empty() || stored.front() == '/') return stored;
  return (root_ / stored).string();
}

}  // namespace duckstore
