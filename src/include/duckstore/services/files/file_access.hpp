// Who may use an object-store bucket: the one rule every door applies to file buckets (REST imports and
// exports, the storage driver's file paths, the S3 API). A project's bucket needs the access on the
// project's default branch (AuthorizeEntry's rule for a project target); an admin-owned bucket is the admin
// key's alone. Entry points whose target is an object bucket (TargetFrom::kObjectBucket) and every
// data-dependent bucket a handler touches (an import's source, an export's target, a copy's source) go
// through here with the principal the door authenticated.
#pragma once

#include <string>

#include "duckstore/services/auth/auth.hpp"
#include "duckstore/services/files/object_store.hpp"

namespace duckstore {

class FileAccess {
 public:
  FileAccess(const AuthService& auth, ObjectStore& store) : auth_(auth), store_(store) {}

  // The bucket named `name`, after checking that `principal` may use it with `access`.
  // kNotFound("bucket_not_found") for unknown buckets, kPermissionDenied when not allowed.
  ObjectBucket Bucket(const Principal& principal, const std::string& name, Access access) const;
  // Throws kPermissionDenied unless `principal` may use `bucket` with `access`.
  void Authorize(const Principal& principal, const ObjectBucket& bucket, Access access) const;
  // Authorize as a question (listings show only what the caller may use).
  bool MayUse(const Principal& principal, const ObjectBucket& bucket, Access access) const;

 private:
  const AuthService& auth_;
  ObjectStore& store_;
};

}  // namespace duckstore
