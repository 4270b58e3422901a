// Buckets: the schemas of a project database, with their attributes in _duckstore.buckets.
#pragma once

#include <memory>
#include <string>

#include "duckstore/services/operation_log.hpp"
#include "duckstore/services/table_model.hpp"
#include "duckstore/storage/catalog/catalog.hpp"
#include "duckstore/storage/engine/engine.hpp"

namespace duckstore {

// Resolves a branch to the database that holds it; shared by the data services.
class BranchResolver {
 public:
  BranchResolver(Catalog& catalog, Engine& engine) : catalog_(catalog), engine_(engine) {}
  // kNotFound "project_not_found" / "branch_not_found". Dev branches have no storage of their own yet:
  // they arrive with the driver issue; until then only "default" resolves.
  std::shared_ptr<ProjectDatabase> Open(const BranchRef& branch);

 private:
  Catalog& catalog_;
  Engine& engine_;
};

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
  BucketInfo Get(const BranchRef& branch, const std::string& name);
  // Every table and view of the bucket, by name; kNotFound("bucket_not_found").
  std::vector<BucketObject> ListObjects(const BranchRef& branch, const std::string& name);
  // Without `cascade`, a bucket that holds tables is not deleted (kConflict "bucket_not_empty").
  void Delete(const BranchRef& branch, const std::string& name, bool cascade);

 private:
  BranchResolver& branches_;
  OperationLog& ops_;
};

// The canonical (as created) name of a bucket, or nullopt; DuckDB matches schema names case-insensitively.
std::optional<std::string> FindBucket(duckdb::Connection& conn, const std::string& name);

}  // namespace duckstore
