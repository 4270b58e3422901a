// Buckets: the schemas of a project database, with their attributes (storage/engine/project_metadata.hpp). On
// a dev branch they follow the overlay rules of branch_view.hpp; linked buckets appear next to the project's
// own.
#pragma once

#include <memory>
#include <string>

#include "duckstore/services/audit/operation_log.hpp"
#include "duckstore/services/metadata/branch_view.hpp"
#include "duckstore/services/model/table_model.hpp"

namespace duckstore {

// A table or view of a bucket, by name.
struct BucketObject {
  std::string name;
  bool is_view = false;
};

class BucketService {
 public:
  BucketService(BranchResolver& branches, OperationLog& ops) : branches_(branches), ops_(ops) {}

  BucketInfo Create(const BranchRef& branch, const std::string& name, const std::string& description);
  Page<BucketInfo> List(const BranchRef& branch, const PageRequest& page);
  // The names of every bucket the branch sees, sorted, from one pass over the catalog: what the driver's
  // DATABASE ObjectInfo and ListSchemas answer, without describing each bucket as List does.
  std::vector<std::string> ListNames(const BranchRef& branch);
  BucketInfo Get(const BranchRef& branch, const std::string& name);
  // Every table and view the branch sees in the bucket, by name; kNotFound("bucket_not_found").
  std::vector<BucketObject> ListObjects(const BranchRef& branch, const std::string& name);
  // Without `cascade`, a bucket that holds tables is not deleted (kConflict "bucket_not_empty"). On a dev
  // branch a default-branch bucket is only hidden from the branch. Deleting a linked bucket unlinks it;
  // deleting a shared bucket on the default branch unshares it (its links go away).
  void Delete(const BranchRef& branch, const std::string& name, bool cascade);

 private:
  BucketInfo Describe(BranchView& view, const BucketLocation& bucket);

  BranchResolver& branches_;
  OperationLog& ops_;
};

}  // namespace duckstore
