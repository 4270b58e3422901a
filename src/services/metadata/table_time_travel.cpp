// TableHistoryService: a table's history (docs/design/history.md): its versions, its state as of a past time
// (preview, a new table from it, restore in place, undrop) and the project's retention.
#include <limits>
#include <regex>

#include "duckdb/common/types/timestamp.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/error_codes.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/metadata/preview_rows.hpp"
#include "duckstore/services/metadata/table_access.hpp"
#include "duckstore/services/metadata/table_history.hpp"
#include "duckstore/services/model/sql_builder.hpp"
#include "duckstore/storage/engine/column_default.hpp"
#include "duckstore/storage/engine/project_metadata.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMaxRetentionDays = 3650;
constexpr const char* kRestoreStage = "__duckstore_restore";

duckdb::Value TimestampValue(int64_t micros) {
  return duckdb::Value::TIMESTAMPTZ(duckdb::timestamp_tz_t(micros));
}

// "YYYY-MM-DD HH:MM:SS.ffffff" UTC.
std::string MicrosText(int64_t micros) {
  return duckdb::Timestamp::ToString(duckdb::timestamp_t(micros));
}

// An RFC 3339 time (offset required, at most microseconds) as microseconds since the epoch.
int64_t ParseTime(duckdb::Connection& conn, const std::string& text) {
  static const std::regex kRfc3339(
      R"(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2}))");
  auto invalid = InvalidArgument(error_code::kInvalidTimestamp,
                                 "'" + text + "' is not an RFC 3339 time such as 2026-01-31T12:00:00Z",
                                 {{"timestamp", text}});
  if (!std::regex_match(text, kRfc3339)) throw invalid;
  try {
    return RunSql(conn, "SELECT epoch_us(CAST($1 AS TIMESTAMPTZ))", {duckdb::Value(text)})
        ->GetValue(0, 0)
        .GetValue<int64_t>();
  } catch (const Error&) {
    throw invalid;
  }
}

int64_t SecondsToMicros(int64_t seconds) {
  constexpr int64_t kLimit = std::numeric_limits<int64_t>::max() / kMicrosPerSecond;
  if (seconds > kLimit || seconds < -kLimit) {
    throw InvalidArgument(error_code::kInvalidTimestamp, "timestamp out of range", {{"timestamp", seconds}});
  }
  return seconds * kMicrosPerSecond;
}

// Where the history of `ref` is read: the database the branch sees the live table in, else (a dropped
// table) the branch's own database.
struct HistoryPlace {
  duckdb::Connection* conn = nullptr;
  std::string schema;
  std::string table;
  bool live = false;
};

HistoryPlace LocateHistory(BranchView& view, const TableRef& ref) {
  ValidateObjectName(ref.bucket, "bucket name");
  ValidateObjectName(ref.table, "table name");
  HistoryPlace place{&view.Conn(TableSource::kOwn), ref.bucket, ref.table, false};
  auto bucket = view.FindBucket(ref.bucket);
  if (!bucket) return place;
  place.schema = bucket->name;
  auto table = view.FindTable(*bucket, ref.table);
  if (!table || table->is_view) return place;
  place.conn = &view.Conn(table->source, &*bucket);
  place.schema = BranchView::PhysicalBucket(*bucket, table->source);
  place.table = table->name;
  place.live = true;
  return place;
}

// Refuses a time after now or before the project's retention.
void CheckRetained(BranchView& view, const TableRef& ref, int64_t at) {
  int64_t now = HistoryClockMicros();
  if (at > now) {
    throw InvalidArgument(error_code::kTimestampInFuture, MicrosText(at) + " UTC is in the future",
                          {{"timestamp", MicrosText(at)}});
  }
  int64_t days = RetentionDays(view.Conn(TableSource::kDefault));
  if (days == 0 || at < now - days * kMicrosPerDay) {
    throw InvalidArgument(error_code::kTimeTravelNotRetained,
                          "the data of table '" + ref.Qualified() + "' as of " + MicrosText(at) +
                              " UTC is not retained (retention: " + std::to_string(days) + " days)",
                          {{"timestamp", MicrosText(at)}, {"retention_days", days}});
  }
}

// The table's state at `at`; call inside a transaction on place.conn (what it reads cannot expire under
// the transaction).
PastTable RequirePast(const HistoryPlace& place, const TableRef& ref, int64_t at) {
  auto lookup = LoadPastTable(*place.conn, place.schema, place.table, TimestampValue(at));
  if (lookup.status == PastStatus::kFound) return std::move(*lookup.table);
  bool existed = lookup.status == PastStatus::kNotRecorded;
  if (!existed && place.live) {
    // A table with no history covering `at`: it existed then unless it was created later.
    auto created = TableCreatedAt(*place.conn, place.schema, place.table);
    existed = !created || *created <= MicrosText(at).substr(0, 19);
  }
  if (existed) {
    throw InvalidArgument(error_code::kTimeTravelNotRetained,
                          "the data of table '" + ref.Qualified() + "' as of " + MicrosText(at) +
                              " UTC is not retained: its history began later",
                          {{"timestamp", MicrosText(at)}});
  }
  throw NotFound(error_code::kTableNotFound,
                 "table '" + ref.Qualified() + "' did not exist at " + MicrosText(at) + " UTC",
                 {{"timestamp", MicrosText(at)}});
}

// Creates bucket.name from the rows of `from` with `definition`'s constraints, defaults and key, and
// opens its history; in the caller's transaction.
void CreateTableFrom(duckdb::Connection& conn, const std::string& bucket, const std::string& name,
                     const TableInfo& definition, const std::string& from) {
  const std::string table = QualifiedName(bucket, name);
  RunSql(conn, "CREATE TABLE " + table + " AS SELECT * FROM " + from);
  for (const auto& column : definition.columns) {
    std::string alter = "ALTER TABLE " + table + " ALTER COLUMN " + QuoteIdent(column.name);
    if (!column.nullable) RunDdl(conn, alter + " SET NOT NULL");
    if (column.default_value)
      RunDdl(conn, alter + " SET DEFAULT " + DefaultLiteral(*column.default_value, column.type));
  }
  RecordTable(conn, bucket, name, definition.primary_key);
  OpenTableHistory(conn, *LoadTable(conn, bucket, name, TableDetail::kDefinition));
}

bool SameColumns(const TableInfo& a, const TableInfo& b) {
  if (a.columns.size() != b.columns.size()) return false;
  for (size_t i = 0; i < a.columns.size(); ++i) {
    if (a.columns[i].name != b.columns[i].name || a.columns[i].type != b.columns[i].type) return false;
  }
  return true;
}

}  // namespace

std::vector<TableVersion> TableHistoryService::History(const TableRef& ref) {
  auto view = branches_.View(ref.branch);
  auto place = LocateHistory(*view, ref);
  auto versions = ListTableVersions(*place.conn, place.schema, place.table);
  if (!place.live && versions.empty()) ThrowTableNotFound(ref);
  return versions;
}

PreviewResult TableHistoryService::PreviewAt(const TableRef& ref, const PreviewRequest& request,
                                             const std::string& at) {
  auto view = branches_.View(ref.branch);
  auto place = LocateHistory(*view, ref);
  int64_t micros = ParseTime(*place.conn, at);
  CheckRetained(*view, ref, micros);
  PreviewResult out;
  InSqlTransaction(*place.conn, [&] {
    auto past = RequirePast(place, ref, micros);
    out = PreviewRows(*place.conn, past.definition, "(" + past.sql + ") AS past", request);
  });
  return out;
}

TableInfo TableService::CreateFromTimeTravel(const TableRef& source, const TableRef& destination,
                                             int64_t unix_seconds) {
  return ops_.Run(destination.branch.project_id, "table.create_from_time_travel", destination.Qualified(),
                  [&] {
                    return TableHistoryService(branches_, ops_)
                        .RestoreAt(source, SecondsToMicros(unix_seconds), destination);
                  });
}

TableInfo TableHistoryService::Restore(const TableRef& source, const std::string& at,
                                       const std::optional<TableRef>& destination) {
  return ops_.Run(source.branch.project_id, "table.restore", source.Qualified(), [&] {
    auto view = branches_.View(source.branch);
    return RestoreAt(source, ParseTime(view->Conn(TableSource::kOwn), at), destination);
  });
}

TableInfo TableHistoryService::RestoreAt(const TableRef& source, int64_t at,
                                         const std::optional<TableRef>& destination) {
  {
    auto view = branches_.View(source.branch);
    auto place = LocateHistory(*view, source);
    CheckRetained(*view, source, at);
    if (!destination && place.live) {
      // In place: the rows as of `at` replace the table's, as one change (a full image, like a FULL load).
      auto open = OpenForChange(branches_, source);
      InSqlTransaction(*open.conn, [&] {
        HistoryPlace own{open.conn, open.schema, open.info.name, true};
        auto past = RequirePast(own, source, at);
        if (!SameColumns(past.definition, open.info)) {
          throw Conflict(error_code::kRestoreColumnsChanged,
                         "the columns of table '" + source.Qualified() +
                             "' changed since then; restore it into a new table");
        }
        const std::string stage = std::string("temp.main.") + QuoteIdent(kRestoreStage);
        RunSql(*open.conn, "CREATE TEMP TABLE " + QuoteIdent(kRestoreStage) + " AS " + past.sql);
        const std::string table = QualifiedName(open.schema, open.info.name);
        auto change = BeginTableChange(*open.conn, open.info);
        KeepRemovedRows(*open.conn, change, "", {});
        ChangeSummary summary{"table.restore"};
        summary.rows_removed = RunSql(*open.conn, "DELETE FROM " + table)->GetValue(0, 0).GetValue<int64_t>();
        summary.rows_added = RunSql(*open.conn, "INSERT INTO " + table + " SELECT * FROM " + stage)
                                 ->GetValue(0, 0)
                                 .GetValue<int64_t>();
        RunDdl(*open.conn, "DROP TABLE " + stage);
        RecordTableChange(*open.conn, change, summary, /*full_image=*/true);
      });
      return *LoadTable(*open.conn, open.schema, open.info.name);
    }
  }
  // Into a new table, or a dropped table back under its name (undrop).
  const TableRef& into = destination ? *destination : source;
  ValidateObjectName(into.bucket, "bucket name");
  ValidateObjectName(into.table, "table name");
  auto target = OpenForCreate(branches_, into);
  if (target.existing) {
    throw Conflict("table_exists",
                   "table '" + into.table + "' already exists in bucket '" + target.bucket + "'");
  }
  auto place = LocateHistory(*target.view, source);
  auto& conn = *target.conn;
  if (place.conn == &conn) {
    InSqlTransaction(conn, [&] {
      auto past = RequirePast(place, source, at);
      CreateTableFrom(conn, target.bucket, into.table, past.definition, "(" + past.sql + ")");
    });
  } else {
    // The history is in another database (the default branch's, a linked bucket's source): its rows are
    // streamed into a temporary table of the destination's connection first.
    TableInfo definition;
    InSqlTransaction(*place.conn, [&] {
      auto past = RequirePast(place, source, at);
      definition = past.definition;
      StreamRows(*place.conn, "SELECT * FROM (" + past.sql + ")", {}, conn, "temp", "main", kRestoreStage,
                 /*replace=*/true);
    });
    InSqlTransaction(conn, [&] {
      const std::string stage = std::string("temp.main.") + QuoteIdent(kRestoreStage);
      CreateTableFrom(conn, target.bucket, into.table, definition, stage);
      RunDdl(conn, "DROP TABLE " + stage);
    });
  }
  return *LoadTable(conn, target.bucket, into.table);
}

std::vector<DroppedTable> TableHistoryService::ListDropped(const BranchRef& branch) {
  auto view = branches_.View(branch);
  auto dropped = ListDroppedTables(view->Conn(TableSource::kOwn));
  // A table of that name created again is restored through its own history, not listed as dropped.
  std::vector<DroppedTable> out;
  out.reserve(dropped.size());
  for (auto& table : dropped) {
    auto bucket = view->FindBucket(table.bucket);
    if (bucket && view->FindTable(*bucket, table.name)) continue;
    out.push_back(std::move(table));
  }
  return out;
}

int64_t TableHistoryService::RetentionDays(const std::string& project_id) {
  auto view = branches_.View(BranchRef{project_id});
  return duckstore::RetentionDays(view->Conn(TableSource::kOwn));
}

void TableHistoryService::SetRetentionDays(const std::string& project_id, int64_t days) {
  if (days < 0 || days > kMaxRetentionDays) {
    throw InvalidArgument(
        "invalid_retention",
        "dataRetentionTimeInDays must be between 0 and " + std::to_string(kMaxRetentionDays),
        {{"dataRetentionTimeInDays", days}});
  }
  ops_.Run(project_id, "project.set_retention", std::to_string(days), [&] {
    auto view = branches_.View(BranchRef{project_id});
    auto& conn = view->Conn(TableSource::kOwn);
    InSqlTransaction(conn, [&] { SaveRetentionDays(conn, days); });
  });
}

}  // namespace duckstore
