// How the storage driver names the buckets of dev branches.
//
// The bucket object name (CreateBucketResponse.createBucketObjectName, which Connection puts in the `path`
// of every later command on the bucket) is
//  - "<bucket>" for a bucket of the default branch: the bucket id as is ("in.c-sales");
//  - "<branch id>/<bucket>" for the bucket on dev branch <branch id> ("1234/in.c-sales").
// Branch ids are [A-Za-z0-9_-] and bucket names never hold '/' (common/identifiers), so the one '/' splits
// a name unambiguously, whatever '_', '.' or '-' either part holds, and every (branch, bucket) pair has
// exactly one name: "default/<bucket>" is not a name (the default branch's buckets carry no prefix).
#pragma once

#include <string>
#include <string_view>

#include "duckstore/services/auth/auth.hpp"

namespace duckstore::driver {

struct BucketName {
  std::string branch_id;  // kDefaultBranch for unprefixed names
  std::string bucket;
};

// The object name of `bucket` on `branch_id`.
std::string BucketObjectName(std::string_view branch_id, std::string_view bucket);

// The branch and bucket an object name denotes. kInvalidArgument("invalid_name") for a malformed prefixed
// name (empty or invalid branch id, "default/..." , an invalid bucket name after the '/'); `field` names the
// command field in the message. Unprefixed names are returned as they are (the services validate them).
BucketName ParseBucketObjectName(std::string_view name, std::string_view field);

// The branch an object name denotes, without validating it (kDefaultBranch for unprefixed names). For
// authorization before a command runs; the command's own parsing rejects malformed names.
std::string BranchOfObjectName(std::string_view name);

// The branch a command `path` names: that of its element holding a '/' (a bucket object name of a dev
// branch; table names and project ids cannot hold one), else the default branch. Covers [bucket],
// [bucket, table] and [project, bucket].
template <typename Path>
std::string BranchOfPath(const Path& path) {
  for (const auto& element : path) {
    if (std::string_view(element).find('/') != std::string_view::npos) return BranchOfObjectName(element);
  }
  return kDefaultBranch;
}

}  // namespace duckstore::driver
