#include "duckstore/api/driver/object_names.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/auth/auth.hpp"

namespace duckstore::driver {

namespace {

constexpr char kSeparator = '/';

}  // namespace

std::string BucketObjectName(std::string_view branch_id, std::string_view bucket) {
  if (branch_id == kDefaultBranch) return std::string(bucket);
  return std::string(branch_id) + kSeparator + std::string(bucket);
}

BucketName ParseBucketObjectName(std::string_view name, std::string_view field) {
  auto separator = name.find(kSeparator);
  if (separator == std::string_view::npos) return BucketName{kDefaultBranch, std::string(name)};
  std::string_view branch = name.substr(0, separator);
  std::string_view bucket = name.substr(separator + 1);
  std::string what = std::string(field) + " (branch part)";
  ValidateId(branch, what);
  if (branch == kDefaultBranch) {
    throw InvalidArgument("invalid_name",
                          std::string(field) + " '" + std::string(name) +
                              "': buckets of the default branch are named without a branch prefix",
                          {{"name", std::string(name)}});
  }
  ValidateObjectName(bucket, std::string(field) + " (bucket part)");
  return BucketName{std::string(branch), std::string(bucket)};
}

std::string BranchOfObjectName(std::string_view name) {
  auto separator = name.find(kSeparator);
  return separator == std::string_view::npos ? std::string(kDefaultBranch)
                                             : std::string(name.substr(0, separator));
}

}  // namespace duckstore::driver
