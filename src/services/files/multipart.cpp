#include "duckstore/services/files/multipart.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <cstring>
#include <map>

#include "duckstore/common/error.hpp"
#include "duckstore/common/random.hpp"
#include "duckstore/services/files/multipart_checksum.hpp"

namespace duckstore {
namespace {

constexpr int64_t kListBatch = 1000;
// Sorts after every UTF-8 continuation of a prefix (as in ObjectStore::List).
constexpr char kAfterEveryKey = '\xff';

std::string HexToBytes(const std::string& hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return bytes;
}

std::string Md5Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr) != 1)
    throw Internal("md5 failed");
  return HexEncode(std::string_view(reinterpret_cast<char*>(digest), length));
}

// What identifies the part list a Complete names: each part's number and ETag, in order.
std::string PartsDigest(const std::vector<CompletedPart>& parts) {
  std::string text;
  for (const auto& part : parts) text += std::to_string(part.part_number) + ":" + part.etag + "\n";
  return Sha256Hex(text);
}

void UnlinkAll(const std::vector<std::string>& paths) {
  for (const auto& path : paths) ::unlink(path.c_str());
}

// Throws unless every chosen part is still stored with the same blob: a part uploaded again after the
// Complete read the list replaced (and unlinked) the blob the object would be made of.
void CheckPartsUnchanged(const std::vector<UploadPart>& now, const std::vector<const UploadPart*>& chosen) {
  std::map<int64_t, std::string> blob_of;
  for (const auto& part : now) blob_of[part.part_number] = part.blob;
  for (const UploadPart* part : chosen) {
    auto it = blob_of.find(part->part_number);
    if (it == blob_of.end() || it->second != part->blob) {
      throw Conflict("upload_in_progress", "part " + std::to_string(part->part_number) +
                                               " was uploaded again while the upload was being completed");
    }
  }
}

}  // namespace

MultipartService::MultipartService(Catalog& catalog, ObjectStore& store, int64_t min_part_bytes)
    : catalog_(catalog), store_(store), min_part_bytes_(min_part_bytes) {}

void MultipartService::CheckPartNumber(int64_t part_number) {
  if (part_number < 1 || part_number > kMaxPartNumber) {
    throw InvalidArgument("invalid_argument", "part numbers must be between 1 and 10000",
                          {{"ArgumentName", "partNumber"}, {"ArgumentValue", std::to_string(part_number)}});
  }
}

MultipartUpload MultipartService::Create(const ObjectBucket& bucket, const std::string& key,
                                         const ObjectAttributes& attributes) {
  MultipartUpload upload;
  // Never starting with '-': command-line tools (aws s3api ... --upload-id <id>) read such an id as an
  // option, and about one upload in 64 could not be completed or aborted from the shell.
  do {
    upload.id = RandomToken(24);
  } while (upload.id.front() == '-');
  upload.bucket = bucket.name;
  upload.key = key;
  upload.content_type = attributes.content_type;
  upload.metadata = attributes.metadata;
  upload.created_at = NowTimestamp();
  upload.checksum = {attributes.checksum.algorithm, attributes.checksum.type, ""};
  upload.headers = attributes.headers;
  catalog_.CreateMultipartUpload(upload);
  return upload;
}

std::optional<MultipartUpload> MultipartService::Find(const std::string& bucket, const std::string& key,
                                                      const std::string& upload_id) {
  auto upload = catalog_.GetMultipartUpload(upload_id);
  if (!upload || upload->bucket != bucket || upload->key != key) return std::nullopt;
  return upload;
}

MultipartUpload MultipartService::Get(const std::string& bucket, const std::string& key,
                                      const std::string& upload_id) {
  auto upload = Find(bucket, key, upload_id);
  if (!upload) {
    throw NotFound("upload_not_found", "the specified multipart upload does not exist",
                   {{"UploadId", upload_id}});
  }
  return *upload;
}

std::unique_ptr<BlobWriter> MultipartService::OpenPartWriter(const ObjectBucket& bucket,
                                                             BlobDigests digests) {
  return store_.OpenWriter(bucket, digests);
}

UploadPart MultipartService::CommitPart(BlobWriter& writer, const MultipartUpload& upload,
                                        int64_t part_number, const std::optional<std::string>& expected_md5,
                                        const std::optional<std::string>& expected_sha256,
                                        const StoredChecksum& checksum) {
  CheckPartNumber(part_number);
  BlobInfo blob = writer.Commit();
  UploadPart part{upload.id, part_number, blob.path, blob.size, blob.md5, NowTimestamp(), checksum};
  std::optional<std::string> replaced;
  try {
    if (expected_md5 && *expected_md5 != blob.md5) {
      throw InvalidArgument("bad_digest", "the Content-MD5 you specified did not match what we received");
    }
    if (expected_sha256 && *expected_sha256 != blob.sha256) {
      throw InvalidArgument("content_sha256_mismatch",
                            "the provided x-amz-content-sha256 header does not match what was computed");
    }
    replaced = catalog_.PutUploadPart(part);  // upload_not_found after an Abort
  } catch (...) {
    ::unlink(blob.path.c_str());
    throw;
  }
  if (replaced) ::unlink(replaced->c_str());
  return part;
}

UploadPart MultipartService::CopyPart(const ObjectBucket& bucket, const MultipartUpload& upload,
                                      int64_t part_number, const StoredObject& source, uint64_t offset,
                                      uint64_t length) {
  CheckPartNumber(part_number);
  auto ranges = ObjectRanges(source, offset, length);
  StoredChecksum checksum;
  if (!upload.checksum.algorithm.empty()) {
    checksum = {upload.checksum.algorithm, "", FileRangeChecksum(upload.checksum.algorithm, ranges)};
  }
  auto writer = OpenPartWriter(bucket, {.md5 = true});
  for (const auto& range : ranges) writer->AppendFile(range.path, range.offset, range.length);
  return CommitPart(*writer, upload, part_number, std::nullopt, std::nullopt, checksum);
}

std::shared_ptr<void> MultipartService::ClaimForCompletion(const std::string& upload_id) {
  std::lock_guard lock(completing_mutex_);
  if (!completing_.insert(upload_id).second) {
    throw Conflict("upload_in_progress", "another request is completing this multipart upload");
  }
  return std::shared_ptr<void>(nullptr, [this, upload_id](void*) {
    std::lock_guard release(completing_mutex_);
    completing_.erase(upload_id);
  });
}

StoredObject MultipartService::Complete(const ObjectBucket& bucket, const MultipartUpload& upload,
                                        const std::vector<CompletedPart>& parts,
                                        const WriteCondition& condition,
                                        const std::string& expected_checksum) {
  if (parts.empty()) {
    throw InvalidArgument("malformed_xml", "the request must list at least one part");
  }
  auto claim = ClaimForCompletion(upload.id);
  std::vector<UploadPart> stored = catalog_.ListUploadParts(upload.id, 0, kMaxPartNumber);
  std::map<int64_t, const UploadPart*> by_number;
  for (const auto& part : stored) by_number[part.part_number] = &part;

  // Every listed part must exist with its ETag before sizes are judged (S3 reports InvalidPart first).
  std::vector<const UploadPart*> chosen;
  std::vector<StoredChecksum> listed;
  int64_t previous = 0;
  for (const CompletedPart& wanted : parts) {
    if (wanted.part_number <= previous) {
      throw InvalidArgument("invalid_part_order", "the list of parts was not in ascending order");
    }
    previous = wanted.part_number;
    auto it = by_number.find(wanted.part_number);
    if (it == by_number.end() || it->second->etag != wanted.etag) {
      throw InvalidArgument(
          "invalid_part",
          "part " + std::to_string(wanted.part_number) + " was not uploaded or its ETag does not match",
          {{"UploadId", upload.id}, {"PartNumber", std::to_string(wanted.part_number)}});
    }
    chosen.push_back(it->second);
    listed.push_back(wanted.checksum);
  }
  for (size_t i = 0; i + 1 < chosen.size(); ++i) {
    if (chosen[i]->size < min_part_bytes_) {
      throw InvalidArgument("entity_too_small",
                            "part " + std::to_string(chosen[i]->part_number) +
                                " is smaller than the minimum of " + std::to_string(min_part_bytes_) +
                                " bytes",
                            {{"PartNumber", std::to_string(chosen[i]->part_number)}});
    }
  }

  ObjectAttributes attributes;
  attributes.checksum = CompletedObjectChecksum(upload.checksum, chosen, listed);
  if (!expected_checksum.empty() && expected_checksum != attributes.checksum.value) {
    throw InvalidArgument("bad_digest", "the checksum you specified did not match the object's checksum",
                          {{"expected", expected_checksum}, {"actual", attributes.checksum.value}});
  }

  // The object is its parts' blobs read in order (no copy, so completing takes the same time whatever the
  // size); its ETag derives from the parts' MD5s.
  std::vector<std::string> blobs;
  int64_t size = 0;
  std::string md5s;
  attributes.part_sizes.reserve(chosen.size());
  for (const UploadPart* part : chosen) {
    blobs.push_back(part->blob);
    attributes.part_sizes.push_back(part->size);
    size += part->size;
    md5s += HexToBytes(part->etag);
  }
  if (size > store_.max_object_bytes()) {
    throw Error(ErrorKind::kPayloadTooLarge, "entity_too_large",
                "the object would be larger than the maximum of " +
                    std::to_string(store_.max_object_bytes()) + " bytes");
  }
  std::string etag = Md5Hex(md5s) + "-" + std::to_string(chosen.size());
  attributes.content_type = upload.content_type;
  attributes.metadata = upload.metadata;
  attributes.headers = upload.headers;
  StoredObject object = store_.Describe(blobs, size, etag, bucket, upload.key, attributes);
  CompletedUpload completed{upload.id,          bucket.name,     upload.key,       object.etag,
                            PartsDigest(parts), object.checksum, object.created_at};
  // One transaction publishes the object, drops the upload and remembers the completion: a crash or a
  // failed condition leaves either the upload (owning the part blobs) or the object (owning the chosen
  // ones), never both nor neither, and a retry finds one or the other.
  std::vector<std::string> replaced;
  std::optional<std::vector<std::string>> part_blobs;
  catalog_.InTransaction([&] {
    CheckPartsUnchanged(catalog_.ListUploadParts(upload.id, 0, kMaxPartNumber), chosen);
    replaced = store_.PutRow(object, condition);
    part_blobs = catalog_.DeleteMultipartUpload(upload.id);
    catalog_.RecordCompletedUpload(completed);
    catalog_.ForgetCompletedUploads(NowTimestamp(-kCompletedRetentionSeconds));
  });
  UnlinkAll(replaced);
  if (part_blobs) {
    std::set<std::string> kept(blobs.begin(), blobs.end());
    std::erase_if(*part_blobs, [&kept](const std::string& path) { return kept.contains(path); });
    UnlinkAll(*part_blobs);  // parts uploaded but not listed
  }
  return object;
}

CompletedUpload MultipartService::Replay(const std::string& bucket, const std::string& key,
                                         const std::string& upload_id,
                                         const std::vector<CompletedPart>& parts) {
  auto completed = catalog_.GetCompletedUpload(upload_id);
  bool replayable = completed && completed->bucket == bucket && completed->key == key &&
                    completed->completed_at >= NowTimestamp(-kCompletedRetentionSeconds);
  if (!replayable) {
    throw NotFound("upload_not_found", "the specified multipart upload does not exist",
                   {{"UploadId", upload_id}});
  }
  if (completed->parts_digest != PartsDigest(parts)) {
    throw NotFound("upload_not_found",
                   "the specified multipart upload was completed with another list of parts and does not "
                   "exist any more",
                   {{"UploadId", upload_id}});
  }
  return *completed;
}

void MultipartService::Abort(const MultipartUpload& upload) {
  auto claim = ClaimForCompletion(upload.id);
  auto part_blobs = catalog_.DeleteMultipartUpload(upload.id);
  if (!part_blobs) throw NotFound("upload_not_found", "the specified multipart upload does not exist");
  UnlinkAll(*part_blobs);
}

std::vector<UploadPart> MultipartService::ListParts(const std::string& upload_id, int64_t after_part_number,
                                                    int64_t limit) {
  return catalog_.ListUploadParts(upload_id, after_part_number, limit);
}

UploadListing MultipartService::ListUploads(const std::string& bucket, const std::string& prefix,
                                            const std::string& delimiter, const std::string& key_marker,
                                            const std::string& upload_id_marker, int64_t max_uploads) {
  UploadListing listing;
  std::string key_cursor = key_marker;
  std::string id_cursor = upload_id_marker;
  if (!delimiter.empty() && id_cursor.empty() && key_cursor.size() > prefix.size() &&
      key_cursor.starts_with(prefix) && key_cursor.ends_with(delimiter)) {
    key_cursor.push_back(kAfterEveryKey);
  }
  int64_t count = 0;
  while (true) {
    auto batch = catalog_.ListMultipartUploads(bucket, prefix, key_cursor, id_cursor, kListBatch);
    bool skipped = false;
    for (auto& upload : batch) {
      if (count == max_uploads) {
        listing.truncated = true;
        return listing;
      }
      ++count;
      size_t at = delimiter.empty() ? std::string::npos : upload.key.find(delimiter, prefix.size());
      if (at != std::string::npos) {
        std::string rolled_up = upload.key.substr(0, at + delimiter.size());
        listing.next_key_marker = rolled_up;
        listing.next_upload_id_marker.clear();
        listing.common_prefixes.push_back(std::move(rolled_up));
        key_cursor = listing.next_key_marker + kAfterEveryKey;
        id_cursor.clear();
        skipped = true;
        break;  // continue after every upload below this prefix
      }
      listing.next_key_marker = key_cursor = upload.key;
      listing.next_upload_id_marker = id_cursor = upload.id;
      listing.uploads.push_back(std::move(upload));
    }
    if (!skipped && static_cast<int64_t>(batch.size()) < kListBatch) return listing;
  }
}

}  // namespace duckstore
