// Bucket sharing between projects: a project shares a bucket of its default branch; another project links
// it under a name of its own and reads it (tables, rows, definitions) from the source project's database,
// never writes it; unsharing (or deleting the source bucket or project) removes every link made from it.
// Read-only grants record which buckets the project's read-only role (workspace users reading storage
// directly) may read.
#pragma once

#include <string>
#include <vector>

#include "duckstore/services/buckets.hpp"

namespace duckstore {

class SharingService {
 public:
  SharingService(BranchResolver& branches, BucketService& buckets, OperationLog& ops)
      : branches_(branches), buckets_(buckets), ops_(ops) {}

  // Default branch only. `targets` limits which projects may link the bucket (empty: any project).
  // kConflict("bucket_already_shared"); kNotFound for a missing bucket or target project.
  BucketShare Share(const BranchRef& branch, const std::string& bucket,
                    const std::vector<std::string>& targets);
  // kNotFound("share_not_found").
  void Unshare(const BranchRef& branch, const std::string& bucket);
  // The share of a bucket and the links made from it; kNotFound("share_not_found").
  std::pair<BucketShare, std::vector<BucketLink>> GetShare(const BranchRef& branch,
                                                           const std::string& bucket);

  // Links the shared bucket `source_bucket` of `source_project_id` into the default branch of
  // `target.project_id` as `bucket`. kNotFound("share_not_found") when it is not shared,
  // kPermissionDenied("share_not_granted") when shared with other projects only, kConflict("bucket_exists").
  BucketInfo Link(const BranchRef& target, const std::string& bucket, const std::string& source_project_id,
                  const std::string& source_bucket);
  // kNotFound("link_not_found").
  void Unlink(const BranchRef& target, const std::string& bucket);

  void GrantReadOnly(const BranchRef& branch, const std::string& bucket);
  void RevokeReadOnly(const BranchRef& branch, const std::string& bucket);
  std::vector<std::string> ReadOnlyBuckets(const std::string& project_id);

 private:
  // The canonical name of a bucket of the branch's own database (not linked); default branch only.
  std::string OwnBucket(const BranchRef& branch, const std::string& bucket);

  BranchResolver& branches_;
  BucketService& buckets_;
  OperationLog& ops_;
};

}  // namespace duckstore
