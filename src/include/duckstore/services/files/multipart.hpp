// S3 multipart uploads over the object store (docs/design/s3.md).
//
// Contracts:
// - Parts are blobs in the bucket's blob directory, recorded in the catalog (upload_parts); uploading a part
//   number again replaces it. Nothing is visible as an object until Complete.
// - Complete checks the client's part list (ascending numbers, ETags matching the stored parts, every part
//   but the last at least `min_part_bytes`) and publishes an object made of the listed parts' blobs (no
//   copy: its time does not grow with the object's size) with ETag "<md5 of the parts' binary MD5s>-<count>".
//   Publishing, dropping the upload and recording the completion are one catalog transaction; then the
//   blobs of parts not listed are unlinked. A failure before that commit leaves the upload as it was. The
//   completion is remembered for kCompletedRetention: the same Complete again (same upload id and parts) is
//   answered from that record (Replay) instead of NoSuchUpload, so a client retrying after a lost response
//   succeeds.
// - Like the store, the service does not authorise; callers check the bucket first.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "duckstore/services/files/object_store.hpp"

namespace duckstore {

// One entry of a CompleteMultipartUpload request.
struct CompletedPart {
  int64_t part_number = 0;
  std::string etag;         // hex MD5, without quotes
  StoredChecksum checksum;  // the part's checksum the request names (algorithm and base64 value), if any
};

// One page of ListMultipartUploads with S3's delimiter semantics (as ObjectListing for objects).
struct UploadListing {
  std::vector<MultipartUpload> uploads;
  std::vector<std::string> common_prefixes;  // with the delimiter, keys rolled up to the prefix + delimiter
  bool truncated = false;
  // When truncated: the position to continue from (an upload id is empty after a rolled-up prefix).
  std::string next_key_marker;
  std::string next_upload_id_marker;
};

class MultipartService {
 public:
  static constexpr int64_t kMaxPartNumber = 10000;
  static constexpr int64_t kDefaultMinPartBytes = 5ll << 20;
  // How long a completed upload answers a retried Complete (docs/design/s3.md, "Multipart uploads").
  static constexpr int64_t kCompletedRetentionSeconds = 3600;

  MultipartService(Catalog& catalog, ObjectStore& store, int64_t min_part_bytes = kDefaultMinPartBytes);

  // The upload keeps the algorithm and type of `attributes.checksum` (multipart_checksum.hpp), which its
  // parts and the completed object are checksummed with.
  MultipartUpload Create(const ObjectBucket& bucket, const std::string& key,
                         const ObjectAttributes& attributes);
  // The upload `upload_id` of (`bucket`, `key`); kNotFound("upload_not_found") when there is none.
  MultipartUpload Get(const std::string& bucket, const std::string& key, const std::string& upload_id);
  // The same, nullopt when there is none.
  std::optional<MultipartUpload> Find(const std::string& bucket, const std::string& key,
                                      const std::string& upload_id);

  // A writer for a part's content; CommitPart records it (replacing an earlier part of that number).
  // kInvalidArgument("invalid_argument") for a part number outside 1..10000.
  std::unique_ptr<BlobWriter> OpenPartWriter(const ObjectBucket& bucket, BlobDigests digests);
  // `checksum`: the part's content checksum the caller verified (empty: none), kept with the part.
  UploadPart CommitPart(BlobWriter& writer, const MultipartUpload& upload, int64_t part_number,
                        const std::optional<std::string>& expected_md5,
                        const std::optional<std::string>& expected_sha256,
                        const StoredChecksum& checksum = {});

  // Records `length` bytes of `source` from `offset` as part `part_number` (UploadPartCopy): the part's
  // ETag is the MD5 of those bytes, its checksum that of the upload's algorithm, if it has one. The caller
  // checks the range against the source's size. A source blob unlinked by a concurrent overwrite or delete
  // is kNotFound("blob_missing"): look the source up again.
  UploadPart CopyPart(const ObjectBucket& bucket, const MultipartUpload& upload, int64_t part_number,
                      const StoredObject& source, uint64_t offset, uint64_t length);

  // kInvalidArgument codes: invalid_part_order, invalid_part, entity_too_small, malformed_xml (no parts);
  // kConflict("upload_in_progress") while another Complete of the same upload runs or when a listed part
  // was uploaded again meanwhile; kPayloadTooLarge("entity_too_large") above the store's object size limit.
  // The object's checksum derives from the parts' (CompletedObjectChecksum); `expected_checksum` (base64,
  // empty: none) is what the client says it is: bad_digest when it is not. The object is published only when
  // `condition` holds (ObjectStore::PutRow); when it does not, the upload stays as it was.
  StoredObject Complete(const ObjectBucket& bucket, const MultipartUpload& upload,
                        const std::vector<CompletedPart>& parts, const WriteCondition& condition = {},
                        const std::string& expected_checksum = "");
  // A retried Complete of upload `upload_id` of (`bucket`, `key`), which is no longer in progress: the
  // recorded completion when it was completed within kCompletedRetentionSeconds with the same `parts`
  // (numbers and ETags), else kNotFound("upload_not_found"), as S3 answers a Complete of an unknown
  // upload (a different part list included: that upload cannot be completed again).
  CompletedUpload Replay(const std::string& bucket, const std::string& key, const std::string& upload_id,
                         const std::vector<CompletedPart>& parts);
  void Abort(const MultipartUpload& upload);

  std::vector<UploadPart> ListParts(const std::string& upload_id, int64_t after_part_number, int64_t limit);
  // Uploads in (key, initiation) order after the position (`key_marker`, `upload_id_marker`; see
  // Catalog::ListMultipartUploads), at most `max_uploads` uploads and common prefixes together. A key
  // marker that is a rolled-up prefix (prefix + ... + delimiter, without an upload id marker) continues
  // after every key below it.
  UploadListing ListUploads(const std::string& bucket, const std::string& prefix,
                            const std::string& delimiter, const std::string& key_marker,
                            const std::string& upload_id_marker, int64_t max_uploads);

  static void CheckPartNumber(int64_t part_number);

 private:
  // Claims `upload_id` for one Complete at a time; released when the returned guard goes away.
  std::shared_ptr<void> ClaimForCompletion(const std::string& upload_id);

  Catalog& catalog_;
  ObjectStore& store_;
  int64_t min_part_bytes_;
  std::mutex completing_mutex_;
  std::set<std::string> completing_;
};

}  // namespace duckstore
