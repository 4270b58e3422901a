// FileCatalog on SQLite: table files (a file goes with its object by foreign key; tags are a JSON array).
#include "duckstore/storage/catalog/sqlite_catalog_parts.hpp"

namespace duckstore {
namespace {

FileRecord ReadFile(RowReader& row) {
  return FileRecord{row.Text(), row.Text(), row.Text(),    row.Text(),
                    row.Text(), row.Bool(), row.Strings(), row.Text()};
}

constexpr RowMapping<FileRecord> kFiles{
    {"files", "id, project_id, name, bucket, key, owned, tags, created_at"}, ReadFile};

}  // namespace

void SqliteFileCatalog::CreateFile(const FileRecord& f) {
  auto lock = db_.Lock();
  // Checked first: a foreign key violation does not say which reference failed.
  if (!db_.Exists("SELECT 1 FROM objects WHERE bucket = ? AND key = ?", f.bucket, f.key)) {
    throw NotFound("object_not_found", "object '" + f.key + "' does not exist in bucket '" + f.bucket + "'");
  }
  db_.Insert(kFiles, f.id, f.project_id, f.name, f.bucket, f.key, f.owned, f.tags, f.created_at);
}

std::optional<FileRecord> SqliteFileCatalog::GetFile(const std::string& project_id, const std::string& id) {
  return db_.One(kFiles, "project_id = ? AND id = ?", project_id, id);
}

Page<FileRecord> SqliteFileCatalog::ListFiles(const std::string& project_id,
                                              const std::vector<std::string>& tags, const PageRequest& page) {
  const char* order = "ORDER BY created_at DESC, rowid DESC";
  if (tags.empty()) return db_.PageOf(kFiles, "project_id = ?", order, page, project_id);
  // Every requested tag must be among the file's tags: count the matches per file.
  return db_.PageOf(kFiles,
                    "project_id = ?1 AND (SELECT count(DISTINCT t.value) FROM json_each(files.tags) t WHERE "
                    "t.value IN (SELECT value FROM json_each(?2))) = json_array_length(?2)",
                    order, page, project_id, tags);
}

void SqliteFileCatalog::DeleteFile(const std::string& project_id, const std::string& id) {
  db_.Delete(kFiles, "project_id = ? AND id = ?", project_id, id);
}

}  // namespace duckstore
