// DasCatalog on SQLite: table das_registrations (project_id and database are NULL rather than empty, the
// exposed buckets a JSON array).
#include "duckstore/storage/catalog/sqlite_catalog_parts.hpp"

namespace duckstore {
namespace {

DasRegistration ReadRegistration(RowReader& row) {
  DasRegistration r;
  r.id = row.Text();
  r.type = row.Text();
  r.project_id = row.OptionalText().value_or("");
  r.database = row.OptionalText().value_or("");
  r.branch_id = row.Text();
  r.key_id = row.OptionalText();
  r.buckets = row.Strings();
  r.fingerprint = row.Text();
  r.created_at = row.Text();
  return r;
}

constexpr RowMapping<DasRegistration> kRegistrations{
    {"das_registrations",
     "id, type, project_id, database, branch_id, key_id, buckets, fingerprint, created_at"},
    ReadRegistration};

std::optional<std::string> NullIfEmpty(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

}  // namespace

void SqliteDasCatalog::CreateDasRegistration(const DasRegistration& r) {
  db_.InsertUnique(kRegistrations, "das_exists", "DAS '" + r.id + "' is already registered", r.id, r.type,
                   NullIfEmpty(r.project_id), NullIfEmpty(r.database), r.branch_id, r.key_id, r.buckets,
                   r.fingerprint, r.created_at);
}

std::optional<DasRegistration> SqliteDasCatalog::GetDasRegistration(const std::string& id) {
  return db_.One(kRegistrations, "id = ?", id);
}

bool SqliteDasCatalog::DeleteDasRegistration(const std::string& id) {
  return db_.Delete(kRegistrations, "id = ?", id) > 0;
}

}  // namespace duckstore
