// COPY's text and CSV data formats (PostgreSQL's, as psql \copy, psycopg and pgjdbc's CopyManager send
// and expect them), for COPY ... TO STDOUT and COPY ... FROM STDIN. Fields are PostgreSQL text encodings
// (types.hpp); nullopt is NULL. The options come from the COPY statement (services/workspaces, SqlCopy).
//
// Text: fields separated by the delimiter (tab), NULL as \N, backslash escapes for backslash, newline,
// carriage return, tab and the delimiter (\b \f \v, octal \NNN and hex \xHH are read too); a line "\."
// ends the data. CSV: fields quoted when they hold the delimiter, the quote, a line break or equal the NULL
// string (empty by default), a quote inside quotes doubled (or escaped by ESCAPE); an unquoted field equal
// to the NULL string is NULL; quoted fields may span lines; a line "\." ends the data too.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "duckstore/services/workspaces/sql_session.hpp"

namespace duckstore::pgwire {

using CopyRow = std::vector<std::optional<std::string>>;

// Appends `fields` as one line of `format` to `out`.
void AppendCopyLine(const SqlCopy& format, const CopyRow& fields, std::string& out);

// Splits COPY FROM STDIN data, arriving in pieces of any size, into rows. Throws
// Error(kInvalidArgument, "bad_copy_file_format") for malformed data (an unterminated quoted field).
class CopyParser {
 public:
  using RowHandler = std::function<void(const CopyRow&)>;
  explicit CopyParser(const SqlCopy& format) : format_(format), skip_header_(format.header) {}

  void Feed(std::string_view data, const RowHandler& row);
  // The end of the data: a last line without its line break is a row too.
  void Finish(const RowHandler& row);

 private:
  void EndField();
  void EndRow(const RowHandler& row);

  SqlCopy format_;
  bool skip_header_;
  bool ended_ = false;  // "\." seen (text)
  CopyRow fields_;
  std::string field_;          // text: the raw field (escapes kept); CSV: the field's value
  bool escaped_ = false;       // text: the previous byte was an unpaired backslash; CSV: ESCAPE inside quotes
  bool in_quotes_ = false;     // CSV
  bool quoted_ = false;        // CSV: the field had quotes (so it is never NULL)
  bool closed_quote_ = false;  // CSV: a quote just closed (a second one is a literal quote)
  bool started_ = false;       // the row has content (a field or a delimiter)
};

}  // namespace duckstore::pgwire
