// How a catalog stores the path of a blob file: relative to the data directory, so a data directory keeps
// working when it is moved or restored elsewhere. In memory (StoredObject::blob, UploadPart::blob) paths
// are always absolute.
#pragma once

#include <filesystem>
#include <string>

namespace duckstore {

class BlobPaths {
 public:
  explicit BlobPaths(const std::filesystem::path& data_dir);

  // The stored form of an absolute blob path: relative when it is below the data directory, else the
  // absolute path unchanged (nothing the server writes is outside, but nothing breaks if it is).
  std::string Encode(const std::string& path) const;

  // The absolute path of a stored form. Absolute stored paths (rows written before paths were relative,
  // or outside the data directory) come back unchanged.
  std::string Decode(const std::string& stored) const;

  // The data directory with a trailing separator: the prefix Encode strips.
  const std::string& prefix() const { return prefix_; }

 private:
  std::filesystem::path root_;
  std::string prefix_;
};

}  // namespace duckstore
