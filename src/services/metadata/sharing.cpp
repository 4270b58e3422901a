#include "duckstore/services/metadata/sharing.hpp"

#include <duckdb.hpp>

#include <algorithm>

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/auth/auth.hpp"

namespace duckstore {
namespace {

void RequireDefault(const BranchRef& branch) {
  if (branch.branch_id != kDefaultBranch) {
    throw InvalidArgument("default_branch_only", "bucket sharing works on the default branch only");
  }
}

}  // namespace

std::string ReadOnlyRoleOf(const BranchRef& branch) {
  return branch.branch_id == kDefaultBranch ? branch.project_id + "_ro" : branch.branch_id;
}

std::string SharingService::OwnBucket(const BranchRef& branch, const std::string& bucket) {
  RequireDefault(branch);
  ValidateObjectName(bucket, "bucket name");
  auto view = branches_.View(branch);
  auto location = view->RequireBucket(bucket);
  if (location.linked()) {
    throw InvalidArgument("bucket_is_linked",
                          "bucket '" + location.name + "' is linked from another project");
  }
  return location.name;
}

BucketShare SharingService::Share(const BranchRef& branch, const std::string& bucket,
                                  const std::vector<std::string>& targets) {
  return ops_.Run(branch.project_id, "bucket.share", bucket, [&] {
    BucketShare share{branch.project_id, OwnBucket(branch, bucket), targets, NowTimestamp()};
    for (const auto& target : targets) {
      ValidateId(target, "project id");
      auto project = branches_.catalog().GetProject(target);
      if (!project || project->status != "active")
        throw NotFound("project_not_found", "project '" + target + "' does not exist");
    }
    branches_.catalog().CreateShare(share);
    return share;
  });
}

void SharingService::Unshare(const BranchRef& branch, const std::string& bucket) {
  ops_.Run(branch.project_id, "bucket.unshare", bucket, [&] {
    GetShare(branch, bucket);
    branches_.catalog().DeleteShare(branch.project_id, OwnBucket(branch, bucket));  // and its links
  });
}

std::pair<BucketShare, std::vector<BucketLink>> SharingService::GetShare(const BranchRef& branch,
                                                                         const std::string& bucket) {
  std::string name = OwnBucket(branch, bucket);
  auto share = branches_.catalog().GetShare(branch.project_id, name);
  if (!share) throw NotFound("share_not_found", "bucket '" + name + "' is not shared");
  return {*share, branches_.catalog().ListLinksFrom(branch.project_id, name)};
}

BucketInfo SharingService::Link(const BranchRef& target, const std::string& bucket,
                                const std::string& source_project_id, const std::string& source_bucket,
                                bool grant_read_only) {
  RequireDefault(target);
  ValidateObjectName(bucket, "bucket name");
  ValidateId(source_project_id, "source project id");
  return ops_.Run(target.project_id, "bucket.link", bucket, [&] {
    if (source_project_id == target.project_id) {
      throw InvalidArgument("invalid_request", "a project cannot link its own bucket");
    }
    auto& catalog = branches_.catalog();
    auto source_project = catalog.GetProject(source_project_id);
    if (!source_project || source_project->status != "active")
      throw NotFound("project_not_found", "project '" + source_project_id + "' does not exist");
    std::string source = OwnBucket(BranchRef{source_project_id, kDefaultBranch}, source_bucket);
    auto share = catalog.GetShare(source_project_id, source);
    if (!share) {
      throw NotFound("share_not_found",
                     "bucket '" + source + "' of project '" + source_project_id + "' is not shared");
    }
    if (!share->target_project_ids.empty() &&
        std::find(share->target_project_ids.begin(), share->target_project_ids.end(), target.project_id) ==
            share->target_project_ids.end()) {
      throw Error(ErrorKind::kPermissionDenied, "share_not_granted",
                  "bucket '" + source + "' is not shared with project '" + target.project_id + "'");
    }
    auto view = branches_.View(target);
    auto lock = view->db().LockTable(view->own_catalog(), bucket, "");
    if (view->FindBucket(bucket)) throw Conflict("bucket_exists", "bucket '" + bucket + "' already exists");
    catalog.InTransaction([&] {
      catalog.CreateLink(BucketLink{target.project_id, bucket, source_project_id, source, NowTimestamp()});
      if (grant_read_only) catalog.SetReadOnlyGrant(target.project_id, kDefaultBranch, bucket, true);
    });
    return buckets_.Get(target, bucket);
  });
}

void SharingService::Unlink(const BranchRef& target, const std::string& bucket) {
  RequireDefault(target);
  ValidateObjectName(bucket, "bucket name");
  ops_.Run(target.project_id, "bucket.unlink", bucket, [&] {
    for (const auto& link : branches_.catalog().ListLinks(target.project_id)) {
      if (duckdb::StringUtil::CIEquals(link.bucket, bucket)) {
        branches_.catalog().DeleteLink(target.project_id, link.bucket);  // and its read-only grant
        return;
      }
    }
    throw NotFound("link_not_found", "bucket '" + bucket + "' is not a linked bucket");
  });
}

void SharingService::CheckReadOnlyRole(const BranchRef& branch, const std::string& role) {
  std::string expected = ReadOnlyRoleOf(branch);
  if (role == expected) return;
  std::string owner = branch.branch_id == kDefaultBranch ? "project '" + branch.project_id + "'"
                                                         : "dev branch '" + branch.branch_id + "'";
  throw Error(ErrorKind::kPermissionDenied, "unknown_read_only_role",
              "role '" + role + "' is not the read-only role of " + owner + " ('" + expected + "')",
              {{"role", role}, {"read_only_role", expected}});
}

void SharingService::GrantReadOnly(const BranchRef& branch, const std::string& bucket) {
  SetGrant(branch, bucket, true);
}

void SharingService::RevokeReadOnly(const BranchRef& branch, const std::string& bucket) {
  SetGrant(branch, bucket, false);
}

// Under the bucket's lock, like creating and dropping it: a grant never outlives its bucket.
void SharingService::SetGrant(const BranchRef& branch, const std::string& bucket, bool granted) {
  ValidateObjectName(bucket, "bucket name");
  ops_.Run(branch.project_id, granted ? "bucket.grant_readonly" : "bucket.revoke_readonly", bucket, [&] {
    auto view = branches_.View(branch);
    auto lock = view->db().LockTable(view->own_catalog(), bucket, "");
    auto location = view->RequireBucket(bucket);
    branches_.catalog().SetReadOnlyGrant(branch.project_id, branch.branch_id, location.name, granted);
  });
}

std::vector<std::string> SharingService::ReadOnlyBuckets(const BranchRef& branch) {
  branches_.View(branch);  // kNotFound for a missing project or branch
  return branches_.catalog().ListReadOnlyGrants(branch.project_id, branch.branch_id);
}

std::vector<std::string> SharingService::ReadableBuckets(const BranchRef& branch) {
  auto view = branches_.View(branch);
  std::vector<std::string> out;
  for (const auto& bucket : view->ListBuckets()) {
    if (CanRoleRead(*view, bucket)) out.push_back(bucket.name);
  }
  return out;
}

bool SharingService::CanRoleRead(BranchView& view, const BucketLocation& bucket) {
  auto& catalog = branches_.catalog();
  const BranchRef& branch = view.ref();
  if (catalog.HasReadOnlyGrant(branch.project_id, branch.branch_id, bucket.name)) return true;
  // A dev branch's role holds the project role: its grants reach what shows through from the default
  // branch, not the buckets the branch created itself.
  return !view.is_default() && (bucket.inherited || bucket.linked()) &&
         catalog.HasReadOnlyGrant(branch.project_id, kDefaultBranch, bucket.name);
}

void SharingService::RequireRoleRead(BranchView& view, const BucketLocation& bucket) {
  if (CanRoleRead(view, bucket)) return;
  std::string role = ReadOnlyRoleOf(view.ref());
  throw Error(ErrorKind::kPermissionDenied, "bucket_not_granted",
              "bucket '" + bucket.name + "' is not granted to read-only role '" + role + "'",
              {{"bucket", bucket.name}, {"role", role}});
}

}  // namespace duckstore
