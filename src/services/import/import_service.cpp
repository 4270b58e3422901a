#include "duckstore/services/import/import_service.hpp"

#include <chrono>
#include <ctime>
#include <utility>

#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/import/column_plan.hpp"
#include "duckstore/services/import/import_errors.hpp"
#include "duckstore/services/import/phase_timers.hpp"
#include "duckstore/services/import/source_reader.hpp"
#include "duckstore/services/import/source_resolver.hpp"
#include "duckstore/services/import/table_loader.hpp"
#include "duckstore/services/import/transfer_metrics.hpp"
#include "duckstore/services/metadata/table_access.hpp"
#include "duckstore/services/metadata/views.hpp"
#include "duckstore/services/model/sql_builder.hpp"
#include "duckstore/storage/engine/project_metadata.hpp"
#include "duckstore/storage/engine/project_metadata_history.hpp"
#include "duckstore/storage/engine/project_schema.hpp"

namespace duckstore {
namespace {

// The import's start time as a TIMESTAMP literal (UTC, microseconds): one value for every row it writes.
std::string NowLiteral() {
  auto now = std::chrono::system_clock::now();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
  char full[96];
  std::snprintf(full, sizeof full, "TIMESTAMP '%s.%06lld'", text, static_cast<long long>(micros % 1000000));
  return full;
}

// Failures of the scanners themselves (malformed CSV, bad encoding, unreadable files); the rest of the
// kUnprocessable failures of a load are values that do not convert.
bool IsReaderFailure(const Error& error) {
  std::string message = error.what();
  for (const char* marker :
       {"CSV Error", "nicode", "No files found", "No such file", "magic bytes", "gzip", "GZIP"}) {
    if (message.find(marker) != std::string::npos) return true;
  }
  return false;
}

[[noreturn]] void ThrowCastFailure(const Error& error) {
  throw ImportError(ErrorKind::kUnprocessable, "data_type_mismatch", error.what(),
                    DriverCode::kDataTypeMismatch);
}

TableInfo RequireTable(duckdb::Connection& conn, const std::string& bucket, const TableRef& ref) {
  auto info = LoadTable(conn, bucket, ref.table, TableDetail::kDefinition);
  if (!info) {
    throw NotFound("table_not_found", "table '" + ref.table + "' does not exist in bucket '" + bucket + "'");
  }
  return *info;
}

// Plans and runs the load of `source` into the existing `table`, then reads the table's stats. The caller
// holds the table's write lock; `timers` holds the phases before the load (reading the source's columns)
// and gets the rest.
ImportResult LoadSource(duckdb::Connection& conn, const TableInfo& table, const SourceRelation& source,
                        const ImportOptions& options, TaskControl* control, PhaseTimers& timers,
                        const std::function<void(const Error&, const ColumnPlan&)>& diagnose) {
  ColumnPlan plan = PlanColumns(source, table, options, NowLiteral());
  auto outcome = LoadIntoTable(conn, table, source, plan, options, control,
                               [&](const Error& error) { diagnose(error, plan); });
  timers.Append(std::move(outcome.timers));
  ImportResult result;
  result.imported_rows = outcome.imported_rows;
  result.imported_columns = plan.imported_columns;
  auto after = timers.Time(
      "tableStats", [&] { return LoadTable(conn, table.bucket, table.name, TableDetail::kWithStats); });
  result.table_rows = after->row_count;
  result.table_size_bytes = after->size_bytes;
  result.timers = timers.Take();
  return result;
}

void DropDestination(duckdb::Connection& conn, const std::string& bucket, const std::string& name) {
  // Catalog lookups (LoadTable, LoadView), not a duckdb_tables() scan of every table of the project.
  std::string canonical;
  bool view = false;
  if (auto table = LoadTable(conn, bucket, name, TableDetail::kDefinition)) {
    canonical = table->name;
    // A replaced table is kept for time travel and undrop, as a drop keeps it.
    CloseTableHistory(conn, *table, {"table.drop"});
  } else if (auto existing = LoadView(conn, bucket, name)) {
    canonical = existing->name;
    view = true;
  } else {
    return;
  }
  RunDdl(conn, std::string(view ? "DROP VIEW " : "DROP TABLE ") + QualifiedName(bucket, canonical));
  ForgetTable(conn, bucket, canonical);
}

}  // namespace

ImportResult ImportService::ImportFromPaths(const TableRef& destination,
                                            const std::vector<std::string>& paths,
                                            const std::vector<std::string>& display_names, FileFormat format,
                                            const CsvOptions& csv, const ImportOptions& options,
                                            TaskControl* control) {
  if (options.type != ImportType::kFull && options.type != ImportType::kIncremental) {
    throw InvalidArgument("invalid_import_type",
                          "files import FULL or INCREMENTAL; VIEW and CLONE need a table");
  }
  return ops_.Run(destination.branch.project_id, "table.import", destination.Qualified(), [&] {
    // On a dev branch the table is copied into the branch first; either way it stays locked until the
    // load commits.
    auto target = OpenForWrite(branches_, destination);
    FileSourceReader reader(format, csv, options.import_as_null, paths, display_names);
    if (control) control->SetPhase("reading_source", reader.total_bytes());
    PhaseTimers timers;
    SourceRelation source = timers.Time("readSourceColumns", [&] { return reader.Open(*target.conn); });
    TableInfo table =
        RequireTable(*target.conn, target.bucket, TableRef{destination.branch, target.bucket, target.table});
    auto result = LoadSource(*target.conn, table, source, options, control, timers,
                             [&](const Error& error, const ColumnPlan& plan) {
                               if (IsReaderFailure(error)) reader.ThrowReadError(error);
                               if (error.kind() == ErrorKind::kUnprocessable) {
                                 reader.DiagnoseCast(*target.conn, plan.casts);
                                 ThrowCastFailure(error);
                               }
                             });
    RecordTransfer("import", result.imported_rows, static_cast<uint64_t>(reader.total_bytes()),
                   result.timers);
    return result;
  });
}

ImportResult ImportService::ImportFromFile(const TableRef& destination, const FileImportRequest& request,
                                           TaskControl* control) {
  if (control) control->SetPhase("resolving_source");
  auto files =
      ResolveFileSource(objects_, destination.branch.project_id, request.source, request.source_type);
  return ImportFromPaths(destination, files.staged.paths(), files.names, request.format, request.csv,
                         request.options, control);
}

namespace {

// Drops a temporary table of a connection when it goes.
class TempTable {
 public:
  TempTable() = default;
  TempTable(duckdb::Connection& conn, std::string name) : conn_(&conn), name_(std::move(name)) {}
  TempTable(TempTable&& other) noexcept
      : conn_(std::exchange(other.conn_, nullptr)), name_(std::move(other.name_)) {}
  TempTable& operator=(TempTable&& other) noexcept {
    std::swap(conn_, other.conn_);  // `other` drops what this held
    std::swap(name_, other.name_);
    return *this;
  }
  ~TempTable() {
    if (conn_) conn_->Query("DROP TABLE IF EXISTS temp.main." + QuoteIdent(name_));
  }

 private:
  duckdb::Connection* conn_ = nullptr;
  std::string name_;
};

constexpr const char* kLinkedSource = "__duckstore_linked_source";

// The rows of a table source as SQL that the destination's connection runs: the mapped columns under their
// destination names, filtered, limited.
struct TableSourcePlan {
  OpenTable table;  // the source where the branch sees it
  std::string from;
  std::vector<ColumnMapping> mappings;  // canonical source names
  std::string select;                   // "source AS destination, ..."
  SourceRelation relation;              // "(SELECT <select> FROM <from> WHERE ... LIMIT ...)"
  TempTable staged;                     // a linked source's rows, copied to the destination's connection
};

// Resolves the source on `branch` and plans reading it from `destination` (a connection of the branch's
// project instance). A linked bucket's table lives in another project's instance, which this one never
// attaches: its selected rows are streamed into a temporary table of `destination` first (VIEW imports
// cannot read it and are refused).
TableSourcePlan PlanTableSource(BranchView& branch, duckdb::Connection& destination,
                                const TableImportRequest& request) {
  TableSourcePlan out;
  out.table = OpenForRead(branch, request.source);
  const TableInfo& info = out.table.info;
  const bool linked = out.table.location.source == TableSource::kLinked;
  if (linked && request.options.type == ImportType::kView) RefuseLinkedViewSource(out.table.bucket);
  out.from = linked ? QualifiedName(out.table.schema, info.name) : branch.SqlName(out.table.location);
  std::vector<ColumnMapping> mappings = request.mappings;
  if (mappings.empty()) {
    for (const auto& column : info.columns) mappings.push_back({column.name, column.name});
  }
  for (const auto& mapping : mappings) {
    const ColumnInfo* column = info.FindColumn(mapping.source);
    if (!column) {
      throw NotFound("column_not_found", "source column '" + mapping.source + "' does not exist",
                     {{"column", mapping.source}});
    }
    out.select += (out.select.empty() ? "" : ", ") + QuoteIdent(column->name) + " AS " +
                  QuoteIdent(mapping.destination);
    out.mappings.push_back({column->name, mapping.destination});
    out.relation.columns.push_back(mapping.destination);
  }
  ValidateSourceColumns(out.relation.columns);

  SqlParams params;
  std::string where = BuildWhere(request.filters, info, params);
  if (request.seconds) {
    const auto& timestamp_column = request.options.timestamp_column;
    const ColumnInfo* ts = info.FindColumn(timestamp_column);
    if (timestamp_column.empty() || !ts) {
      throw InvalidArgument("column_not_found", "'seconds' needs the timestamp column '" + timestamp_column +
                                                    "' in the source table");
    }
    params.push_back(duckdb::Value::BIGINT(*request.seconds));
    where += std::string(where.empty() ? " WHERE " : " AND ") + QuoteIdent(ts->name) +
             " >= CAST(now() AS TIMESTAMP) - to_seconds($" + std::to_string(params.size()) + ")";
  }
  std::string limit;
  if (request.limit) {
    if (*request.limit < 0) throw InvalidArgument("invalid_limit", "limit cannot be negative");
    params.push_back(duckdb::Value::BIGINT(*request.limit));
    limit = " LIMIT $" + std::to_string(params.size());
  }
  out.relation.sql = "(SELECT " + out.select + " FROM " + out.from + where + limit + ")";
  out.relation.params = std::move(params);
  if (linked) {
    StreamRows(*out.table.conn, "SELECT * FROM " + out.relation.sql, out.relation.params, destination, "temp",
               "main", kLinkedSource, /*replace=*/true);
    out.staged = TempTable(destination, kLinkedSource);
    out.from = "temp.main." + QuoteIdent(kLinkedSource);
    out.relation.sql = "(SELECT * FROM " + out.from + ")";
    out.relation.params.clear();
  }
  return out;
}

// VIEW and CLONE: the destination is created as the branch's own object, next to (or in place of, with
// REPLACE) what the branch sees under its name. An inherited object of that name is shadowed, not dropped.
ImportResult CreateFromTable(BranchResolver& branches, const TableRef& destination,
                             const TableImportRequest& request) {
  const auto& options = request.options;
  if (options.type == ImportType::kView && (!request.filters.empty() || request.seconds || request.limit)) {
    throw InvalidArgument("invalid_import_options",
                          "a VIEW import takes column mappings only (no filters, seconds or limit)");
  }
  auto target = OpenForCreate(branches, destination);
  if (target.existing && options.create_mode != CreateMode::kReplace) {
    throw Conflict("object_exists", std::string(target.existing->is_view ? "a view" : "a table") +
                                        " named '" + target.existing->name + "' already exists in bucket '" +
                                        target.bucket + "'");
  }
  auto& conn = *target.conn;
  auto source = PlanTableSource(*target.view, conn, request);
  const std::string name = QualifiedName(target.bucket, destination.table);
  ImportResult result;
  result.imported_columns = source.relation.columns;
  InSqlTransaction(conn, [&] {
    if (target.existing && target.existing->source == TableSource::kOwn)
      DropDestination(conn, target.bucket, target.existing->name);
    if (options.type == ImportType::kView) {
      RunDdl(conn, "CREATE VIEW " + name + " AS SELECT " + source.select + " FROM " + source.from);
      return;
    }
    auto created = RunSql(conn, "CREATE TABLE " + name + " AS SELECT * FROM " + source.relation.sql,
                          source.relation.params);
    result.imported_rows = created->RowCount() ? created->GetValue(0, 0).GetValue<int64_t>() : 0;
    // The clone keeps the source's primary key when it copies every key column.
    const auto& source_key = source.table.info.primary_key;
    std::vector<std::string> key;
    for (const auto& k : source_key) {
      for (const auto& mapping : source.mappings) {
        if (duckdb::StringUtil::CIEquals(mapping.source, k)) key.push_back(mapping.destination);
      }
    }
    if (key.size() != source_key.size()) key.clear();
    for (const auto& k : key)
      RunDdl(conn, "ALTER TABLE " + name + " ALTER COLUMN " + QuoteIdent(k) + " SET NOT NULL");
    RecordTable(conn, target.bucket, destination.table, key);
    OpenTableHistory(conn, *LoadTable(conn, target.bucket, destination.table, TableDetail::kDefinition));
  });
  if (options.type == ImportType::kClone) {
    auto after = LoadTable(conn, target.bucket, destination.table, TableDetail::kWithStats);
    result.table_rows = after->row_count;
    result.table_size_bytes = after->size_bytes;
  }
  return result;
}

}  // namespace

ImportResult ImportService::ImportFromTable(const TableRef& destination, const TableImportRequest& request,
                                            TaskControl* control) {
  if (request.source.branch.project_id != destination.branch.project_id ||
      request.source.branch.branch_id != destination.branch.branch_id) {
    throw InvalidArgument("invalid_source",
                          "the source table must be in the destination's project and branch");
  }
  ValidateObjectName(destination.bucket, "bucket name");
  ValidateObjectName(destination.table, "table name");
  ValidateObjectName(request.source.bucket, "bucket name");
  ValidateObjectName(request.source.table, "table name");
  if (duckdb::StringUtil::CIEquals(request.source.bucket, destination.bucket) &&
      duckdb::StringUtil::CIEquals(request.source.table, destination.table)) {
    throw InvalidArgument("invalid_source", "a table cannot be imported into itself");
  }
  auto result = ops_.Run(destination.branch.project_id, "table.import", destination.Qualified(), [&] {
    const auto type = request.options.type;
    if (type == ImportType::kView || type == ImportType::kClone)
      return CreateFromTable(branches_, destination, request);
    // FULL / INCREMENTAL: on a dev branch the destination is copied into the branch first (copy-on-write)
    // and stays locked until the load commits; the source is read where the branch sees it.
    auto target = OpenForWrite(branches_, destination);
    auto source = PlanTableSource(*target.view, *target.conn, request);
    TableInfo table =
        RequireTable(*target.conn, target.bucket, TableRef{destination.branch, target.bucket, target.table});
    PhaseTimers timers;
    const SourceRelation& relation = source.relation;
    return LoadSource(
        *target.conn, table, relation, request.options, control, timers,
        [&](const Error& error, const ColumnPlan& plan) {
          if (error.kind() != ErrorKind::kUnprocessable) return;
          for (const auto& [column, type] : plan.casts) {
            auto bad = RunSql(*target.conn,
                              "SELECT CAST(" + QuoteIdent(column) + " AS VARCHAR) FROM " + relation.sql +
                                  " WHERE " + QuoteIdent(column) + " IS NOT NULL AND TRY_CAST(" +
                                  QuoteIdent(column) + " AS " + type + ") IS NULL LIMIT 1",
                              relation.params);
            if (bad->RowCount() == 0) continue;
            std::string value = bad->GetValue(0, 0).ToString();
            throw ImportError(ErrorKind::kUnprocessable, "data_type_mismatch",
                              "column '" + column + "': value '" + value + "' is not a valid " + type,
                              DriverCode::kDataTypeMismatch,
                              {{"column", column}, {"value", value}, {"type", type}});
          }
          ThrowCastFailure(error);
        });
  });
  RecordTransfer("import", result.imported_rows, 0, result.timers);
  return result;
}

}  // namespace duckstore
