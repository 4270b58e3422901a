#include "duckstore/services/files/files.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore {
namespace {

constexpr size_t kReadChunk = 1 << 20;
constexpr size_t kMaxTags = 64;

void ValidateFile(const NewFile& file) {
  if (file.name.empty() || file.name.size() > 255 || file.name.find('/') != std::string::npos ||
      file.name.find('\0') != std::string::npos || file.name == "." || file.name == ".." ||
      !IsValidUtf8(file.name)) {
    throw InvalidArgument("invalid_file_name", "file names are 1 to 255 bytes of UTF-8 without '/' or NUL",
                          {{"name", file.name}});
  }
  if (file.tags.size() > kMaxTags) {
    throw InvalidArgument("invalid_tags", "a file has at most " + std::to_string(kMaxTags) + " tags");
  }
  for (const auto& tag : file.tags) {
    if (tag.empty() || tag.size() > 128 || !IsValidUtf8(tag)) {
      throw InvalidArgument("invalid_tags", "tags are 1 to 128 bytes of UTF-8", {{"tag", tag}});
    }
  }
}

FileRecord NewRecord(const std::string& project_id, const NewFile& file, std::string bucket, std::string key,
                     bool owned, std::string id) {
  return FileRecord{std::move(id),  project_id, file.name, std::move(bucket),
                    std::move(key), owned,      file.tags, NowTimestamp()};
}

}  // namespace

FileInfo FileService::Upload(const std::string& project_id, const NewFile& file,
                             const std::function<size_t(char*, size_t)>& read) {
  ValidateFile(file);
  return ops_.Run(project_id, "file.upload", file.name, [&] {
    auto bucket = objects_.ProjectFilesBucket(project_id);
    auto writer = objects_.OpenWriter(bucket, file.attributes.digests());
    std::vector<char> buffer(kReadChunk);
    while (size_t got = read(buffer.data(), buffer.size())) writer->Append(buffer.data(), got);
    std::string id = RandomHex(8);
    // The key keeps the name readable for S3 users; the id makes it unique.
    auto object = objects_.CommitWrite(*writer, bucket, "files/" + id + "/" + file.name, file.attributes);
    auto record = NewRecord(project_id, file, bucket.name, object.key, true, id);
    try {
      catalog_.CreateFile(record);
    } catch (...) {
      objects_.Delete(bucket.name, object.key);
      throw;
    }
    return FileInfo{std::move(record), std::move(object)};
  });
}

FileInfo FileService::Register(const std::string& project_id, const NewFile& file, const std::string& bucket,
                               const std::string& key) {
  ValidateFile(file);
  return ops_.Run(project_id, "file.register", file.name, [&] {
    auto owner = objects_.GetBucket(bucket);
    if (owner.project_id != project_id) {
      throw PermissionDenied("bucket '" + bucket + "' does not belong to project '" + project_id + "'");
    }
    auto object = objects_.Get(bucket, key);
    auto record = NewRecord(project_id, file, bucket, key, false, RandomHex(8));
    catalog_.CreateFile(record);
    return FileInfo{std::move(record), std::move(object)};
  });
}

FileInfo FileService::Get(const std::string& project_id, const std::string& file_id) {
  auto record = catalog_.GetFile(project_id, file_id);
  auto object = record ? objects_.Find(record->bucket, record->key) : std::nullopt;
  if (!object) {
    throw NotFound("file_not_found", "file '" + file_id + "' not found", {{"file_id", file_id}});
  }
  return FileInfo{std::move(*record), std::move(*object)};
}

Page<FileInfo> FileService::List(const std::string& project_id, const std::vector<std::string>& tags,
                                 const PageRequest& page) {
  auto records = catalog_.ListFiles(project_id, tags, page);
  Page<FileInfo> result;
  result.total = records.total;
  for (auto& record : records.items) {
    // A file row never outlives its object (foreign key), but it may have been deleted in between.
    if (auto object = objects_.Find(record.bucket, record.key)) {
      result.items.push_back(FileInfo{std::move(record), std::move(*object)});
    }
  }
  return result;
}

void FileService::Delete(const std::string& project_id, const std::string& file_id) {
  ops_.Run(project_id, "file.delete", file_id, [&] {
    auto info = Get(project_id, file_id);
    if (info.file.owned) {
      objects_.Delete(info.file.bucket, info.file.key);  // the file row goes with its object
    } else {
      catalog_.DeleteFile(project_id, file_id);
    }
  });
}

}  // namespace duckstore
