#include "duckstore/services/files/object_store.hpp"

#include <unistd.h>

#include <cctype>
#include <unordered_set>

#include "duckstore/common/error.hpp"
#include "duckstore/common/log.hpp"
#include "duckstore/common/metrics/tasks.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore {
namespace {

constexpr int64_t kListBatch = 1000;
// Sorts after every UTF-8 continuation of a prefix: "<prefix>\xff" skips all keys below the prefix.
constexpr char kAfterEveryKey = '\xff';

void UnlinkQuietly(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    spdlog::warn("cannot remove blob {}: {}", path, std::strerror(errno));
  }
}

void CheckDigest(const std::optional<std::string>& expected, const std::string& actual, const char* code,
                 const char* what) {
  if (!expected) return;
  if (actual.empty()) throw Internal(std::string("the writer did not compute the ") + what + " to check");
  if (*expected != actual) {
    throw InvalidArgument(code, std::string("the ") + what + " of the content does not match the one sent",
                          {{"expected", *expected}, {"actual", actual}});
  }
}

// Throws unless `condition` holds for `current`, the key's object now (nullopt: none).
void CheckCondition(const WriteCondition& condition, const std::optional<StoredObject>& current,
                    const std::string& bucket, const std::string& key) {
  if (condition.if_none_match && current) {
    throw Error(ErrorKind::kPreconditionFailed, "precondition_failed",
                "at least one of the preconditions you specified did not hold",
                {{"Condition", "If-None-Match"}});
  }
  if (!condition.if_match) return;
  if (!current) {
    throw NotFound("object_not_found", "object '" + key + "' does not exist in bucket '" + bucket + "'",
                   {{"bucket", bucket}, {"key", key}});
  }
  if (*condition.if_match != "*" && *condition.if_match != current->etag) {
    throw Error(ErrorKind::kPreconditionFailed, "precondition_failed",
                "at least one of the preconditions you specified did not hold", {{"Condition", "If-Match"}});
  }
}

void RemoveChildren(const std::filesystem::path& dir) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) return;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    std::filesystem::remove_all(entry.path(), error);
    if (error) spdlog::warn("cannot remove leftover {}: {}", entry.path().string(), error.message());
  }
}

}  // namespace

bool IsValidBucketName(const std::string& name) {
  if (name.size() < 3 || name.size() > 63) return false;
  auto alnum = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c));
  };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  bool all_digits_and_dots = true;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!alnum(c) && c != '.' && c != '-') return false;
    if (c == '.' && i > 0 && (name[i - 1] == '.' || name[i - 1] == '-')) return false;
    if (c == '-' && i > 0 && name[i - 1] == '.') return false;
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') all_digits_and_dots = false;
  }
  return !all_digits_and_dots;  // "192.168.0.1" and the like look like addresses
}

StagedObjects::StagedObjects(StagedObjects&& other) noexcept
    : paths_(std::move(other.paths_)), staging_dir_(std::exchange(other.staging_dir_, {})) {}

StagedObjects& StagedObjects::operator=(StagedObjects&& other) noexcept {
  if (this != &other) {
    RemoveStagingDir();
    paths_ = std::move(other.paths_);
    staging_dir_ = std::exchange(other.staging_dir_, {});
  }
  return *this;
}

StagedObjects::~StagedObjects() {
  RemoveStagingDir();
}

void StagedObjects::RemoveStagingDir() {
  if (staging_dir_.empty()) return;
  std::error_code error;
  std::filesystem::remove_all(staging_dir_, error);
  if (error) spdlog::warn("cannot remove staging directory {}: {}", staging_dir_.string(), error.message());
  staging_dir_.clear();
}

ObjectStore::ObjectStore(Catalog& catalog, std::filesystem::path data_dir, int64_t max_object_bytes)
    : catalog_(catalog), data_dir_(std::move(data_dir)), max_object_bytes_(max_object_bytes) {}

ObjectBucket ObjectStore::CreateBucket(const std::string& name,
                                       const std::optional<std::string>& project_id) {
  if (!IsValidBucketName(name)) {
    throw InvalidArgument("invalid_bucket_name",
                          "bucket names are 3 to 63 characters of a-z, 0-9, '.' and '-', starting and ending "
                          "with a letter or digit",
                          {{"bucket", name}});
  }
  ObjectBucket bucket{name, project_id, NowTimestamp()};
  catalog_.CreateObjectBucket(bucket);
  return bucket;
}

ObjectBucket ObjectStore::GetBucket(const std::string& name) {
  auto bucket = catalog_.GetObjectBucket(name);
  if (!bucket) throw NotFound("bucket_not_found", "bucket '" + name + "' does not exist", {{"bucket", name}});
  return *bucket;
}

std::vector<ObjectBucket> ObjectStore::ListBuckets(const std::optional<std::string>& project_id) {
  return catalog_.ListObjectBuckets(project_id);
}

void ObjectStore::DeleteBucket(const std::string& name, bool force) {
  GetBucket(name);
  if (!force && !catalog_.ListObjects(name, "", "", 1).empty()) {
    throw Conflict("bucket_not_empty", "bucket '" + name + "' is not empty", {{"bucket", name}});
  }
  for (const auto& blob : catalog_.DeleteObjectBucket(name)) UnlinkQuietly(blob);
}

ObjectBucket ObjectStore::ProjectFilesBucket(const std::string& project_id) {
  std::string name = project_id + "-files";
  for (char& c : name) c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Lower-casing can make two project ids meet; a name derived from a hash of the id cannot.
  if (!IsValidBucketName(name) || name != project_id + "-files") {
    name = "files-" + Sha256Hex(project_id).substr(0, 24);
  }
  if (auto existing = catalog_.GetObjectBucket(name)) {
    if (existing->project_id != project_id) {
      throw Conflict("bucket_exists", "the files bucket name '" + name + "' is taken by another owner",
                     {{"bucket", name}});
    }
    return *existing;
  }
  try {
    return CreateBucket(name, project_id);
  } catch (const Error& error) {
    if (error.code() != "bucket_exists") throw;
    return ProjectFilesBucket(project_id);  // created concurrently: the check above now finds it
  }
}

void ObjectStore::SetBucketCors(const std::string& name, const nlohmann::json& cors) {
  catalog_.SetObjectBucketCors(name, cors);
}

std::filesystem::path ObjectStore::BlobDir(const ObjectBucket& bucket) const {
  if (bucket.project_id) return data_dir_ / "projects" / *bucket.project_id / "objects";
  return data_dir_ / "objects";
}

std::unique_ptr<BlobWriter> ObjectStore::OpenWriter(const ObjectBucket& bucket, BlobDigests digests) {
  return std::make_unique<BlobWriter>(BlobDir(bucket), max_object_bytes_, digests);
}

StoredObject ObjectStore::CommitWrite(BlobWriter& writer, const ObjectBucket& bucket, const std::string& key,
                                      const ObjectAttributes& attributes, const WriteCondition& condition) {
  BlobInfo blob = writer.Commit();
  try {
    CheckDigest(attributes.expected_md5, blob.md5, "bad_digest", "MD5");
    CheckDigest(attributes.expected_sha256, blob.sha256, "content_sha256_mismatch", "SHA-256");
  } catch (...) {
    UnlinkQuietly(blob.path);
    throw;
  }
  return Publish(Describe({blob.path}, blob.size, blob.md5, bucket, key, attributes), condition);
}

StoredObject ObjectStore::Publish(const StoredObject& object, const WriteCondition& condition) {
  std::vector<std::string> replaced;
  try {
    if (condition.empty()) {
      replaced = PutRow(object, condition);
    } else {
      // The condition is judged on the object the publish replaces: no other write can come between.
      catalog_.InTransaction([&] { replaced = PutRow(object, condition); });
    }
  } catch (...) {
    for (const auto& path : ObjectBlobs(object)) UnlinkQuietly(path);
    throw;
  }
  for (const auto& path : replaced) UnlinkQuietly(path);
  return object;
}

StoredObject ObjectStore::Describe(const std::vector<std::string>& blobs, int64_t size,
                                   const std::string& etag, const ObjectBucket& bucket,
                                   const std::string& key, const ObjectAttributes& attributes) const {
  StoredObject object;
  object.bucket = bucket.name;
  object.key = key;
  object.blob = blobs.front();
  object.next_blobs.assign(blobs.begin() + 1, blobs.end());
  object.size = size;
  object.etag = etag;
  object.content_type = attributes.content_type;
  object.metadata = attributes.metadata;
  object.created_at = NowTimestamp();
  object.checksum = attributes.checksum;
  object.headers = attributes.headers;
  object.part_sizes = attributes.part_sizes;
  return object;
}

std::vector<std::string> ObjectStore::PutRow(const StoredObject& object, const WriteCondition& condition) {
  const std::string& key = object.key;
  if (key.empty() || key.size() > 1024 || key.find('\0') != std::string::npos) {
    throw InvalidArgument("invalid_object_key", "object keys are 1 to 1024 bytes without NUL",
                          {{"key", key}});
  }
  if (!condition.empty())
    CheckCondition(condition, catalog_.GetObject(object.bucket, key), object.bucket, key);
  return catalog_.PutObject(object);
}

StoredObject ObjectStore::Copy(const std::string& source_bucket, const std::string& source_key,
                               const ObjectBucket& target_bucket, const std::string& target_key,
                               const std::optional<ObjectAttributes>& attributes) {
  StoredObject source = Get(source_bucket, source_key);
  ObjectAttributes copied;
  copied.content_type = source.content_type;
  copied.metadata = source.metadata;
  copied.headers = source.headers;
  ObjectAttributes chosen = attributes.value_or(copied);
  // The same content (and ETag), whatever metadata it gets.
  chosen.checksum = source.checksum;
  chosen.part_sizes = source.part_sizes;
  // Blobs are immutable once committed, so hard links are a complete copy; replacing or deleting either
  // object only unlinks its own names. Across filesystems the content is streamed into one blob instead.
  auto dir = BlobDir(target_bucket);
  std::filesystem::create_directories(dir);
  std::vector<std::string> linked;
  std::error_code error;
  for (const auto& path : ObjectBlobs(source)) {
    auto link = (dir / RandomHex(16)).string();
    std::filesystem::create_hard_link(path, link, error);
    if (error) break;
    linked.push_back(link);
  }
  if (error) {
    for (const auto& path : linked) UnlinkQuietly(path);
    auto writer = OpenWriter(target_bucket, {.md5 = false});  // the copy keeps the source's ETag
    for (const auto& range : ObjectRanges(source, 0, static_cast<uint64_t>(source.size)))
      writer->AppendFile(range.path, range.offset, range.length);
    linked = {writer->Commit().path};
  }
  return Publish(Describe(linked, source.size, source.etag, target_bucket, target_key, chosen), {});
}

std::optional<StoredObject> ObjectStore::Find(const std::string& bucket, const std::string& key) {
  return catalog_.GetObject(bucket, key);
}

StoredObject ObjectStore::Get(const std::string& bucket, const std::string& key) {
  auto object = catalog_.GetObject(bucket, key);
  if (!object) {
    GetBucket(bucket);  // a missing bucket is bucket_not_found, not object_not_found
    throw NotFound("object_not_found", "object '" + key + "' does not exist in bucket '" + bucket + "'",
                   {{"bucket", bucket}, {"key", key}});
  }
  return *object;
}

bool ObjectStore::Delete(const std::string& bucket, const std::string& key) {
  auto removed = catalog_.DeleteObject(bucket, key);
  if (!removed) return false;
  for (const auto& path : ObjectBlobs(*removed)) UnlinkQuietly(path);
  return true;
}

ObjectListing ObjectStore::List(const std::string& bucket, const std::string& prefix,
                                const std::string& delimiter, const std::string& start_after,
                                int64_t max_keys) {
  GetBucket(bucket);
  ObjectListing listing;
  std::string cursor = start_after;
  // A cursor that is a rolled-up prefix (from a previous page) skips everything below that prefix.
  if (!delimiter.empty() && cursor.size() > prefix.size() && cursor.starts_with(prefix) &&
      cursor.ends_with(delimiter)) {
    cursor.push_back(kAfterEveryKey);
  }
  int64_t count = 0;
  while (true) {
    auto batch = catalog_.ListObjects(bucket, prefix, cursor, kListBatch);
    bool skipped = false;
    for (auto& object : batch) {
      std::optional<std::string> rolled_up;
      if (!delimiter.empty()) {
        auto at = object.key.find(delimiter, prefix.size());
        if (at != std::string::npos) rolled_up = object.key.substr(0, at + delimiter.size());
      }
      if (count == max_keys) {
        listing.truncated = true;
        return listing;
      }
      ++count;
      if (rolled_up) {
        listing.common_prefixes.push_back(*rolled_up);
        listing.next_start_after = *rolled_up;
        cursor = *rolled_up + kAfterEveryKey;
        skipped = true;
        break;  // continue after every key below this prefix
      }
      listing.next_start_after = object.key;
      cursor = object.key;
      listing.objects.push_back(std::move(object));
    }
    if (!skipped && static_cast<int64_t>(batch.size()) < kListBatch) return listing;
  }
}

std::vector<StoredObject> ObjectStore::ListAll(const std::string& bucket, const std::string& prefix) {
  GetBucket(bucket);
  std::vector<StoredObject> all;
  std::string cursor;
  while (true) {
    auto batch = catalog_.ListObjects(bucket, prefix, cursor, kListBatch);
    for (auto& object : batch) all.push_back(std::move(object));
    if (static_cast<int64_t>(batch.size()) < kListBatch) return all;
    cursor = all.back().key;
  }
}

StagedObjects ObjectStore::StageForProject(const std::string& project_id,
                                           const std::vector<StoredObject>& objects) {
  auto project_dir = data_dir_ / "projects" / project_id;
  std::vector<std::string> paths;
  std::filesystem::path staging;
  for (const auto& object : objects) {
    auto bucket = GetBucket(object.bucket);
    bool one_blob = object.next_blobs.empty();
    if (one_blob && bucket.project_id == project_id) {
      paths.push_back(object.blob);
      continue;
    }
    if (staging.empty()) {
      staging = project_dir / "staging" / RandomHex(16);
      std::filesystem::create_directories(staging);
    }
    auto staged = staging / std::to_string(paths.size());
    try {
      if (one_blob) {
        std::filesystem::create_hard_link(object.blob, staged);
      } else {
        // Concatenated with the kernel's copy (copy_file_range), as Complete did before objects kept
        // their parts: an import pays for it, not every completed upload.
        BlobWriter writer(staging, max_object_bytes_, {.md5 = false});
        for (const auto& range : ObjectRanges(object, 0, static_cast<uint64_t>(object.size)))
          writer.AppendFile(range.path, range.offset, range.length);
        staged = writer.Commit().path;
      }
    } catch (const std::exception& e) {
      StagedObjects cleanup({}, staging);  // removes what was staged so far
      throw Internal("cannot stage object '" + object.key + "' for project '" + project_id +
                     "': " + e.what());
    }
    paths.push_back(staged.string());
  }
  return StagedObjects(std::move(paths), std::move(staging));
}

void ObjectStore::SweepLeftovers() {
  metrics::TaskRun run("blob_sweep");
  // Blobs are named by random ids, so a file name alone says whether a row references it.
  std::unordered_set<std::string> referenced;
  for (const auto& blob : catalog_.ListReferencedBlobs()) {
    referenced.insert(std::filesystem::path(blob).filename().string());
  }
  auto sweep = [&referenced](const std::filesystem::path& objects_dir) {
    RemoveChildren(objects_dir / ".tmp");
    std::error_code error;
    if (!std::filesystem::is_directory(objects_dir, error)) return;
    for (const auto& entry : std::filesystem::directory_iterator(objects_dir, error)) {
      if (!entry.is_regular_file(error) || referenced.contains(entry.path().filename().string())) continue;
      spdlog::info("removing unreferenced blob {}", entry.path().string());
      std::filesystem::remove(entry.path(), error);
    }
  };
  sweep(data_dir_ / "objects");
  std::error_code error;
  auto projects = data_dir_ / "projects";
  if (!std::filesystem::is_directory(projects, error)) return;
  for (const auto& project : std::filesystem::directory_iterator(projects, error)) {
    sweep(project.path() / "objects");
    RemoveChildren(project.path() / "staging");
  }
}

}  // namespace duckstore
