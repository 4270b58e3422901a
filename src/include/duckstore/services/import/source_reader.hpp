// Reads import sources with DuckDB's own scanners: CSV through read_csv with every dialect option explicit
// (nothing sniffed), Parquet through read_parquet. Every value reaches DuckDB as a bound parameter.
//
// A CSV source is read as all-VARCHAR text; conversion to the destination types happens in the load's
// SELECT (services/import/column_plan), so one statement reads, converts and inserts in bulk. When that
// statement fails, DiagnoseCsv/DiagnoseParquet re-read the source to name the row and column at fault.
#pragma once

#include <duckdb.hpp>

#include <map>
#include <string>
#include <vector>

#include "duckstore/common/error.hpp"
#include "duckstore/services/import/import_request.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {

// A relation the load selects from: SQL text (a table function call or a subquery) with its parameters,
// and the names of its columns in order.
struct SourceRelation {
  std::string sql;
  SqlParams params;
  std::vector<std::string> columns;
  bool text = false;  // all columns are VARCHAR read from text (CSV): empty values follow Keboola's rules
};

class FileSourceReader {
 public:
  // `paths` are readable by the project's DuckDB instance; `display_names` name them in errors (object
  // keys), index for index.
  FileSourceReader(FileFormat format, CsvOptions csv, std::vector<std::string> import_as_null,
                   std::vector<std::string> paths, std::vector<std::string> display_names);

  // Determines the source columns (the CSV header or column_names, the Parquet schema) and returns the
  // relation reading every row. Throws kUnprocessable with the contract's codes for unreadable sources.
  SourceRelation Open(duckdb::Connection& conn);

  // After a load from this source failed with `error`: finds the first value of a column that does not
  // convert to `types` (source column -> destination type) and throws a precise
  // kUnprocessable("data_type_mismatch") naming the file, line or row, column and value. Returns when
  // the source converts cleanly (the failure was something else).
  void DiagnoseCast(duckdb::Connection& conn, const std::map<std::string, std::string>& types) const;

  // Rewrites a DuckDB reader error (malformed CSV, invalid UTF-8, a missing file) into
  // kUnprocessable("invalid_source_data"), with internal paths replaced by display names.
  [[noreturn]] void ThrowReadError(const Error& error) const;

  int64_t total_bytes() const { return total_bytes_; }

 private:
  std::string Display(std::string message) const;
  // read_csv(...) with `types` per source column and the given null strings.
  SourceRelation CsvRelation(const std::vector<std::pair<std::string, std::string>>& typed_columns,
                             const std::vector<std::string>& null_strings) const;

  FileFormat format_;
  CsvOptions csv_;
  std::vector<std::string> import_as_null_;
  std::vector<std::string> paths_;
  std::vector<std::string> display_names_;
  std::vector<std::string> columns_;
  int64_t total_bytes_ = 0;
  bool gzip_ = false;  // CSV: every slice is gzip-compressed
};

// Whether the CSV slices at `paths` are gzip-compressed: with kAuto, what their first bytes say. read_csv
// decompresses every slice of one import alike, so they must agree: a mix of gzip and plain slices, or a
// slice that contradicts an explicit compression, is kUnprocessable("invalid_source_data", 4200) naming
// the slices (`display_names`, index for index). Empty slices agree with either.
bool SlicesAreGzip(Compression requested, const std::vector<std::string>& paths,
                   const std::vector<std::string>& display_names);

// Throws the contract's column errors for a list of source column names: none (4103), an empty name
// (4101), the same name twice ignoring case (4102).
void ValidateSourceColumns(const std::vector<std::string>& columns);

}  // namespace duckstore
