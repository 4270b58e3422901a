// Dev branches: their lifecycle. What a branch sees and how writes on it copy tables up is in
// branch_view.hpp; docs/design/branches.md explains both.
#pragma once

#include <optional>
#include <string>

#include "duckstore/services/audit/operation_log.hpp"
#include "duckstore/services/metadata/branch_view.hpp"
#include "duckstore/services/workspaces/workspaces.hpp"

namespace duckstore {

class BranchService {
 public:
  BranchService(BranchResolver& branches, WorkspaceService& workspaces, OperationLog& ops)
      : branches_(branches), workspaces_(workspaces), ops_(ops) {}

  // `id` is generated when absent; "default" is reserved. kConflict("branch_exists") for a taken id or name.
  Branch Create(const std::string& project_id, const std::string& name, const std::string& description,
                const std::optional<std::string>& id);
  Page<Branch> List(const std::string& project_id, const PageRequest& page);
  // kNotFound("branch_not_found").
  Branch Get(const std::string& project_id, const std::string& id);
  // Removes the branch with its data, workspaces and keys; the default branch is untouched.
  void Delete(const std::string& project_id, const std::string& id);
  // Discards the branch's own copy of a default-branch table and any deletion of it on the branch, so the
  // default branch's table shows through again. Returns whether the branch had changed the table.
  bool ResetTable(const TableRef& ref);

 private:
  void RequireProject(const std::string& project_id);

  BranchResolver& branches_;
  WorkspaceService& workspaces_;
  OperationLog& ops_;
};

}  // namespace duckstore
