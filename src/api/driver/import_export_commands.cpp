// Import and export: TableImportFromFile, TableImportFromTable and TableExportToFile, translated to the
// shared engines (ImportService, ExportService; docs/design/import.md has their semantics).
//
// Files are objects of duckstore's own store: FilePath{root, path, fileName} with provider S3 (ObjectAt).
// The file read (imports) or write (exports) is authorised separately from the command: with the key in the
// command's fileCredentials (S3Credentials{key = key id, secret = the whole key}, as Connection passes its
// stack's file storage credentials) when present, else with the calling key.
#include "duckstore/api/driver/commands.hpp"
#include "duckstore/api/driver/support.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/error_codes.hpp"
#include "duckstore/services/files/file_access.hpp"
#include "duckstore/services/import/import_errors.hpp"

namespace duckstore::driver {
namespace {

using Shared = table::ImportExportShared;

// The principal the file access runs under.
Principal FilePrincipal(CommandContext& context, const google::protobuf::Any& credentials) {
  if (credentials.type_url().empty()) return context.principal;
  Shared::S3Credentials s3;
  if (!credentials.UnpackTo(&s3)) {
    throw InvalidArgument("invalid_file_credentials",
                          "fileCredentials must pack " + s3.GetDescriptor()->full_name() +
                              " (a duckstore key id and key); got " + credentials.type_url());
  }
  auto invalid = [](const std::string& why) {
    return Error(ErrorKind::kUnauthenticated, "invalid_file_credentials", "fileCredentials: " + why);
  };
  if (s3.secret().empty()) throw invalid("secret (a duckstore API key) is required");
  // Like an S3 access key id, `key` names the key whose whole token is the secret.
  if (!s3.key().empty() && s3.key() != s3.secret().substr(0, s3.secret().find('.')))
    throw invalid("key '" + s3.key() + "' is not the id of the key given as secret");
  try {
    return context.services.auth.Authenticate(s3.secret());
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::kUnauthenticated) throw;
    throw invalid(error.what());
  }
}

// Checks that the file principal may use the location's bucket (FileAccess); a missing bucket is, for
// imports, a missing file (4201).
void AuthorizeFile(CommandContext& context, const google::protobuf::Any& credentials,
                   const ObjectLocation& location, Access access) {
  Principal principal = FilePrincipal(context, credentials);
  try {
    FileAccess(context.services.auth, context.services.objects).Bucket(principal, location.bucket, access);
  } catch (const Error& error) {
    if (error.code() != error_code::kBucketNotFound) throw;
    std::string message =
        "FilePath.root: bucket '" + location.bucket + "' does not exist in the object store";
    nlohmann::json details = {{"bucket", location.bucket}};
    if (access == Access::kRead) {
      throw ImportError(ErrorKind::kNotFound, "file_bucket_not_found", message,
                        duckstore::DriverCode::kMandatoryFileNotFound, std::move(details));
    }
    throw NotFound("file_bucket_not_found", message, std::move(details));
  }
}

FileFormat FormatOf(Shared::FileFormat format) {
  switch (format) {
    case Shared::CSV:
      return FileFormat::kCsv;
    case Shared::PARQUET:
      return FileFormat::kParquet;
    default:
      throw InvalidArgument("invalid_request", "unknown fileFormat " + std::to_string(format));
  }
}

// CsvTypeOptions (absent = the defaults: ',' '"', a single file). The dialect is taken as sent, as upstream
// does (an empty enclosure means values are never quoted), except that an empty delimiter means ','.
// Compression NONE (proto3's default) detects gzip by its magic bytes, so a client that does not set it
// still reads .gz files.
void ReadCsvTypeOptions(const google::protobuf::Any& packed, FileImportRequest& request) {
  if (packed.type_url().empty()) return;
  table::TableImportFromFileCommand::CsvTypeOptions options;
  if (!packed.UnpackTo(&options)) {
    throw InvalidArgument(
        "invalid_request",
        "formatTypeOptions must pack " + options.GetDescriptor()->full_name() + "; got " + packed.type_url());
  }
  using Csv = table::TableImportFromFileCommand::CsvTypeOptions;
  request.csv.column_names.assign(options.columnsnames().begin(), options.columnsnames().end());
  if (!options.delimiter().empty()) request.csv.delimiter = options.delimiter();
  request.csv.enclosure = options.enclosure();
  request.csv.escaped_by = options.escapedby();
  switch (options.sourcetype()) {
    case Csv::SINGLE_FILE:
      request.source_type = SourceType::kSingleFile;
      break;
    case Csv::SLICED_FILE:
      request.source_type = SourceType::kSlicedFile;
      break;
    case Csv::DIRECTORY:
      request.source_type = SourceType::kDirectory;
      break;
    default:
      throw InvalidArgument("invalid_request",
                            "unknown CsvTypeOptions.sourceType " + std::to_string(options.sourcetype()));
  }
  switch (options.compression()) {
    case Csv::NONE:
      request.csv.compression = Compression::kAuto;
      break;
    case Csv::GZIP:
      request.csv.compression = Compression::kGzip;
      break;
    default:
      throw InvalidArgument("invalid_request",
                            "unknown CsvTypeOptions.compression " + std::to_string(options.compression()));
  }
}

template <typename Enum>
[[noreturn]] void ThrowUnknown(const char* field, Enum value) {
  throw InvalidArgument("invalid_request",
                        std::string("unknown ImportOptions.") + field + " " + std::to_string(value));
}

// ImportOptions. An empty timestampColumn (proto3's unset) is Keboola's `_timestamp`, managed only when the
// table has it; timestampMode NONE leaves it an ordinary column.
ImportOptions ImportOptionsOf(const Shared::ImportOptions& in) {
  using In = Shared::ImportOptions;
  ImportOptions out;
  switch (in.importtype()) {
    case In::FULL:
      out.type = ImportType::kFull;
      break;
    case In::INCREMENTAL:
      out.type = ImportType::kIncremental;
      break;
    case In::VIEW:
      out.type = ImportType::kView;
      break;
    case In::CLONE:
      out.type = ImportType::kClone;
      break;
    default:
      ThrowUnknown("importType", in.importtype());
  }
  switch (in.deduptype()) {
    case In::UPDATE_DUPLICATES:
      out.dedup = DedupType::kUpdateDuplicates;
      break;
    case In::INSERT_DUPLICATES:
      out.dedup = DedupType::kInsertDuplicates;
      break;
    case In::FAIL_ON_DUPLICATES:
      out.dedup = DedupType::kFailOnDuplicates;
      break;
    default:
      ThrowUnknown("dedupType", in.deduptype());
  }
  out.dedup_columns.assign(in.dedupcolumnsnames().begin(), in.dedupcolumnsnames().end());
  switch (in.importstrategy()) {
    case In::STRING_TABLE:
      out.strategy = ImportStrategy::kStringTable;
      break;
    case In::USER_DEFINED_TABLE:
      out.strategy = ImportStrategy::kUserDefinedTable;
      break;
    default:
      ThrowUnknown("importStrategy", in.importstrategy());
  }
  switch (in.createmode()) {
    case In::CREATE:
      out.create_mode = CreateMode::kCreate;
      break;
    case In::REPLACE:
      out.create_mode = CreateMode::kReplace;
      break;
    default:
      ThrowUnknown("createMode", in.createmode());
  }
  switch (in.timestampmode()) {
    case In::CURRENT_TIME:
      out.timestamp_mode = TimestampMode::kCurrentTime;
      break;
    case In::NONE:
      out.timestamp_mode = TimestampMode::kNone;
      break;
    case In::FROM_SOURCE:
      out.timestamp_mode = TimestampMode::kFromSource;
      break;
    default:
      ThrowUnknown("timestampMode", in.timestampmode());
  }
  if (!in.timestampcolumn().empty()) out.timestamp_column = in.timestampcolumn();
  out.convert_empty_values_to_null.assign(in.convertemptyvaluestonulloncolumns().begin(),
                                          in.convertemptyvaluestonulloncolumns().end());
  out.import_as_null.assign(in.importasnull().begin(), in.importasnull().end());
  return out;
}

table::TableImportResponse ImportResponse(const ImportResult& result) {
  table::TableImportResponse response;
  response.set_importedrowscount(result.imported_rows);
  response.set_tablerowscount(result.table_rows);
  response.set_tablesizebytes(result.table_size_bytes);
  for (const auto& timer : result.timers) {
    auto* out = response.add_timers();
    out->set_name(timer.name);
    out->set_duration(std::to_string(timer.seconds));
  }
  for (const auto& column : result.imported_columns) response.add_importedcolumns(column);
  return response;
}

}  // namespace

void AddImportExportCommands(CommandRegistry& registry) {
  registry.Add<table::TableImportFromFileCommand>(
      Access::kWrite,
      [](const table::TableImportFromFileCommand& command, CommandContext& context) {
        const auto& destination = command.destination();
        TableRef ref = TableAt(context, destination.path(), destination.tablename(),
                               "TableImportFromFileCommand.destination");
        FileImportRequest request;
        request.source = ObjectAt(command.fileprovider(), command.filepath());
        request.format = FormatOf(command.fileformat());
        ReadCsvTypeOptions(command.formattypeoptions(), request);
        request.options = ImportOptionsOf(command.importoptions());
        request.csv.ignored_lines = command.importoptions().numberofignoredlines();
        AuthorizeFile(context, command.filecredentials(), request.source, Access::kRead);
        return ImportResponse(context.services.imports.ImportFromFile(ref, request));
      },
      [](const table::TableImportFromFileCommand& command) {
        return BranchOfPath(command.destination().path());
      });

  // FULL / INCREMENTAL load the (filtered, mapped) source rows; VIEW and CLONE create the destination.
  registry.Add<table::TableImportFromTableCommand>(
      Access::kWrite,
      [](const table::TableImportFromTableCommand& command, CommandContext& context) {
        const auto& source = command.source();
        const auto& destination = command.destination();
        TableRef ref = TableAt(context, destination.path(), destination.tablename(),
                               "TableImportFromTableCommand.destination");
        TableImportRequest request;
        request.source =
            TableAt(context, source.path(), source.tablename(), "TableImportFromTableCommand.source");
        RequireSameBranch(ref.branch, request.source.branch, "TableImportFromTableCommand.source.path");
        for (const auto& mapping : source.columnmappings()) {
          request.mappings.push_back(
              {Require(mapping.sourcecolumnname(), "ColumnMapping.sourceColumnName"),
               Require(mapping.destinationcolumnname(), "ColumnMapping.destinationColumnName")});
        }
        request.filters = FiltersOf(source.wherefilters());
        if (source.seconds() < 0 || source.limit() < 0)
          throw InvalidArgument("invalid_request", "SourceTableMapping.seconds and limit cannot be negative");
        if (source.seconds() > 0) request.seconds = source.seconds();
        if (source.limit() > 0) request.limit = source.limit();
        request.options = ImportOptionsOf(command.importoptions());
        return ImportResponse(context.services.imports.ImportFromTable(ref, request));
      },
      [](const table::TableImportFromTableCommand& command) {
        return BranchOfPath(command.destination().path());
      });

  // The driver's file layout: always slices "<prefix>NNNN.csv[.gz]" / ".parquet" plus "<prefix>manifest",
  // CSV without a header. Parquet compresses its own pages, so isCompressed applies to CSV only.
  registry.Add<table::TableExportToFileCommand>(
      Access::kRead,
      [](const table::TableExportToFileCommand& command, CommandContext& context) {
        TableRef ref = TableAt(context, command.source().path(), command.source().tablename(),
                               "TableExportToFileCommand.source");
        ExportRequest request;
        request.target = ObjectAt(command.fileprovider(), command.filepath());
        request.format = FormatOf(command.fileformat());
        const auto& options = command.exportoptions();
        request.columns.assign(options.columnstoexport().begin(), options.columnstoexport().end());
        request.order_by = OrderOf(options.orderby());
        const auto& filters = options.filters();
        request.filters = FiltersOf(filters.wherefilters());
        if (!filters.fulltextsearch().empty()) request.fulltext = filters.fulltextsearch();
        ChangeWindow window = ChangeWindowOf(filters.changesince(), filters.changeuntil());
        if (window.since) request.change_since = std::to_string(*window.since);
        if (window.until) request.change_until = std::to_string(*window.until);
        if (filters.limit() < 0)
          throw InvalidArgument("invalid_limit", "ExportFilters.limit cannot be negative");
        if (filters.limit() > 0) request.limit = filters.limit();
        request.gzip = request.format == FileFormat::kCsv && options.iscompressed();
        request.header = false;
        request.slicing = SliceMode::kAlways;
        AuthorizeFile(context, command.filecredentials(), request.target, Access::kWrite);
        ExportResult result = context.services.exports.ExportToFile(ref, request);
        table::TableExportToFileResponse response;
        *response.mutable_tableinfo() = TableInfoOf(result.table, ref.branch);
        return response;
      },
      [](const table::TableExportToFileCommand& command) { return BranchOfPath(command.source().path()); });
}

}  // namespace duckstore::driver
