// BranchCatalog on SQLite: tables branches and readonly_grants (a trigger drops a branch's grants with it).
#include "duckstore/storage/catalog/sqlite_catalog_parts.hpp"

namespace duckstore {
namespace {

Branch ReadBranch(RowReader& row) {
  return Branch{row.Text(), row.Text(), row.Text(), row.Text(), row.Text()};
}

constexpr RowMapping<Branch> kBranches{{"branches", "id, project_id, name, description, created_at"},
                                       ReadBranch};

}  // namespace

void SqliteBranchCatalog::CreateBranch(const Branch& b) {
  db_.InsertUnique(kBranches, "branch_exists",
                   "branch '" + b.name + "' already exists in project '" + b.project_id + "'", b.id,
                   b.project_id, b.name, b.description, b.created_at);
}

std::optional<Branch> SqliteBranchCatalog::GetBranch(const std::string& project_id, const std::string& id) {
  return db_.One(kBranches, "project_id = ? AND id = ?", project_id, id);
}

Page<Branch> SqliteBranchCatalog::ListBranches(const std::string& project_id, const PageRequest& page) {
  return db_.PageOf(kBranches, "project_id = ?", "ORDER BY created_at, id", page, project_id);
}

void SqliteBranchCatalog::DeleteBranch(const std::string& project_id, const std::string& id) {
  db_.Delete(kBranches, "project_id = ? AND id = ?", project_id, id);
}

void SqliteBranchCatalog::SetReadOnlyGrant(const std::string& project_id, const std::string& branch_id,
                                           const std::string& bucket, bool granted) {
  if (!granted) {
    db_.Run("DELETE FROM readonly_grants WHERE project_id = ? AND branch_id = ? AND bucket = ?", project_id,
            branch_id, bucket);
    return;
  }
  // Granting twice keeps the first grant (and its time).
  db_.Run(
      "INSERT OR IGNORE INTO readonly_grants (project_id, branch_id, bucket, created_at) VALUES (?,?,?,?)",
      project_id, branch_id, bucket, NowTimestamp());
}

bool SqliteBranchCatalog::HasReadOnlyGrant(const std::string& project_id, const std::string& branch_id,
                                           const std::string& bucket) {
  return db_.Exists("SELECT 1 FROM readonly_grants WHERE project_id = ? AND branch_id = ? AND bucket = ?",
                    project_id, branch_id, bucket);
}

std::vector<std::string> SqliteBranchCatalog::ListReadOnlyGrants(const std::string& project_id,
                                                                 const std::string& branch_id) {
  return db_.Texts(
      "SELECT bucket FROM readonly_grants WHERE project_id = ? AND branch_id = ? ORDER BY bucket", project_id,
      branch_id);
}

}  // namespace duckstore
