// Branches of a project and the read-only role's bucket grants on each, one of the catalog's small
// interfaces (catalog.hpp aggregates them). Every method is safe to call from any thread. Failures throw
// duckstore::Error: kConflict for uniqueness violations, kInternal for the backend.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "duckstore/storage/catalog/entities.hpp"

namespace duckstore {

class BranchCatalog {
 public:
  virtual ~BranchCatalog() = default;

  // CreateBranch throws kConflict("branch_exists") for a taken id or name within the project.
  virtual void CreateBranch(const Branch& branch) = 0;
  virtual std::optional<Branch> GetBranch(const std::string& project_id, const std::string& id) = 0;
  virtual Page<Branch> ListBranches(const std::string& project_id, const PageRequest& page) = 0;
  virtual void DeleteBranch(const std::string& project_id, const std::string& id) = 0;

  // Read-only role grants: the buckets granted to the read-only role of a branch (the default branch's is
  // the project's role), by canonical name, compared case-insensitively. A branch's grants go away with
  // the branch, a linked bucket's default-branch grant with the link (SharingCatalog::DeleteLink); buckets
  // of project databases are not the catalog's, so whoever drops one revokes its grant.
  virtual void SetReadOnlyGrant(const std::string& project_id, const std::string& branch_id,
                                const std::string& bucket, bool granted) = 0;
  virtual bool HasReadOnlyGrant(const std::string& project_id, const std::string& branch_id,
                                const std::string& bucket) = 0;
  // Sorted by name.
  virtual std::vector<std::string> ListReadOnlyGrants(const std::string& project_id,
                                                      const std::string& branch_id) = 0;
};

}  // namespace duckstore
