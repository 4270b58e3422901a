// The header record of a CSV source: the column names in its first record, parsed in the import's
// dialect (delimiter, enclosure, escape character; quoted values may hold delimiters, newlines and
// escaped quotes). Reading only the first record keeps the cost independent of the file's size and of the
// number of columns; DuckDB's reader then reads the rows with the names given (nothing sniffed).
#pragma once

#include <duckdb.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "duckstore/services/import/import_request.hpp"

namespace duckstore {

struct CsvDialect {
  char delimiter = ',';
  std::optional<char> quote = '"';  // nullopt: values are never quoted
  char escape = '"';                // escape == quote: a quote inside a quoted value is written twice
};

// The dialect of an import's CSV options (FileSourceReader validates their lengths): escapedBy defaults
// to the enclosure (doubled quotes); no enclosure means no quoting.
CsvDialect DialectOf(const CsvOptions& csv);

// Parses the first record of `data`: its fields, unquoted and unescaped. A leading UTF-8 byte order mark
// is skipped; the record ends at an unquoted LF, CR or CRLF. An empty first line has no fields. Returns
// nullopt when the record does not end within `data` and `at_end` is false (more bytes are needed); at
// the end of the input an unterminated record ends there.
std::optional<std::vector<std::string>> ParseCsvHeader(std::string_view data, const CsvDialect& dialect,
                                                       bool at_end);

// Reads the first record of the file at `path` through the connection's file system (so the project's
// directory confinement applies), gunzipping it when `gzip`. Throws kInvalidArgument
// ("invalid_file_params") when the record exceeds `max_bytes`; file system errors propagate as
// kUnprocessable with DuckDB's message.
std::vector<std::string> ReadCsvHeader(duckdb::Connection& conn, const std::string& path, bool gzip,
                                       const CsvDialect& dialect, size_t max_bytes = 8u << 20);

}  // namespace duckstore
