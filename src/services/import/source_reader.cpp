#include "duckstore/services/import/source_reader.hpp"

#include <fstream>
#include <regex>
#include <set>

#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/import/csv_header.hpp"
#include "duckstore/services/import/import_errors.hpp"

namespace duckstore {
namespace {

duckdb::Value StringList(const std::vector<std::string>& items) {
  duckdb::vector<duckdb::Value> values;
  for (const auto& item : items) values.emplace_back(item);
  return duckdb::Value::LIST(duckdb::LogicalType::VARCHAR, std::move(values));
}

// DuckDB's reader errors end with hints and a dump of the dialect; the first part says what and where.
std::string Headline(const std::string& message) {
  std::string out = message;
  for (const char* cut : {"\nPossible fixes", "\nPossible solutions", "\n  file =", "\nColumn "}) {
    auto at = out.find(cut);
    if (at != std::string::npos) out.resize(at);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

void ValidateSourceColumns(const std::vector<std::string>& columns) {
  if (columns.empty()) {
    throw ImportError(ErrorKind::kInvalidArgument, "no_columns", "the source has no columns",
                      DriverCode::kNoColumns);
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].empty()) {
      throw ImportError(ErrorKind::kInvalidArgument, "invalid_column_name",
                        "source column " + std::to_string(i + 1) + " has an empty name",
                        DriverCode::kInvalidColumnName, {{"position", i + 1}});
    }
    if (!seen.insert(duckdb::StringUtil::Lower(columns[i])).second) {
      throw ImportError(ErrorKind::kInvalidArgument, "duplicate_column_names",
                        "source column '" + columns[i] + "' appears more than once",
                        DriverCode::kDuplicateColumnNames, {{"column", columns[i]}});
    }
  }
}

FileSourceReader::FileSourceReader(FileFormat format, CsvOptions csv, std::vector<std::string> import_as_null,
                                   std::vector<std::string> paths, std::vector<std::string> display_names)
    : format_(format),
      csv_(std::move(csv)),
      import_as_null_(std::move(import_as_null)),
      paths_(std::move(paths)),
      display_names_(std::move(display_names)) {
  if (paths_.empty()) {
    throw ImportError(ErrorKind::kUnprocessable, "no_source_files", "the source holds no files",
                      DriverCode::kMandatoryFileNotFound);
  }
  if (format_ == FileFormat::kCsv) {
    if (csv_.delimiter.size() != 1 || csv_.enclosure.size() > 1 || csv_.escaped_by.size() > 1) {
      throw ImportError(ErrorKind::kInvalidArgument, "invalid_file_params",
                        "delimiter must be one character, enclosure and escapedBy at most one",
                        DriverCode::kInvalidFileParams);
    }
    if (csv_.ignored_lines < 0) {
      throw ImportError(ErrorKind::kInvalidArgument, "invalid_file_params",
                        "numberOfIgnoredLines cannot be negative", DriverCode::kInvalidFileParams);
    }
  }
  if (format_ == FileFormat::kCsv) gzip_ = SlicesAreGzip(csv_.compression, paths_, display_names_);
  std::error_code ec;
  for (const auto& path : paths_) total_bytes_ += static_cast<int64_t>(std::filesystem::file_size(path, ec));
}

bool SlicesAreGzip(Compression requested, const std::vector<std::string>& paths,
                   const std::vector<std::string>& display_names) {
  auto mismatch = [](const std::string& message, nlohmann::json details) {
    return ImportError(ErrorKind::kUnprocessable, "invalid_source_data", message,
                       DriverCode::kMandatoryInvalidSourceData, std::move(details));
  };
  std::optional<size_t> first_gzip, first_plain;
  for (size_t i = 0; i < paths.size(); ++i) {
    std::ifstream in(paths[i], std::ios::binary);
    unsigned char magic[2] = {0, 0};
    in.read(reinterpret_cast<char*>(magic), 2);
    if (in.gcount() == 0) continue;  // an empty slice decompresses to nothing either way
    bool gzip = in.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (gzip && requested == Compression::kNone) {
      throw mismatch("slice '" + display_names[i] + "' is gzip-compressed but the import says it is not",
                     {{"file", display_names[i]}});
    }
    if (!gzip && requested == Compression::kGzip) {
      throw mismatch("slice '" + display_names[i] + "' is not gzip-compressed but the import says it is",
                     {{"file", display_names[i]}});
    }
    (gzip ? first_gzip : first_plain).emplace(i);
    if (first_gzip && first_plain) {
      throw mismatch(
          "the slices mix compressions: '" + display_names[*first_gzip] + "' is gzip, '" +
              display_names[*first_plain] +
              "' is not; every slice of one import must be gzip-compressed, or none",
          {{"gzip_file", display_names[*first_gzip]}, {"plain_file", display_names[*first_plain]}});
    }
  }
  return requested == Compression::kGzip || first_gzip.has_value();
}

std::string FileSourceReader::Display(std::string message) const {
  for (size_t i = 0; i < paths_.size(); ++i) {
    for (size_t at = message.find(paths_[i]); at != std::string::npos;
         at = message.find(paths_[i], at + display_names_[i].size())) {
      message.replace(at, paths_[i].size(), display_names_[i]);
    }
  }
  return message;
}

SourceRelation FileSourceReader::CsvRelation(
    const std::vector<std::pair<std::string, std::string>>& typed_columns,
    const std::vector<std::string>& null_strings) const {
  duckdb::child_list_t<duckdb::Value> columns;
  for (const auto& [name, type] : typed_columns) columns.emplace_back(name, duckdb::Value(type));
  int64_t skip = csv_.column_names.empty() ? std::max<int64_t>(csv_.ignored_lines, 1) : csv_.ignored_lines;
  std::string escape = csv_.escaped_by.empty() ? csv_.enclosure : csv_.escaped_by;
  SourceRelation relation;
  relation.sql =
      "read_csv($1, columns = $2, header = false, skip = $3, auto_detect = false, delim = $4, quote = $5, "
      "escape = $6, compression = $7, nullstr = $8, strict_mode = true, null_padding = false)";
  relation.params = {StringList(paths_),
                     duckdb::Value::STRUCT(std::move(columns)),
                     duckdb::Value::BIGINT(skip),
                     duckdb::Value(csv_.delimiter),
                     duckdb::Value(csv_.enclosure),
                     duckdb::Value(escape),
                     duckdb::Value(gzip_ ? "gzip" : "none"),
                     StringList(null_strings)};
  relation.columns = columns_;
  relation.text = true;
  return relation;
}

SourceRelation FileSourceReader::Open(duckdb::Connection& conn) {
  try {
    if (format_ == FileFormat::kParquet) {
      auto result = RunSql(conn, "SELECT * FROM read_parquet($1) LIMIT 0", {StringList(paths_)});
      columns_.assign(result->names.begin(), result->names.end());
      ValidateSourceColumns(columns_);
      return SourceRelation{"read_parquet($1)", {StringList(paths_)}, columns_, false};
    }
    columns_ = csv_.column_names.empty() ? ReadCsvHeader(conn, paths_.front(), gzip_, DialectOf(csv_))
                                         : csv_.column_names;
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kInvalidArgument && e.details().contains("driver_code")) throw;
    ThrowReadError(e);
  }
  ValidateSourceColumns(columns_);
  std::vector<std::pair<std::string, std::string>> typed;
  typed.reserve(columns_.size());
  for (const auto& name : columns_) typed.emplace_back(name, "VARCHAR");
  // Without importAsNull nothing is NULL: empty values are read as NULL and the load turns them back into
  // '' where they must stay empty (see column_plan), which is cheaper than a marker DuckDB compares.
  return CsvRelation(typed, import_as_null_.empty() ? std::vector<std::string>{""} : import_as_null_);
}

void FileSourceReader::ThrowReadError(const Error& error) const {
  std::string message = Display(error.what());
  nlohmann::json details = nlohmann::json::object();
  std::smatch match;
  static const std::regex kLine("CSV Error on Line: (\\d+)");
  static const std::regex kFile("\\n  file = ([^\\n]+)");
  if (std::regex_search(message, match, kLine)) details["line"] = std::stoll(match[1]);
  if (std::regex_search(message, match, kFile)) details["file"] = match[1].str();
  bool missing = message.find("No files found") != std::string::npos ||
                 message.find("No such file") != std::string::npos;
  std::string headline = Headline(message);
  if (details.contains("file")) headline += " (file " + details["file"].get<std::string>() + ")";
  if (missing) {
    throw ImportError(ErrorKind::kUnprocessable, "mandatory_file_not_found", headline,
                      DriverCode::kMandatoryFileNotFound, details);
  }
  if (error.kind() == ErrorKind::kCancelled || error.kind() == ErrorKind::kUnavailable) throw error;
  throw ImportError(ErrorKind::kUnprocessable, "invalid_source_data", "cannot read the source: " + headline,
                    DriverCode::kMandatoryInvalidSourceData, details);
}

void FileSourceReader::DiagnoseCast(duckdb::Connection& conn,
                                    const std::map<std::string, std::string>& types) const {
  if (types.empty()) return;
  auto fail = [](const std::string& where, const std::string& column, const std::string& value,
                 const std::string& type, nlohmann::json details) {
    details["column"] = column;
    details["value"] = value;
    details["type"] = type;
    throw ImportError(ErrorKind::kUnprocessable, "data_type_mismatch",
                      where + ", column '" + column + "': value '" + value + "' is not a valid " + type,
                      DriverCode::kDataTypeMismatch, details);
  };
  if (format_ == FileFormat::kCsv) {
    // Re-read with the destination types: DuckDB's CSV reader reports the line and column it cannot convert.
    std::vector<std::pair<std::string, std::string>> typed;
    std::string select;
    for (const auto& name : columns_) {
      auto it = types.find(name);
      typed.emplace_back(name, it == types.end() ? "VARCHAR" : it->second);
      if (it != types.end())
        select += (select.empty() ? "" : ", ") + std::string("count(") + QuoteIdent(name) + ")";
    }
    std::vector<std::string> nulls = import_as_null_;
    nulls.push_back("");
    auto relation = CsvRelation(typed, nulls);
    auto prepared = conn.Prepare("SELECT " + select + " FROM " + relation.sql);
    if (prepared->HasError()) return;
    auto executed = prepared->Execute(relation.params, false);
    if (!executed->HasError()) return;
    std::string message = Display(executed->GetError());
    static const std::regex kConvert(
        "CSV Error on Line: (\\d+)[\\s\\S]*?converting column \"([^\"]*)\"\\. Could not convert string "
        "\"([^\"]*)\" "
        "to '([^']*)'");
    static const std::regex kFile("\\n  file = ([^\\n]+)");
    std::smatch match;
    if (!std::regex_search(message, match, kConvert)) return;
    nlohmann::json details = {{"line", std::stoll(match[1])}};
    std::string where = "line " + match[1].str();
    std::smatch file;
    if (std::regex_search(message, file, kFile)) {
      details["file"] = file[1].str();
      where += " of " + file[1].str();
    }
    std::string column = match[2];
    fail(where, column, match[3], types.at(column), details);
  }
  // Parquet: the first row per column that does not convert, with its file and row number.
  for (const auto& [column, type] : types) {
    auto result =
        RunSql(conn,
               "SELECT filename, file_row_number, CAST(" + QuoteIdent(column) +
                   " AS VARCHAR) FROM read_parquet($1, filename = true, file_row_number = true) WHERE " +
                   QuoteIdent(column) + " IS NOT NULL AND TRY_CAST(" + QuoteIdent(column) + " AS " + type +
                   ") IS NULL LIMIT 1",
               {StringList(paths_)});
    if (result->RowCount() == 0) continue;
    std::string file = Display(result->GetValue(0, 0).ToString());
    int64_t row = result->GetValue(1, 0).GetValue<int64_t>() + 1;
    fail("row " + std::to_string(row) + " of " + file, column, result->GetValue(2, 0).ToString(), type,
         {{"row", row}, {"file", file}});
  }
}

}  // namespace duckstore
