// The statements on table history: `_duckstore.history_tables`, `_duckstore.history_changes`,
// `_duckstore.history_settings` and the row tables of `_duckstore_history` (docs/design/history.md).
#include "duckstore/storage/engine/project_metadata_history.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>

#include "duckstore/common/identifiers.hpp"
#include "duckstore/common/log.hpp"

namespace duckstore {
namespace {

constexpr const char* kIsoMicros = "'%Y-%m-%dT%H:%M:%S.%fZ'";
constexpr const char* kVersionColumn = "__duckstore_version";
constexpr const char* kRemovedColumn = "__duckstore_removed";
// DuckDB numbers the rows a transaction appended from MAX_ROW_ID (2^55) until it commits
// (storage/local_storage.cpp); history_test pins this.
constexpr const char* kLocalRowIds = "rowid >= 36028797018960000";

std::string Live(const std::string& bucket, const std::string& table) {
  return QuoteIdent(bucket) + "." + QuoteIdent(table);
}

std::string RowTable(const std::string& history_id) {
  return "_duckstore_history." + QuoteIdent(history_id);
}

duckdb::Value Now() {
  return duckdb::Value::TIMESTAMPTZ(duckdb::timestamp_tz_t(HistoryClockMicros()));
}

std::string DefinitionJson(const TableInfo& table) {
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& column : table.columns) {
    nlohmann::json item = {{"name", column.name}, {"type", column.type}, {"nullable", column.nullable}};
    if (column.default_value) item["default"] = *column.default_value;
    columns.push_back(std::move(item));
  }
  return nlohmann::json{{"columns", columns}, {"primary_key", table.primary_key}}.dump();
}

TableInfo ParseDefinition(const std::string& bucket, const std::string& name, const std::string& text) {
  auto json = nlohmann::json::parse(text);
  TableInfo out;
  out.bucket = bucket;
  out.name = name;
  int64_t position = 0;
  out.columns.reserve(json.at("columns").size());
  for (const auto& item : json.at("columns")) {
    ColumnInfo column;
    column.name = item.at("name").get<std::string>();
    column.type = item.at("type").get<std::string>();
    column.nullable = item.at("nullable").get<bool>();
    if (item.contains("default")) column.default_value = item["default"].get<std::string>();
    column.ordinal_position = ++position;
    out.columns.push_back(std::move(column));
  }
  out.primary_key = json.at("primary_key").get<std::vector<std::string>>();
  return out;
}

std::string ColumnList(const TableInfo& table) {
  std::string out;
  for (const auto& column : table.columns) out += (out.empty() ? "" : ", ") + QuoteIdent(column.name);
  return out;
}

// "name type, ..." of a table of conn's default database, in column order, without its last `skip_last`
// columns; "" when there is no such table. A catalog lookup: duckdb_columns() would walk every column of
// every table (the history tables included), which made each table change and drop grow with the project.
std::string ColumnSignature(duckdb::Connection& conn, const std::string& schema, const std::string& table,
                            int64_t skip_last) {
  auto description = conn.TableInfo(schema, table);
  if (!description) return "";
  std::string out;
  auto columns = static_cast<int64_t>(description->columns.size()) - skip_last;
  for (int64_t i = 0; i < columns; ++i) {
    const auto& column = description->columns[static_cast<size_t>(i)];
    out += column.Name() + " " + column.Type().ToString() + ", ";
  }
  return out;
}

std::optional<std::string> OpenHistoryId(duckdb::Connection& conn, const std::string& bucket,
                                         const std::string& table) {
  auto found = RunSql(conn,
                      "SELECT id FROM _duckstore.history_tables WHERE lower(bucket) = lower($1) AND "
                      "lower(name) = lower($2) AND until IS NULL",
                      {duckdb::Value(bucket), duckdb::Value(table)});
  if (found->RowCount() == 0) return std::nullopt;
  return found->GetValue(0, 0).ToString();
}

// Forgets one history: its rows, changes and record.
void DropHistory(duckdb::Connection& conn, const std::string& history_id) {
  RunDdl(conn, "DROP TABLE IF EXISTS " + RowTable(history_id));
  RunSql(conn, "DELETE FROM _duckstore.history_changes WHERE history_id = $1", {duckdb::Value(history_id)});
  RunSql(conn, "DELETE FROM _duckstore.history_tables WHERE id = $1", {duckdb::Value(history_id)});
}

// Opens a history of the live table `definition` describes; returns its id. It begins now, or when the
// last history of that name ended if that is later (histories of one name never overlap).
std::string OpenHistory(duckdb::Connection& conn, const TableInfo& definition, bool created) {
  std::string id =
      "h" +
      RunSql(conn, "SELECT replace(CAST(gen_random_uuid() AS VARCHAR), '-', '')")->GetValue(0, 0).ToString();
  // The schema exists from when the database was opened (ApplyProjectSchema).
  RunDdl(conn, "CREATE TABLE " + RowTable(id) + " AS SELECT *, CAST(NULL AS BIGINT) AS " +
                   QuoteIdent(kVersionColumn) + ", CAST(NULL AS BOOLEAN) AS " + QuoteIdent(kRemovedColumn) +
                   " FROM " + Live(definition.bucket, definition.name) + " LIMIT 0");
  RunSql(
      conn,
      "INSERT INTO _duckstore.history_tables SELECT $1, $2, $3, greatest($4, (SELECT max(until) FROM "
      "_duckstore.history_tables WHERE lower(bucket) = lower($2) AND lower(name) = lower($3))), NULL, $5, $6",
      {duckdb::Value(id), duckdb::Value(definition.bucket), duckdb::Value(definition.name), Now(),
       duckdb::Value::BOOLEAN(created), duckdb::Value(DefinitionJson(definition))});
  return id;
}

int64_t LastVersion(duckdb::Connection& conn, const std::string& bucket, const std::string& table) {
  return RunSql(conn,
                "SELECT coalesce(max(c.version), 0) FROM _duckstore.history_changes c JOIN "
                "_duckstore.history_tables h ON c.history_id = h.id WHERE lower(h.bucket) = lower($1) AND "
                "lower(h.name) = lower($2)",
                {duckdb::Value(bucket), duckdb::Value(table)})
      ->GetValue(0, 0)
      .GetValue<int64_t>();
}

int64_t KeepRows(duckdb::Connection& conn, const TableChange& change, bool removed, const std::string& where,
                 const SqlParams& params) {
  if (!change.recorded()) return 0;
  return RunSql(conn,
                "INSERT INTO " + RowTable(change.history_id) + " SELECT *, " +
                    std::to_string(change.version) + ", " + (removed ? "true" : "false") + " FROM " +
                    Live(change.bucket, change.table) + " t" + where,
                params)
      ->GetValue(0, 0)
      .GetValue<int64_t>();
}

}  // namespace

int64_t HistoryClockMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t RetentionDays(duckdb::Connection& conn) {
  auto result = RunSql(conn, "SELECT max(retention_days) FROM _duckstore.history_settings");
  auto value = result->GetValue(0, 0);
  return value.IsNull() ? kDefaultRetentionDays : value.GetValue<int64_t>();
}

void SaveRetentionDays(duckdb::Connection& conn, int64_t days) {
  RunSql(conn, "DELETE FROM _duckstore.history_settings");
  RunSql(conn, "INSERT INTO _duckstore.history_settings VALUES ($1)", {duckdb::Value::BIGINT(days)});
  if (days > 0) return;
  auto ids = RunSql(conn, "SELECT id FROM _duckstore.history_tables");
  for (size_t row = 0; row < ids->RowCount(); ++row) DropHistory(conn, ids->GetValue(0, row).ToString());
}

void OpenTableHistory(duckdb::Connection& conn, const TableInfo& definition, bool created) {
  if (RetentionDays(conn) == 0) return;
  OpenHistory(conn, definition, created);
}

TableChange BeginTableChange(duckdb::Connection& conn, const TableInfo& definition) {
  TableChange change{definition.bucket, definition.name, "", 0};
  if (RetentionDays(conn) == 0) return change;
  auto id = OpenHistoryId(conn, definition.bucket, definition.name);
  // Columns changed behind duckstore's back (SQL): the kept rows no longer fit the table; that history
  // cannot be read any more and a new one begins.
  if (id && ColumnSignature(conn, definition.bucket, definition.name, 0) !=
                ColumnSignature(conn, "_duckstore_history", *id, 2)) {
    DropHistory(conn, *id);
    id.reset();
  }
  change.history_id = id ? *id : OpenHistory(conn, definition, /*created=*/false);
  change.version = LastVersion(conn, definition.bucket, definition.name) + 1;
  return change;
}

void KeepRemovedRows(duckdb::Connection& conn, const TableChange& change, const std::string& where,
                     const SqlParams& params) {
  KeepRows(conn, change, /*removed=*/true, where, params);
}

void KeepAppendedRows(duckdb::Connection& conn, const TableChange& change) {
  KeepRows(conn, change, /*removed=*/false, std::string(" WHERE ") + kLocalRowIds, {});
}

void KeepRowsById(duckdb::Connection& conn, const TableChange& change, bool removed,
                  const std::vector<int64_t>& row_ids) {
  if (row_ids.empty()) return;
  std::string list;
  for (int64_t id : row_ids) list += (list.empty() ? "" : ", ") + std::to_string(id);
  KeepRows(conn, change, removed, " WHERE rowid IN (" + list + ")", {});
}

void RecordTableChange(duckdb::Connection& conn, const TableChange& change, const ChangeSummary& summary,
                       bool full_image) {
  if (!change.recorded()) return;
  // Strictly after the table's previous change and after its history began: "as of T" is exact.
  RunSql(conn,
         "INSERT INTO _duckstore.history_changes SELECT $1, $2, greatest($3, (SELECT max(committed_at) + "
         "INTERVAL 1 MICROSECOND FROM _duckstore.history_changes WHERE history_id = $1), (SELECT since + "
         "INTERVAL 1 MICROSECOND FROM _duckstore.history_tables WHERE id = $1)), $4, $5, $6, $7, $8",
         {duckdb::Value(change.history_id), duckdb::Value::BIGINT(change.version), Now(),
          duckdb::Value(summary.operation), duckdb::Value::BIGINT(summary.rows_added),
          duckdb::Value::BIGINT(summary.rows_removed), duckdb::Value::BOOLEAN(full_image),
          duckdb::Value(log::CurrentRequestId())});
}

void CloseTableHistory(duckdb::Connection& conn, const TableInfo& definition, const ChangeSummary& summary) {
  auto change = BeginTableChange(conn, definition);
  if (!change.recorded()) return;
  ChangeSummary closing = summary;
  closing.rows_removed = KeepRows(conn, change, /*removed=*/true, "", {});
  RecordTableChange(conn, change, closing, /*full_image=*/true);
  RunSql(conn,
         "UPDATE _duckstore.history_tables SET until = (SELECT max(committed_at) FROM "
         "_duckstore.history_changes WHERE history_id = $1) WHERE id = $1",
         {duckdb::Value(change.history_id)});
}

std::vector<TableVersion> ListTableVersions(duckdb::Connection& conn, const std::string& bucket,
                                            const std::string& table) {
  auto result =
      RunSql(conn,
             std::string("SELECT c.version, strftime(c.committed_at AT TIME ZONE 'UTC', ") + kIsoMicros +
                 "), c.operation, c.rows_added, c.rows_removed, c.full_image, c.request_id FROM "
                 "_duckstore.history_changes c JOIN _duckstore.history_tables h ON c.history_id = "
                 "h.id WHERE lower(h.bucket) = lower($1) AND lower(h.name) = lower($2) ORDER BY "
                 "c.committed_at, c.version",
             {duckdb::Value(bucket), duckdb::Value(table)});
  std::vector<TableVersion> out;
  out.reserve(result->RowCount());
  for (size_t row = 0; row < result->RowCount(); ++row) {
    TableVersion version;
    version.version = result->GetValue(0, row).GetValue<int64_t>();
    version.committed_at = result->GetValue(1, row).ToString();
    version.operation = result->GetValue(2, row).ToString();
    version.rows_added = result->GetValue(3, row).GetValue<int64_t>();
    version.rows_removed = result->GetValue(4, row).GetValue<int64_t>();
    version.full_image = result->GetValue(5, row).GetValue<bool>();
    version.request_id = result->GetValue(6, row).ToString();
    out.push_back(std::move(version));
  }
  return out;
}

PastLookup LoadPastTable(duckdb::Connection& conn, const std::string& bucket, const std::string& table,
                         const duckdb::Value& at) {
  SqlParams name_at = {duckdb::Value(bucket), duckdb::Value(table), at};
  auto history =
      RunSql(conn,
             "SELECT id, bucket, name, definition FROM _duckstore.history_tables WHERE lower(bucket) "
             "= lower($1) AND lower(name) = lower($2) AND since <= $3 AND (until IS NULL OR until > "
             "$3) ORDER BY since DESC LIMIT 1",
             name_at);
  PastLookup out;
  if (history->RowCount() == 0) {
    auto next = RunSql(conn,
                       "SELECT created FROM _duckstore.history_tables WHERE lower(bucket) = lower($1) AND "
                       "lower(name) = lower($2) AND since > $3 ORDER BY since LIMIT 1",
                       name_at);
    if (next->RowCount() > 0 && !next->GetValue(0, 0).GetValue<bool>()) out.status = PastStatus::kNotRecorded;
    return out;
  }
  std::string id = history->GetValue(0, 0).ToString();
  PastTable past{ParseDefinition(history->GetValue(1, 0).ToString(), history->GetValue(2, 0).ToString(),
                                 history->GetValue(3, 0).ToString()),
                 "", id};
  // The changes after `at` are undone, back from the first full image after it or from the live table.
  auto bounds = RunSql(conn,
                       "SELECT coalesce(max(version) FILTER (WHERE committed_at <= $2), 0), min(version) "
                       "FILTER (WHERE committed_at > $2 AND full_image), coalesce(max(version), 0) FROM "
                       "_duckstore.history_changes WHERE "
                       "history_id = $1",
                       {duckdb::Value(id), at});
  int64_t after = bounds->GetValue(0, 0).GetValue<int64_t>();
  auto image = bounds->GetValue(1, 0);
  int64_t before = image.IsNull() ? std::numeric_limits<int64_t>::max() : image.GetValue<int64_t>();
  const std::string columns = ColumnList(past.definition);
  const std::string rows = "SELECT " + columns + " FROM " + RowTable(id) + " WHERE ";
  const std::string version = QuoteIdent(kVersionColumn);
  const std::string removed = QuoteIdent(kRemovedColumn);
  std::string base = image.IsNull() ? "SELECT " + columns + " FROM " + Live(past.definition.bucket, table)
                                    : rows + version + " = " + std::to_string(before) + " AND " + removed;
  std::string range =
      version + " > " + std::to_string(after) + " AND " + version + " < " + std::to_string(before);
  // Nothing to undo between `after` and the base: the base alone (no set operations over the whole table).
  int64_t last = std::min(before - 1, bounds->GetValue(2, 0).GetValue<int64_t>());
  past.sql = last <= after ? base
                           : "(" + base + ") UNION ALL (" + rows + range + " AND " + removed +
                                 ") EXCEPT ALL (" + rows + range + " AND NOT " + removed + ")";
  out.status = PastStatus::kFound;
  out.table = std::move(past);
  return out;
}

std::vector<DroppedTable> ListDroppedTables(duckdb::Connection& conn) {
  auto result = RunSql(
      conn, std::string("SELECT h.id, h.bucket, h.name, strftime(h.until AT TIME ZONE 'UTC', ") + kIsoMicros +
                ") FROM _duckstore.history_tables h WHERE h.until IS NOT NULL AND EXISTS "
                "(SELECT 1 FROM _duckstore.history_changes c WHERE c.history_id = h.id AND "
                "c.operation = 'table.drop') ORDER BY h.until");
  std::vector<DroppedTable> out;
  out.reserve(result->RowCount());
  for (size_t row = 0; row < result->RowCount(); ++row) {
    out.push_back({result->GetValue(0, row).ToString(), result->GetValue(1, row).ToString(),
                   result->GetValue(2, row).ToString(), result->GetValue(3, row).ToString()});
  }
  return out;
}

int64_t ExpireHistory(duckdb::Connection& conn, const duckdb::Value& horizon) {
  auto closed = RunSql(conn, "SELECT id FROM _duckstore.history_tables WHERE until < $1", {horizon});
  for (size_t row = 0; row < closed->RowCount(); ++row)
    DropHistory(conn, closed->GetValue(0, row).ToString());
  auto expired =
      RunSql(conn,
             "SELECT history_id, max(version) FROM _duckstore.history_changes WHERE committed_at < $1 "
             "GROUP BY history_id",
             {horizon});
  for (size_t row = 0; row < expired->RowCount(); ++row) {
    RunSql(conn,
           "DELETE FROM " + RowTable(expired->GetValue(0, row).ToString()) + " WHERE " +
               QuoteIdent(kVersionColumn) + " <= $1",
           {expired->GetValue(1, row)});
  }
  return RunSql(conn, "DELETE FROM _duckstore.history_changes WHERE committed_at < $1", {horizon})
      ->GetValue(0, 0)
      .GetValue<int64_t>();
}

int64_t ExpireRetainedHistory(duckdb::Connection& conn) {
  int64_t forgotten = 0;
  InSqlTransaction(conn, [&] {
    int64_t days = RetentionDays(conn);
    if (days == 0) return;
    int64_t now = HistoryClockMicros();
    forgotten =
        ExpireHistory(conn, duckdb::Value::TIMESTAMPTZ(duckdb::timestamp_tz_t(now - days * kMicrosPerDay)));
  });
  return forgotten;
}

}  // namespace duckstore
