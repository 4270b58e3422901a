#include "duckstore/api/pgwire/copy_format.hpp"

#include "duckstore/common/error.hpp"

namespace duckstore::pgwire {
namespace {

Error BadCopy(const std::string& message) {
  return Error(ErrorKind::kInvalidArgument, "bad_copy_file_format", message);
}

void TextField(const SqlCopy& format, const std::string& value, std::string& out) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c == format.delimiter) out += '\\';
        out += c;
    }
  }
}

void CsvField(const SqlCopy& format, const std::string& value, std::string& out) {
  bool quote = value == format.null ||
               value.find_first_of(std::string{format.delimiter, format.quote, format.escape, '\r', '\n'}) !=
                   std::string::npos;
  if (!quote) {
    out += value;
    return;
  }
  out += format.quote;
  for (char c : value) {
    if (c == format.quote || c == format.escape) out += format.escape;
    out += c;
  }
  out += format.quote;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The value of a text-format field with its backslash escapes.
std::string Unescape(const std::string& raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 == raw.size()) {
      out += raw[i];
      continue;
    }
    char c = raw[++i];
    switch (c) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x':
        if (i + 1 < raw.size() && HexDigit(raw[i + 1]) >= 0) {
          int value = HexDigit(raw[++i]);
          if (i + 1 < raw.size() && HexDigit(raw[i + 1]) >= 0) value = value * 16 + HexDigit(raw[++i]);
          out += static_cast<char>(value);
        } else {
          out += 'x';
        }
        break;
      default:
        if (c >= '0' && c <= '7') {
          int value = c - '0';
          for (int n = 0; n < 2 && i + 1 < raw.size() && raw[i + 1] >= '0' && raw[i + 1] <= '7'; ++n)
            value = value * 8 + (raw[++i] - '0');
          out += static_cast<char>(value);
        } else {
          out += c;  // \\, the delimiter, any other character: itself
        }
    }
  }
  return out;
}

}  // namespace

void AppendCopyLine(const SqlCopy& format, const CopyRow& fields, std::string& out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += format.delimiter;
    if (!fields[i]) {
      out += format.null;
    } else if (format.csv) {
      CsvField(format, *fields[i], out);
    } else {
      TextField(format, *fields[i], out);
    }
  }
  out += '\n';
}

void CopyParser::Feed(std::string_view data, const RowHandler& row) {
  for (char c : data) {
    if (ended_) return;
    if (!format_.csv) {
      if (escaped_) {
        field_ += c;
        escaped_ = false;
      } else if (c == '\\') {
        field_ += c;
        escaped_ = true;
      } else if (c == format_.delimiter) {
        EndField();
      } else if (c == '\n') {
        if (!field_.empty() && field_.back() == '\r') field_.pop_back();
        if (fields_.empty() && field_ == "\\.") {
          ended_ = true;
          return;
        }
        EndRow(row);
        continue;
      } else {
        field_ += c;
      }
      started_ = true;
      continue;
    }
    if (in_quotes_) {
      if (escaped_) {
        field_ += c;
        escaped_ = false;
      } else if (c == format_.escape && format_.escape != format_.quote) {
        escaped_ = true;
      } else if (c == format_.quote) {
        in_quotes_ = false;
        closed_quote_ = true;
      } else {
        field_ += c;
      }
      continue;
    }
    bool reopened = closed_quote_ && c == format_.quote && format_.escape == format_.quote;
    closed_quote_ = false;
    if (reopened) {  // "" inside a quoted field
      field_ += c;
      in_quotes_ = true;
    } else if (c == format_.quote) {
      in_quotes_ = quoted_ = started_ = true;
    } else if (c == format_.delimiter) {
      started_ = true;
      EndField();
    } else if (c == '\n') {
      if (fields_.empty() && !quoted_ && field_ == "\\.") {  // the end-of-data marker, as in text
        ended_ = true;
        return;
      }
      EndRow(row);
    } else if (c != '\r') {
      field_ += c;
      started_ = true;
    }
  }
}

void CopyParser::Finish(const RowHandler& row) {
  if (in_quotes_) throw BadCopy("unterminated CSV quoted field");
  if (!ended_ && (started_ || !field_.empty())) {
    if (fields_.empty() && !quoted_ && field_ == "\\.") return;
    EndRow(row);
  }
}

void CopyParser::EndField() {
  if (format_.csv) {
    if (!quoted_ && field_ == format_.null) {
      fields_.emplace_back(std::nullopt);
    } else {
      fields_.emplace_back(std::move(field_));
    }
  } else if (field_ == format_.null) {
    fields_.emplace_back(std::nullopt);
  } else {
    fields_.emplace_back(Unescape(field_));
  }
  field_.clear();
  quoted_ = false;
}

void CopyParser::EndRow(const RowHandler& row) {
  EndField();
  if (skip_header_) {
    skip_header_ = false;
  } else {
    row(fields_);
  }
  fields_.clear();
  started_ = false;
}

}  // namespace duckstore::pgwire
