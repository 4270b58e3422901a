#include "duckstore/services/metadata/branches.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/common/random.hpp"
#include "duckstore/services/auth/auth.hpp"
#include "duckstore/services/model/sql_builder.hpp"
#include "duckstore/storage/engine/project_metadata.hpp"
#include "duckstore/storage/engine/project_metadata_history.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {

void BranchService::RequireProject(const std::string& project_id) {
  auto project = branches_.catalog().GetProject(project_id);
  if (!project || project->status != "active") {
    throw NotFound("project_not_found", "project '" + project_id + "' does not exist");
  }
}

Branch BranchService::Create(const std::string& project_id, const std::string& name,
                             const std::string& description, const std::optional<std::string>& id) {
  std::string branch_id = id.value_or(RandomHex(6));
  ValidateId(branch_id, "branch id");
  if (branch_id == kDefaultBranch) throw InvalidArgument("invalid_name", "branch id 'default' is reserved");
  if (name.empty()) throw InvalidArgument("invalid_request", "a branch needs a name");
  return ops_.Run(project_id, "branch.create", branch_id, [&] {
    RequireProject(project_id);
    Branch branch{branch_id, project_id, name, description, NowTimestamp()};
    branches_.catalog().CreateBranch(branch);
    try {
      auto db = branches_.engine().Open(project_id);
      db->DropAttached(AttachedKind::kBranch, branch_id);  // leftovers of an interrupted drop of this id
      db->Attach(AttachedKind::kBranch, branch_id, /*create=*/true);
    } catch (...) {
      branches_.catalog().DeleteBranch(project_id, branch_id);
      throw;
    }
    return branch;
  });
}

Page<Branch> BranchService::List(const std::string& project_id, const PageRequest& page) {
  RequireProject(project_id);
  return branches_.catalog().ListBranches(project_id, page);
}

Branch BranchService::Get(const std::string& project_id, const std::string& id) {
  RequireProject(project_id);
  auto branch = branches_.catalog().GetBranch(project_id, id);
  if (!branch) throw NotFound("branch_not_found", "branch '" + id + "' does not exist");
  return *branch;
}

void BranchService::Delete(const std::string& project_id, const std::string& id) {
  ops_.Run(project_id, "branch.delete", id, [&] {
    Get(project_id, id);
    for (const auto& workspace : workspaces_.List(project_id, id)) workspaces_.Drop(project_id, workspace.id);
    // The catalog row goes first (with the branch's keys): new requests stop resolving the branch.
    branches_.catalog().DeleteBranch(project_id, id);
    branches_.engine().Open(project_id)->DropAttached(AttachedKind::kBranch, id);
  });
}

bool BranchService::ResetTable(const TableRef& ref) {
  ValidateObjectName(ref.bucket, "bucket name");
  ValidateObjectName(ref.table, "table name");
  if (ref.branch.branch_id == kDefaultBranch)
    throw InvalidArgument("invalid_request", "the default branch has nothing to reset");
  return ops_.Run(ref.branch.project_id, "branch.reset_table", ref.Qualified(), [&] {
    auto view = branches_.View(ref.branch);
    auto bucket = view->RequireBucket(ref.bucket);
    auto& base = view->Conn(TableSource::kDefault);
    auto base_bucket = FindBucket(base, bucket.name);
    if (!bucket.inherited || !base_bucket ||
        !LoadTable(base, *base_bucket, ref.table, TableDetail::kDefinition)) {
      throw NotFound("table_not_found", "the default branch has no table '" + ref.table + "' in bucket '" +
                                            ref.bucket + "' visible on this branch");
    }
    auto lock = view->db().LockTable(view->own_catalog(), bucket.name, ref.table);
    auto& own = view->Conn(TableSource::kOwn);
    bool changed = false;
    InSqlTransaction(own, [&] {
      auto copy = bucket.own ? view->FindTable(bucket, ref.table) : std::nullopt;
      if (copy && copy->source == TableSource::kOwn) {
        // The copy's history ends with it (a later copy begins its own; docs/design/history.md).
        if (auto dropped = LoadTable(own, bucket.name, copy->name, TableDetail::kDefinition))
          CloseTableHistory(own, *dropped, {"branch.reset"});
        RunDdl(own, "DROP TABLE " + QualifiedName(bucket.name, copy->name));
        ForgetTable(own, bucket.name, copy->name);
        changed = true;
      }
      if (ForgetHidden(own, bucket.name, ref.table)) changed = true;
      // The branch's views that read its copy read the default branch's table again.
      if (changed) view->RebindViews(bucket.name, ref.table);
    });
    return changed;
  });
}

}  // namespace duckstore
