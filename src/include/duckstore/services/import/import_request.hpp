// Transport-neutral requests and results of the import engine (services/import) and the export engine
// (services/export). They mirror the Keboola storage driver contract (docs: keboola-driver-contract.md,
// ImportExportShared.ImportOptions, TableImportFromFileCommand.CsvTypeOptions, SourceTableMapping,
// ExportOptions) as plain C++ values: the REST API fills them from JSON, the driver from its protobufs.
// docs/design/import.md describes the semantics in full.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "duckstore/services/model/table_model.hpp"

namespace duckstore {

// ---- Import options (ImportExportShared.ImportOptions) ----

enum class ImportType {
  kFull,         // replace the table's content atomically
  kIncremental,  // append, or upsert by the dedup key
  kView,         // import from table only: create the destination as a view over the source
  kClone,        // import from table only: create the destination as a copy of the source
};
enum class DedupType {
  kUpdateDuplicates,  // one row per key: the last occurrence in the source wins and replaces the table's row
  kInsertDuplicates,  // no deduplication: every source row is inserted
  kFailOnDuplicates,  // a key twice in the source (or, incremental, already in the table) fails the import
};
enum class ImportStrategy {
  kStringTable,       // Keboola's all-string tables: empty values stay '' unless listed for NULL conversion
  kUserDefinedTable,  // typed tables: empty values in non-string columns are NULL, values cast to the types
};
enum class TimestampMode {
  kCurrentTime,  // the timestamp column of inserted and changed rows is set to the import's start time
  kNone,         // the timestamp column is an ordinary column
  kFromSource,   // the source must carry the timestamp column; its values are taken
};
enum class CreateMode { kCreate, kReplace };  // VIEW/CLONE: fail when the destination exists, or replace it

struct ImportOptions {
  ImportType type = ImportType::kFull;
  DedupType dedup = DedupType::kUpdateDuplicates;
  // Key columns for deduplication; empty = the table's primary key; no key at all = no deduplication.
  std::vector<std::string> dedup_columns;
  ImportStrategy strategy = ImportStrategy::kStringTable;
  // The managed timestamp column ("" = none); managed only when the destination has the column.
  std::string timestamp_column = "_timestamp";
  TimestampMode timestamp_mode = TimestampMode::kCurrentTime;
  std::vector<std::string> convert_empty_values_to_null;  // string columns whose empty values become NULL
  std::vector<std::string> import_as_null;                // source values read as NULL (CSV only)
  CreateMode create_mode = CreateMode::kCreate;
};

// ---- File sources (TableImportFromFileCommand) ----

enum class FileFormat { kCsv, kParquet };
enum class SourceType {
  kSingleFile,  // `key` is the file
  kSlicedFile,  // `key` is a manifest {"entries":[{"url":"s3://bucket/key" or "key","mandatory":bool}]}
  kDirectory,   // `key` is a prefix; every object below it is a slice, in key order
};
enum class Compression { kAuto, kNone, kGzip };  // kAuto: gzip when the content starts with gzip's magic

struct CsvOptions {
  // The source's column names in file order; empty = read them from the file's first line (which then
  // counts as the first ignored line).
  std::vector<std::string> column_names;
  std::string delimiter = ",";
  std::string enclosure = "\"";  // "" = values are never quoted
  std::string escaped_by;        // "" = a quote inside a quoted value is written twice
  int64_t ignored_lines = 0;     // numberOfIgnoredLines: lines skipped at the start of every slice
  Compression compression = Compression::kAuto;
};

// An object (or a manifest, or a prefix) of the object store.
struct ObjectLocation {
  std::string bucket;
  std::string key;
};

struct FileImportRequest {
  ObjectLocation source;
  SourceType source_type = SourceType::kSingleFile;
  FileFormat format = FileFormat::kCsv;
  CsvOptions csv;
  ImportOptions options;
};

// ---- Table sources (TableImportFromTableCommand.SourceTableMapping) ----

struct ColumnMapping {
  std::string source;
  std::string destination;
};

struct TableImportRequest {
  TableRef source;                      // same project and branch as the destination
  std::vector<ColumnMapping> mappings;  // empty = every source column under its own name
  std::vector<ColumnFilter> filters;    // on source columns, AND-ed
  std::optional<int64_t> seconds;       // only rows whose timestamp column is within the last N seconds
  std::optional<int64_t> limit;
  ImportOptions options;
};

// ---- Results (TableImportResponse) ----

struct Timer {
  std::string name;
  double seconds = 0;
};

struct ImportResult {
  int64_t imported_rows = 0;  // source rows loaded (after deduplication when a key applies)
  int64_t table_rows = 0;     // rows in the table afterwards
  int64_t table_size_bytes = 0;
  std::vector<std::string> imported_columns;  // destination columns the source filled
  std::vector<Timer> timers;
};

// ---- Export (TableExportToFileCommand, ExportOptions) ----

enum class SliceMode {
  kAuto,    // one object at `key` when the output fits one slice, otherwise slices plus a manifest
  kAlways,  // always slices "<key><NNNN><ext>" plus a manifest "<key>manifest" (the driver's layout)
  kNone,    // one object at `key` whatever its size (slice_bytes is ignored)
};

struct ExportRequest {
  std::vector<std::string> columns;  // empty = all, in table order
  std::vector<OrderBy> order_by;
  std::vector<ColumnFilter> filters;
  // Rows where any string column contains this text (as PreviewTable); cannot be combined with `filters`.
  std::optional<std::string> fulltext;
  std::optional<std::string> change_since;  // timestamp column >= (a timestamp, or unix seconds)
  std::optional<std::string> change_until;  // timestamp column < (a timestamp, or unix seconds)
  std::optional<int64_t> limit;
  FileFormat format = FileFormat::kCsv;
  bool gzip = false;    // CSV only
  bool header = false;  // CSV only: first line holds the column names (the driver's exports have none)
  ObjectLocation target;
  SliceMode slicing = SliceMode::kAuto;
  int64_t slice_bytes = 256ll << 20;            // approximate size of one slice
  std::string timestamp_column = "_timestamp";  // the column change_since/change_until compare
  // Also name every written object (and the manifest) as a file of the project (FileService::Register),
  // tagged "export"; the target bucket must be the project's.
  bool register_files = false;
};

struct ExportedObject {
  std::string bucket;
  std::string key;
  int64_t size = 0;
  std::string etag;
  std::optional<std::string> file_id;  // with register_files
};

struct ExportResult {
  std::vector<ExportedObject> files;       // the data, in order
  std::optional<ExportedObject> manifest;  // present when the output is sliced
  int64_t exported_rows = 0;
  std::vector<std::string> columns;
  TableInfo table;  // the source table, with stats
  std::vector<Timer> timers;
};

}  // namespace duckstore
