// The object store's buckets and object metadata, one of the catalog's small interfaces (catalog.hpp
// aggregates them). Blob paths are absolute in memory (storage/catalog/blob_paths.hpp says how they are
// stored). Every method is safe to call from any thread. Failures throw duckstore::Error: kConflict and
// kNotFound where a method says so, kInternal for the backend.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "duckstore/storage/catalog/entities.hpp"

namespace duckstore {

// What one project's buckets hold.
struct ObjectUsage {
  std::string project_id;
  int64_t objects = 0;
  int64_t bytes = 0;
};

class ObjectCatalog {
 public:
  virtual ~ObjectCatalog() = default;

  // Buckets. CreateObjectBucket throws kConflict("bucket_exists") for a taken name (names are unique
  // server-wide, whoever owns the bucket) and kNotFound("project_not_found") for a missing owner.
  virtual void CreateObjectBucket(const ObjectBucket& bucket) = 0;
  virtual std::optional<ObjectBucket> GetObjectBucket(const std::string& name) = 0;
  // Buckets ordered by name: all of them, or those of one project when `project_id` is given.
  virtual std::vector<ObjectBucket> ListObjectBuckets(const std::optional<std::string>& project_id) = 0;
  // Removes the bucket and, by cascade, its objects and multipart uploads (whether it is empty is the
  // caller's policy); returns the blob paths of the removed objects and upload parts so that the caller can
  // unlink them once the deletion is committed. A missing bucket is a no-op that returns nothing.
  virtual std::vector<std::string> DeleteObjectBucket(const std::string& name) = 0;
  // Replaces the bucket's CORS configuration (JSON null: removes it); kNotFound("bucket_not_found").
  virtual void SetObjectBucketCors(const std::string& name, const nlohmann::json& cors) = 0;
  // The blob paths of every object (all of a multipart object's) and every upload part (for the start-up
  // sweep of unreferenced blobs).
  virtual std::vector<std::string> ListReferencedBlobs() = 0;
  // Objects and their bytes per project owning buckets (buckets of no project are left out), from totals
  // kept per bucket as objects are written: one row per bucket read, whatever the number of objects.
  virtual std::vector<ObjectUsage> ObjectUsageByProject() = 0;

  // Objects. PutObject inserts or replaces the object (bucket, key) with every field of `object`; it throws
  // kNotFound("bucket_not_found") when the bucket does not exist. When it replaced an object it returns that
  // object's blob paths (ObjectBlobs; empty when nothing was replaced): the caller unlinks them after the
  // surrounding transaction commits (not before, a rollback would leave the old row pointing at missing
  // files).
  virtual std::vector<std::string> PutObject(const StoredObject& object) = 0;
  virtual std::optional<StoredObject> GetObject(const std::string& bucket, const std::string& key) = 0;
  // Removes the object and returns it (nullopt when there was none); the caller unlinks its blob after
  // commit.
  virtual std::optional<StoredObject> DeleteObject(const std::string& bucket, const std::string& key) = 0;
  // At most `limit` objects of `bucket` whose key starts with `prefix` and sorts after `start_after`
  // (empty: from the first), ordered by key in byte order. A range scan on (bucket, key); callers page by
  // passing the last key returned as the next `start_after` (asking for limit + 1 tells whether more
  // follow).
  virtual std::vector<StoredObject> ListObjects(const std::string& bucket, const std::string& prefix,
                                                const std::string& start_after, int64_t limit) = 0;
};

}  // namespace duckstore
