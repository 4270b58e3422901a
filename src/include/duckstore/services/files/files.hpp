// Project files: named, tagged objects of a project's store (docs/design/files.md). A file uploaded here is
// an object of the project's files bucket, so S3 sees it and imports read it; an object written through
// S3 can be registered as a file without copying it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "duckstore/services/audit/operation_log.hpp"
#include "duckstore/services/files/object_store.hpp"

namespace duckstore {

struct FileInfo {
  FileRecord file;
  StoredObject object;
};

struct NewFile {
  std::string name;  // 1-255 bytes of UTF-8, no '/' or NUL
  std::vector<std::string> tags;
  ObjectAttributes attributes;  // content type and the client's optional checksums
};

class FileService {
 public:
  FileService(Catalog& catalog, ObjectStore& objects, OperationLog& ops)
      : catalog_(catalog), objects_(objects), ops_(ops) {}

  // Streams the content from `read` (returns 0 at the end) into a new file; visible only once complete
  // and verified. A failed upload (error, size limit, checksum mismatch) leaves nothing behind.
  FileInfo Upload(const std::string& project_id, const NewFile& file,
                  const std::function<size_t(char*, size_t)>& read);
  // Names an existing object of a bucket the project owns as a file; the object stays when the file is
  // deleted.
  FileInfo Register(const std::string& project_id, const NewFile& file, const std::string& bucket,
                    const std::string& key);
  FileInfo Get(const std::string& project_id, const std::string& file_id);  // kNotFound("file_not_found")
  Page<FileInfo> List(const std::string& project_id, const std::vector<std::string>& tags,
                      const PageRequest& page);
  void Delete(const std::string& project_id, const std::string& file_id);

 private:
  Catalog& catalog_;
  ObjectStore& objects_;
  OperationLog& ops_;
};

}  // namespace duckstore
