// Bucket sharing between projects: a project shares a bucket of its default branch; another project links
// it under a name of its own and reads it (tables, rows, definitions) from the source project's database,
// never writes it; unsharing (or deleting the source bucket or project) removes every link made from it.
//
// Read-only roles. Every branch has a read-only role: the default branch's is the project's, named
// "<project id>_ro" (ReadOnlyRoleOf); a dev branch's is named like the branch id. A role may read exactly
// the buckets granted to it (its allow-list), nothing else, and never writes. Grants are made explicitly
// (GrantReadOnly) or when a bucket is created or linked for the role (the driver's CreateBucket/LinkBucket
// with a read-only role name), and go away with the bucket, the link or the branch. A dev branch's role
// also inherits the project role's grants for the buckets that show through from the default branch
// (inherited and linked buckets), as a Snowflake branch role is granted the project's read-only role; a
// bucket the branch created itself needs a grant on the branch. CanRoleRead is the one check every reader
// under a role goes through (restricted driver queries; later the PG wire server's workspace sessions).
#pragma once

#include <string>
#include <vector>

#include "duckstore/services/metadata/buckets.hpp"

namespace duckstore {

// The name of the read-only role of `branch`: "<project id>_ro" for the default branch, else the branch id.
std::string ReadOnlyRoleOf(const BranchRef& branch);

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
  // With `grant_read_only` the linked bucket is granted to the project's read-only role with the link.
  BucketInfo Link(const BranchRef& target, const std::string& bucket, const std::string& source_project_id,
                  const std::string& source_bucket, bool grant_read_only = false);
  // kNotFound("link_not_found").
  void Unlink(const BranchRef& target, const std::string& bucket);

  // Throws kPermissionDenied("unknown_read_only_role") unless `role` is the read-only role of `branch`.
  void CheckReadOnlyRole(const BranchRef& branch, const std::string& role);
  // Grants (revokes) a bucket the branch sees, own or linked, to (from) the branch's read-only role.
  // Idempotent; kNotFound("bucket_not_found") for a bucket the branch does not see. Revoking on a dev
  // branch removes the branch's own grant only: a project grant still reaches an inherited bucket.
  void GrantReadOnly(const BranchRef& branch, const std::string& bucket);
  void RevokeReadOnly(const BranchRef& branch, const std::string& bucket);
  // The buckets granted on the branch itself (for the default branch: the project role's grants).
  std::vector<std::string> ReadOnlyBuckets(const BranchRef& branch);
  // Every bucket the branch's read-only role may read (own and inherited grants), sorted by name.
  std::vector<std::string> ReadableBuckets(const BranchRef& branch);

  // Whether the read-only role of the view's branch may read `bucket` as that branch sees it.
  bool CanRoleRead(BranchView& view, const BucketLocation& bucket);
  // kPermissionDenied("bucket_not_granted") unless CanRoleRead.
  void RequireRoleRead(BranchView& view, const BucketLocation& bucket);

 private:
  // The canonical name of a bucket of the branch's own database (not linked); default branch only.
  std::string OwnBucket(const BranchRef& branch, const std::string& bucket);
  void SetGrant(const BranchRef& branch, const std::string& bucket, bool granted);

  BranchResolver& branches_;
  BucketService& buckets_;
  OperationLog& ops_;
};

}  // namespace duckstore
