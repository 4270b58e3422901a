// Bucket sharing between projects: the shares a project offers and the links other projects make to them,
// one of the catalog's small interfaces (catalog.hpp aggregates them). Every method is safe to call from
// any thread. Failures throw duckstore::Error: kConflict and kNotFound where a method says so, kInternal
// for the backend.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "duckstore/storage/catalog/entities.hpp"

namespace duckstore {

class SharingCatalog {
 public:
  virtual ~SharingCatalog() = default;

  // CreateShare throws kConflict("bucket_already_shared"); deleting a share deletes the links made from it.
  virtual void CreateShare(const BucketShare& share) = 0;
  virtual std::optional<BucketShare> GetShare(const std::string& project_id, const std::string& bucket) = 0;
  // Ordered by bucket.
  virtual std::vector<BucketShare> ListShares(const std::string& project_id) = 0;
  virtual void DeleteShare(const std::string& project_id, const std::string& bucket) = 0;

  // CreateLink throws kConflict("bucket_exists") for a taken name in the target and
  // kNotFound("share_not_found") when the source is not shared.
  virtual void CreateLink(const BucketLink& link) = 0;
  // Links into a project (its linked buckets), by name.
  virtual std::vector<BucketLink> ListLinks(const std::string& project_id) = 0;
  // Links made from one shared bucket.
  virtual std::vector<BucketLink> ListLinksFrom(const std::string& source_project_id,
                                                const std::string& source_bucket) = 0;
  // Also revokes the link's default-branch read-only grant (BranchCatalog).
  virtual void DeleteLink(const std::string& project_id, const std::string& bucket) = 0;
};

}  // namespace duckstore
