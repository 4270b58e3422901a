#include "duckstore/services/files/file_access.hpp"

#include "duckstore/common/error.hpp"

namespace duckstore {

ObjectBucket FileAccess::Bucket(const Principal& principal, const std::string& name, Access access) const {
  ObjectBucket bucket = store_.GetBucket(name);
  Authorize(principal, bucket, access);
  return bucket;
}

void FileAccess::Authorize(const Principal& principal, const ObjectBucket& bucket, Access access) const {
  if (!bucket.project_id) {
    if (!principal.admin)
      throw PermissionDenied("bucket '" + bucket.name + "' belongs to the server administrator");
    return;
  }
  // A project's bucket is project-level data: checked as a project target (the project's default branch).
  auth_.Authorize(principal, access, *bucket.project_id, kDefaultBranch);
}

bool FileAccess::MayUse(const Principal& principal, const ObjectBucket& bucket, Access access) const {
  try {
    Authorize(principal, bucket, access);
    return true;
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::kPermissionDenied) throw;
    return false;
  }
}

}  // namespace duckstore
