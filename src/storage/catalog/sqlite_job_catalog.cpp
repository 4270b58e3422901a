// JobCatalog on SQLite: table jobs (the JSON documents as text; result and error NULL while JSON null).
#include "duckstore/storage/catalog/sqlite_catalog_parts.hpp"

namespace duckstore {
namespace {

Job ReadJob(RowReader& row) {
  return Job{row.Text(), row.Text(), row.Text(),         row.Text(),         row.Text(),
             row.Text(), row.Json(), row.Json(),         row.OptionalJson(), row.OptionalJson(),
             row.Bool(), row.Text(), row.OptionalText(), row.OptionalText()};
}

constexpr RowMapping<Job> kJobs{
    {"jobs",
     "id, project_id, branch_id, kind, target, status, request, progress, result, "
     "error, cancel_requested, created_at, started_at, finished_at"},
    ReadJob};

}  // namespace

void SqliteJobCatalog::CreateJob(const Job& j) {
  db_.Insert(kJobs, j.id, j.project_id, j.branch_id, j.kind, j.target, j.status, j.request, j.progress,
             NullableJson(j.result), NullableJson(j.error), j.cancel_requested, j.created_at, j.started_at,
             j.finished_at);
}

void SqliteJobCatalog::UpdateJob(const Job& j) {
  db_.Run(
      "UPDATE jobs SET status = ?, progress = ?, result = ?, error = ?, cancel_requested = ?, started_at = "
      "?, "
      "finished_at = ? WHERE id = ?",
      j.status, j.progress, NullableJson(j.result), NullableJson(j.error), j.cancel_requested, j.started_at,
      j.finished_at, j.id);
}

std::optional<Job> SqliteJobCatalog::GetJob(const std::string& project_id, const std::string& id) {
  return db_.One(kJobs, "project_id = ? AND id = ?", project_id, id);
}

Page<Job> SqliteJobCatalog::ListJobs(const std::string& project_id, const PageRequest& page) {
  return db_.PageOf(kJobs, "project_id = ?", "ORDER BY rowid DESC", page, project_id);
}

int64_t SqliteJobCatalog::FailUnfinishedJobs(const nlohmann::json& error, const std::string& at) {
  return db_.Run(
      "UPDATE jobs SET status = 'failed', error = ?, finished_at = ? WHERE status IN ('queued', 'running')",
      error, at);
}

}  // namespace duckstore
