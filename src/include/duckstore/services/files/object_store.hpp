// The object store: buckets of objects (key -> content + metadata), shared by every door that moves files
// (REST files, the S3 API, imports and exports, the driver's file paths). docs/design/files.md.
//
// Contracts:
// - Metadata lives in the catalog, content in blob files named by random ids (BlobWriter); a key never
//   reaches the filesystem, so no key can escape a bucket's directory.
// - A write becomes visible only when its catalog row is committed, after the blob is durable; a replaced
//   or deleted object's blob is unlinked after the catalog change. A failed write leaves nothing visible.
// - The store does not authorise: callers decide who may touch a bucket before calling it, through
//   FileAccess (file_access.hpp).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "duckstore/storage/catalog/catalog.hpp"
#include "duckstore/storage/objects/blob_writer.hpp"

namespace duckstore {

// What a writer states about the object it is writing.
struct ObjectAttributes {
  std::string content_type = "application/octet-stream";
  nlohmann::json metadata = nlohmann::json::object();  // user metadata, name -> string value
  std::optional<std::string> expected_md5;             // lowercase hex; mismatch -> kInvalidArgument
  std::optional<std::string> expected_sha256;          // lowercase hex; mismatch -> kInvalidArgument
  // The content checksum the caller verified while the content streamed (S3), stored with the object.
  StoredChecksum checksum;
  // Standard headers kept with the object (kObjectHeaderNames), lowercase name -> value.
  nlohmann::json headers = nlohmann::json::object();
  // Set by multipart completion: the sizes of the parts the object was assembled from, in order.
  std::vector<int64_t> part_sizes = {};

  // What a writer of this content must compute: MD5 (the ETag) always, SHA-256 only to check it.
  BlobDigests digests() const { return {.md5 = true, .sha256 = expected_sha256.has_value()}; }
};

// The standard headers an object keeps as its writer sent them and answers on every read, as S3 does.
inline constexpr const char* kObjectHeaderNames[] = {"cache-control", "content-disposition",
                                                     "content-encoding", "content-language", "expires"};

// A write that publishes only when the key's current object is as expected (S3's conditional writes,
// If-None-Match / If-Match). The check and the publish are one catalog transaction, so of two racing
// conditional creates exactly one wins. Failures: kPreconditionFailed("precondition_failed"); If-Match on a
// key without an object is kNotFound("object_not_found"), as S3 answers it.
struct WriteCondition {
  bool if_none_match = false;           // "If-None-Match: *": no object may have the key
  std::optional<std::string> if_match;  // the current object's ETag (unquoted hex), or "*" for any object

  bool empty() const { return !if_none_match && !if_match; }
};

// One page of a listing with S3's delimiter semantics.
struct ObjectListing {
  std::vector<StoredObject> objects;
  std::vector<std::string> common_prefixes;  // with the delimiter, keys rolled up to the prefix + delimiter
  bool truncated = false;
  std::string next_start_after;  // when truncated: pass as start_after to continue
};

// Blob paths a project's DuckDB instance may read, for the lifetime of this value: objects of the
// project's own buckets are read in place, objects of admin-owned buckets are hard-linked into the
// project's staging directory (multipart objects copied into one file there), removed when this is
// destroyed.
class StagedObjects {
 public:
  StagedObjects() = default;
  StagedObjects(std::vector<std::string> paths, std::filesystem::path staging_dir)
      : paths_(std::move(paths)), staging_dir_(std::move(staging_dir)) {}
  StagedObjects(StagedObjects&& other) noexcept;
  StagedObjects& operator=(StagedObjects&& other) noexcept;
  ~StagedObjects();

  const std::vector<std::string>& paths() const { return paths_; }

 private:
  void RemoveStagingDir();

  std::vector<std::string> paths_;
  std::filesystem::path staging_dir_;  // empty when nothing was linked
};

class ObjectStore {
 public:
  // `data_dir`: admin-owned buckets keep blobs in <data_dir>/objects; a project's buckets in
  // <data_dir>/projects/<id>/objects. `max_object_bytes` bounds a single object.
  ObjectStore(Catalog& catalog, std::filesystem::path data_dir, int64_t max_object_bytes);

  // Buckets. Names follow S3's rules (3-63 of [a-z0-9.-], starting and ending alphanumeric, not an IP
  // address): kInvalidArgument("invalid_bucket_name"). Taken names: kConflict("bucket_exists").
  ObjectBucket CreateBucket(const std::string& name, const std::optional<std::string>& project_id);
  ObjectBucket GetBucket(const std::string& name);  // kNotFound("bucket_not_found")
  std::vector<ObjectBucket> ListBuckets(const std::optional<std::string>& project_id);
  // Replaces the bucket's CORS configuration (JSON null: removes it); kNotFound("bucket_not_found").
  void SetBucketCors(const std::string& name, const nlohmann::json& cors);
  // Without `force`, a bucket holding objects is kConflict("bucket_not_empty").
  void DeleteBucket(const std::string& name, bool force);
  // The bucket REST files of `project_id` live in, created on first use ("<project>-files", or a hashed
  // name when the project id is not a valid bucket name).
  ObjectBucket ProjectFilesBucket(const std::string& project_id);

  // Writing: open a writer for the bucket, stream the content into it, then commit it under a key.
  // Commit verifies the expected digests and the bucket's existence, then publishes the object if
  // `condition` holds (a failed commit unlinks the blob). The writer must compute what CommitWrite checks:
  // open it with `attributes.digests()`.
  std::unique_ptr<BlobWriter> OpenWriter(const ObjectBucket& bucket, BlobDigests digests = {});
  StoredObject CommitWrite(BlobWriter& writer, const ObjectBucket& bucket, const std::string& key,
                           const ObjectAttributes& attributes, const WriteCondition& condition = {});
  // For a publish that must commit with other catalog changes (multipart completion): the object whose
  // content is `blobs` (committed blobs of the bucket's directory, in order; more than one needs
  // `attributes.part_sizes`, one size per blob) of `size` bytes in total, and the write of its row.
  // PutRow checks the key (kInvalidArgument("invalid_object_key")) and `condition`, then writes the row;
  // the caller runs it inside Catalog::InTransaction when `condition` is not empty, and unlinks the
  // returned blobs of the replaced object after commit. On failure it leaves `object`'s blobs alone.
  StoredObject Describe(const std::vector<std::string>& blobs, int64_t size, const std::string& etag,
                        const ObjectBucket& bucket, const std::string& key,
                        const ObjectAttributes& attributes) const;
  std::vector<std::string> PutRow(const StoredObject& object, const WriteCondition& condition);
  // Server-side copy: the source's blobs hard-linked (a multipart object stays in its parts' blobs), or
  // its content streamed into one new blob across filesystems; metadata and headers from `attributes`
  // when given, else the source's; the checksum and part sizes are the source's.
  // kNotFound("object_not_found") for a missing source.
  StoredObject Copy(const std::string& source_bucket, const std::string& source_key,
                    const ObjectBucket& target_bucket, const std::string& target_key,
                    const std::optional<ObjectAttributes>& attributes);

  // Reading and deleting.
  std::optional<StoredObject> Find(const std::string& bucket, const std::string& key);
  StoredObject Get(const std::string& bucket, const std::string& key);  // kNotFound("object_not_found")
  bool Delete(const std::string& bucket, const std::string& key);       // false when there was none
  // `max_keys` objects and common prefixes together, as S3 counts them.
  ObjectListing List(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
                     const std::string& start_after, int64_t max_keys);
  // Every object whose key starts with `prefix` (slices of a sliced file), in key order.
  std::vector<StoredObject> ListAll(const std::string& bucket, const std::string& prefix);

  // Makes objects readable by `project_id`'s DuckDB instance (see StagedObjects); an object in several
  // blobs (multipart) is concatenated into one staged file, since DuckDB reads one file per object.
  StagedObjects StageForProject(const std::string& project_id, const std::vector<StoredObject>& objects);

  // Directory where blobs of `bucket` live; new exports write there through OpenWriter/BlobWriter.
  std::filesystem::path BlobDir(const ObjectBucket& bucket) const;

  // Removes what interrupted work left behind: temp files, staging links, and blobs no object or upload
  // part references (a crash between a blob's rename and its catalog commit). Only safe before any request
  // is served, while no write is between those two steps: called once at start-up.
  void SweepLeftovers();

  int64_t max_object_bytes() const { return max_object_bytes_; }

 private:
  // PutRow in a transaction of its own when `condition` is not empty; unlinks `object`'s blobs when that
  // fails and the replaced object's after it commits.
  StoredObject Publish(const StoredObject& object, const WriteCondition& condition);

  Catalog& catalog_;
  std::filesystem::path data_dir_;
  int64_t max_object_bytes_;
};

// True when `name` is a valid S3 bucket name.
bool IsValidBucketName(const std::string& name);

}  // namespace duckstore
