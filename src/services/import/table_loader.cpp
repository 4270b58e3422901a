#include "duckstore/services/import/table_loader.hpp"

#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/import/import_errors.hpp"
#include "duckstore/services/import/load_sql.hpp"
#include "duckstore/services/import/phase_timers.hpp"
#include "duckstore/services/model/sql_builder.hpp"
#include "duckstore/storage/engine/project_metadata_history.hpp"

namespace duckstore {
namespace {

constexpr const char* kStage = "temp.main.__duckstore_import_stage";

int64_t Count(const duckdb::unique_ptr<duckdb::MaterializedQueryResult>& result) {
  return result->RowCount() ? result->GetValue(0, 0).GetValue<int64_t>() : 0;
}

// Throws the duplicate-key error for the key in the first row of `found`, if it has one.
void ThrowIfDuplicate(const duckdb::unique_ptr<duckdb::MaterializedQueryResult>& found,
                      const std::vector<std::string>& key, const std::string& what) {
  if (found->RowCount() == 0) return;
  nlohmann::json value = nlohmann::json::object();
  std::string shown;
  for (size_t i = 0; i < key.size(); ++i) {
    value[key[i]] = ValueToJson(found->GetValue(i, 0));
    shown += (i ? ", " : "") + key[i] + "=" + found->GetValue(i, 0).ToString();
  }
  throw ImportError(ErrorKind::kUnprocessable, "duplicate_keys", "duplicate key (" + shown + ") " + what,
                    DriverCode::kMandatoryInvalidSourceData, {{"key", value}});
}

}  // namespace

LoadOutcome LoadIntoTable(duckdb::Connection& conn, const TableInfo& table, const SourceRelation& source,
                          const ColumnPlan& plan, const ImportOptions& options, TaskControl* control,
                          const std::function<void(const Error&)>& diagnose) {
  using namespace load_sql;
  const std::string target = QualifiedName(table.bucket, table.name);
  const std::vector<std::string>& key = plan.key;
  const bool dedup = !key.empty() && options.dedup != DedupType::kInsertDuplicates;
  const bool fail_on_duplicates = options.dedup == DedupType::kFailOnDuplicates;
  static const std::string kInSource = "occurs more than once in the source";

  PhaseTimers timers;
  LoadOutcome outcome;
  AttachedConnection attached(control, conn);
  auto enter = [&](const char* phase) {
    if (control) {
      control->Checkpoint();
      control->SetPhase(phase);
    }
  };
  // Deduplicates the rows just written to `relation` (the target of a FULL load, or the stage): a
  // repeated key fails the import or keeps its last occurrence. The check is one hash aggregate over the
  // key; the delete runs only when the source repeats a key.
  auto deduplicate = [&](const std::string& relation) {
    enter("checking_duplicates");
    auto found =
        timers.Time("checkDuplicates", [&] { return RunSql(conn, FindDuplicateKey(key, relation)); });
    if (found->RowCount() == 0) return;
    if (fail_on_duplicates) ThrowIfDuplicate(found, key, kInSource);
    outcome.imported_rows -= timers.Time(
        "removeDuplicates", [&] { return Count(RunSql(conn, DeleteEarlierDuplicates(key, relation))); });
  };

  try {
    RunDdl(conn, "BEGIN TRANSACTION");
    try {
      // The history of the load (docs/design/history.md) commits with it: what it removed, what it added.
      auto change = BeginTableChange(conn, table);
      ChangeSummary summary{options.type == ImportType::kIncremental ? "import.incremental" : "import.full"};
      if (options.type != ImportType::kIncremental) {
        // FULL: the old rows go and the new ones come in the same transaction; readers keep seeing the
        // old content until COMMIT. The replaced rows are kept once, as the table's previous state.
        enter("loading");
        timers.Time("keepHistory", [&] { KeepRemovedRows(conn, change, "", {}); });
        summary.rows_removed =
            timers.Time("deleteTarget", [&] { return Count(RunSql(conn, "DELETE FROM " + target)); });
        outcome.imported_rows = timers.Time("insertIntoTarget", [&] {
          return Count(RunSql(conn, InsertFromSource(target, plan, source.sql), source.params));
        });
        if (dedup) deduplicate(target);
      } else if (!dedup) {
        enter("loading");
        outcome.imported_rows = timers.Time("insertIntoTarget", [&] {
          return Count(RunSql(conn, InsertFromSource(target, plan, source.sql), source.params));
        });
      } else {
        // Upsert: stage the converted source once, deduplicate it, replace the rows with its keys.
        enter("staging");
        outcome.imported_rows = timers.Time("copyToStaging", [&] {
          return Count(RunSql(conn, StageFromSource(kStage, plan, source.sql), source.params));
        });
        deduplicate(kStage);
        if (fail_on_duplicates) {
          timers.Time("checkExistingKeys", [&] {
            ThrowIfDuplicate(RunSql(conn, FindExistingKey(key, kStage, target)), key,
                             "already exists in the table");
          });
        } else {
          enter("updating");
          if (plan.managed_timestamp) {
            timers.Time("keepUnchangedTimestamps",
                        [&] { RunSql(conn, KeepUnchangedTimestamps(plan, kStage, target)); });
          }
          timers.Time("keepHistory", [&] {
            KeepRemovedRows(conn, change,
                            std::string(" WHERE EXISTS (SELECT 1 FROM ") + kStage + " s WHERE " +
                                KeyMatch(key, "t", "s") + ")",
                            {});
          });
          summary.rows_removed = timers.Time("deleteUpdatedRows", [&] {
            return Count(RunSql(conn, DeleteReplacedRows(key, target, kStage)));
          });
        }
        enter("loading");
        timers.Time("insertIntoTargetFromStaging",
                    [&] { RunSql(conn, InsertFromStage(target, plan, kStage)); });
        RunDdl(conn, std::string("DROP TABLE ") + kStage);
      }
      const bool full = options.type != ImportType::kIncremental;
      if (!full) timers.Time("keepHistory", [&] { KeepAppendedRows(conn, change); });
      summary.rows_added = outcome.imported_rows;
      RecordTableChange(conn, change, summary, /*full_image=*/full);
      enter("committing");
      timers.Time("commit", [&] { RunDdl(conn, "COMMIT"); });
    } catch (...) {
      if (conn.HasActiveTransaction()) conn.Query("ROLLBACK");
      throw;
    }
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::kCancelled && error.code() != "duplicate_keys" && diagnose)
      diagnose(error);
    throw;
  }
  outcome.timers = timers.Take();
  return outcome;
}

}  // namespace duckstore
