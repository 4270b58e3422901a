// Project files (a name and tags on top of an object), one of the catalog's small interfaces (catalog.hpp
// aggregates them). A file row goes away with its object, so a file never names a missing object. Every
// method is safe to call from any thread. Failures throw duckstore::Error: kNotFound where a method says
// so, kInternal for the backend.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "duckstore/storage/catalog/entities.hpp"

namespace duckstore {

class FileCatalog {
 public:
  virtual ~FileCatalog() = default;

  // Throws kNotFound("object_not_found") when the object does not exist.
  virtual void CreateFile(const FileRecord& file) = 0;
  virtual std::optional<FileRecord> GetFile(const std::string& project_id, const std::string& id) = 0;
  // Newest first; only files carrying every tag of `tags`.
  virtual Page<FileRecord> ListFiles(const std::string& project_id, const std::vector<std::string>& tags,
                                     const PageRequest& page) = 0;
  virtual void DeleteFile(const std::string& project_id, const std::string& id) = 0;
};

}  // namespace duckstore
