#include "duckstore/services/import/csv_header.hpp"

#include <algorithm>

#include "duckdb/common/file_system.hpp"
#include "duckdb/main/client_context.hpp"

#include "duckstore/services/import/import_errors.hpp"

namespace duckstore {

CsvDialect DialectOf(const CsvOptions& csv) {
  // Built from locals, not field by field: GCC 12 reports a false maybe-uninitialized on the optional member.
  const char delimiter = csv.delimiter.empty() ? ',' : csv.delimiter.front();
  const std::optional<char> quote =
      csv.enclosure.empty() ? std::nullopt : std::optional<char>(csv.enclosure.front());
  const char escape = !csv.escaped_by.empty() ? csv.escaped_by.front() : quote.value_or('\0');
  return CsvDialect{delimiter, quote, escape};
}

std::optional<std::vector<std::string>> ParseCsvHeader(std::string_view data, const CsvDialect& dialect,
                                                       bool at_end) {
  if (data.starts_with("\xEF\xBB\xBF")) data.remove_prefix(3);
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  bool saw_quote = false;  // `""` is one empty name, not an empty line
  for (size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (quoted) {
      if (c == dialect.escape || c == *dialect.quote) {
        if (i + 1 == data.size() && !at_end) return std::nullopt;  // the next byte decides
        char next = i + 1 < data.size() ? data[i + 1] : '\0';
        bool escaped =
            i + 1 < data.size() && c == dialect.escape &&
            (next == *dialect.quote || (dialect.escape != *dialect.quote && next == dialect.escape));
        if (escaped) {
          field += next;
          ++i;
          continue;
        }
        if (c == *dialect.quote) {
          quoted = false;
          continue;
        }
      }
      field += c;
      continue;
    }
    if (dialect.quote && c == *dialect.quote && field.empty()) {
      quoted = true;
      saw_quote = true;
    } else if (c == dialect.delimiter) {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (fields.empty() && field.empty() && !saw_quote) return fields;  // an empty line: no columns
      fields.push_back(std::move(field));
      return fields;
    } else {
      field += c;
    }
  }
  if (!at_end) return std::nullopt;
  if (!fields.empty() || !field.empty() || saw_quote) fields.push_back(std::move(field));
  return fields;
}

std::vector<std::string> ReadCsvHeader(duckdb::Connection& conn, const std::string& path, bool gzip,
                                       const CsvDialect& dialect, size_t max_bytes) {
  std::string data;
  try {
    auto& fs = duckdb::FileSystem::GetFileSystem(*conn.context);
    auto handle = fs.OpenFile(
        path, duckdb::FileOpenFlags(duckdb::FileFlags::FILE_FLAGS_READ) |
                  (gzip ? duckdb::FileCompressionType::GZIP : duckdb::FileCompressionType::UNCOMPRESSED));
    while (true) {
      // Doubling reads: a long header is parsed O(log n) times, not once per chunk. Never more than one
      // byte past the limit, so a header longer than the limit cannot complete.
      size_t had = data.size();
      size_t chunk = std::min(std::max<size_t>(64 << 10, had), max_bytes + 1 - had);
      data.resize(had + chunk);
      auto got = handle->Read(data.data() + had, chunk);
      data.resize(had + static_cast<size_t>(got));
      bool at_end = got == 0;
      if (auto fields = ParseCsvHeader(data, dialect, at_end)) return *fields;
      if (data.size() > max_bytes) break;
    }
  } catch (const std::exception& e) {
    duckdb::ErrorData error(e);
    throw Error(ErrorKind::kUnprocessable, "invalid_source_data", error.RawMessage());
  }
  throw ImportError(
      ErrorKind::kInvalidArgument, "invalid_file_params",
      "the header is longer than " + std::to_string(max_bytes) + " bytes; give the column names",
      DriverCode::kInvalidFileParams);
}

}  // namespace duckstore
