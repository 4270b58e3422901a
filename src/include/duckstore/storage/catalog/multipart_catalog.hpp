// S3 multipart uploads in progress and their parts, one of the catalog's small interfaces (catalog.hpp
// aggregates them). An upload belongs to an object bucket and goes away with it (ObjectCatalog). Every
// method is safe to call from any thread. Failures throw duckstore::Error: kNotFound where a method says
// so, kInternal for the backend.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "duckstore/storage/catalog/entities.hpp"

namespace duckstore {

class MultipartCatalog {
 public:
  virtual ~MultipartCatalog() = default;

  // CreateMultipartUpload throws kNotFound("bucket_not_found") for a missing bucket.
  virtual void CreateMultipartUpload(const MultipartUpload& upload) = 0;
  virtual std::optional<MultipartUpload> GetMultipartUpload(const std::string& id) = 0;
  // At most `limit` uploads of `bucket` whose key starts with `prefix`, ordered by (key, created_at, id),
  // after the position (`key_marker`, `upload_id_marker`): with an upload id marker, the uploads of
  // `key_marker` that follow that upload and then the later keys; without one, the keys after
  // `key_marker` (empty: from the first).
  virtual std::vector<MultipartUpload> ListMultipartUploads(const std::string& bucket,
                                                            const std::string& prefix,
                                                            const std::string& key_marker,
                                                            const std::string& upload_id_marker,
                                                            int64_t limit) = 0;
  // Inserts or replaces part (upload_id, part_number); returns the replaced part's blob path for the
  // caller to unlink after commit. kNotFound("upload_not_found") when the upload does not exist.
  virtual std::optional<std::string> PutUploadPart(const UploadPart& part) = 0;
  // At most `limit` parts numbered above `after_part_number`, in part number order.
  virtual std::vector<UploadPart> ListUploadParts(const std::string& upload_id, int64_t after_part_number,
                                                  int64_t limit) = 0;
  // Removes the upload and its parts; returns the parts' blob paths for the caller to unlink after commit,
  // or nullopt when the upload did not exist.
  virtual std::optional<std::vector<std::string>> DeleteMultipartUpload(const std::string& id) = 0;

  // Completed uploads, kept for retried completions. Record inserts or replaces by id; Forget removes
  // those completed before `before` (a timestamp) and returns how many.
  virtual void RecordCompletedUpload(const CompletedUpload& completed) = 0;
  virtual std::optional<CompletedUpload> GetCompletedUpload(const std::string& id) = 0;
  virtual int64_t ForgetCompletedUploads(const std::string& before) = 0;
};

}  // namespace duckstore
