// ProjectCatalog on SQLite: tables projects and api_keys.
#include "duckstore/storage/catalog/sqlite_catalog_parts.hpp"

namespace duckstore {
namespace {

Project ReadProject(RowReader& row) {
  return Project{row.Text(), row.Text(), row.Text(), row.Json(), row.Text(), row.Text()};
}

ApiKey ReadKey(RowReader& row) {
  return ApiKey{row.Text(), row.Text(), row.OptionalText(), ParseKeyScope(row.Text()), row.Text(),
                row.Text(), row.Text(), row.OptionalText(), row.OptionalText(),        row.OptionalText()};
}

constexpr RowMapping<Project> kProjects{{"projects", "id, name, status, settings, created_at, updated_at"},
                                        ReadProject};
constexpr RowMapping<ApiKey> kKeys{{"api_keys",
                                    "id, project_id, branch_id, scope, description, secret_hash, created_at, "
                                    "expires_at, revoked_at, last_used_at"},
                                   ReadKey};

}  // namespace

void SqliteProjectCatalog::CreateProject(const Project& p) {
  db_.InsertUnique(kProjects, "project_exists", "project '" + p.id + "' already exists", p.id, p.name,
                   p.status, p.settings, p.created_at, p.updated_at);
}

std::optional<Project> SqliteProjectCatalog::GetProject(const std::string& id) {
  return db_.One(kProjects, "id = ?", id);
}

Page<Project> SqliteProjectCatalog::ListProjects(const PageRequest& page) {
  return db_.PageOf(kProjects, "", "ORDER BY created_at, id", page);
}

void SqliteProjectCatalog::UpdateProject(const Project& p) {
  db_.Run("UPDATE projects SET name = ?, status = ?, settings = ?, updated_at = ? WHERE id = ?", p.name,
          p.status, p.settings, p.updated_at, p.id);
}

void SqliteProjectCatalog::DeleteProject(const std::string& id) {
  auto lock = db_.Lock();
  // Operations rows name the project without a foreign key, so no cascade removes them.
  db_.Run("DELETE FROM operations WHERE project_id = ?", id);
  db_.Delete(kProjects, "id = ?", id);
}

void SqliteProjectCatalog::CreateKey(const ApiKey& k) {
  db_.Insert(kKeys, k.id, k.project_id, k.branch_id, ToString(k.scope), k.description, k.secret_hash,
             k.created_at, k.expires_at, k.revoked_at, k.last_used_at);
}

std::optional<ApiKey> SqliteProjectCatalog::GetKey(const std::string& id) {
  return db_.One(kKeys, "id = ?", id);
}

std::vector<ApiKey> SqliteProjectCatalog::ListActiveKeys(const std::string& project_id) {
  return db_.All(kKeys, "project_id = ? AND revoked_at IS NULL", "ORDER BY created_at DESC, rowid DESC",
                 project_id);
}

void SqliteProjectCatalog::RevokeKey(const std::string& id, const std::string& at) {
  db_.Run("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", at, id);
}

void SqliteProjectCatalog::TouchKey(const std::string& id, const std::string& at) {
  db_.Run("UPDATE api_keys SET last_used_at = ? WHERE id = ?", at, id);
}

}  // namespace duckstore
