#include "duckstore/common/identifiers.hpp"

#include <nlohmann/json.hpp>

#include "duckdb/parser/keyword_helper.hpp"

#include "duckstore/common/error.hpp"

namespace duckstore {
namespace {

[[noreturn]] void Reject(std::string_view name, std::string_view what, const std::string& why) {
  throw InvalidArgument(
      "invalid_name", std::string(what) + " " + why,
      {{"name", IsValidUtf8(name) ? std::string(name) : "<invalid utf-8>"}, {"what", std::string(what)}});
}

}  // namespace

// DuckDB's own validator (Utf8Proc) is not part of its public headers, hence this one.
bool IsValidUtf8(std::string_view text) {
  static constexpr uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
  size_t i = 0;
  while (i < text.size()) {
    auto lead = static_cast<unsigned char>(text[i]);
    size_t extra = lead < 0x80             ? 0
                   : (lead & 0xE0) == 0xC0 ? 1
                   : (lead & 0xF0) == 0xE0 ? 2
                   : (lead & 0xF8) == 0xF0 ? 3
                                           : 4;
    if (extra == 4 || i + extra >= text.size()) return false;
    uint32_t cp = extra == 0 ? lead : lead & (0x3F >> extra);
    for (size_t k = 1; k <= extra; ++k) {
      auto cont = static_cast<unsigned char>(text[i + k]);
      if ((cont & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cont & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid.
    if (cp < kMinForLength[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

void ValidateId(std::string_view id, std::string_view what) {
  if (id.empty()) Reject(id, what, "must not be empty");
  if (id.size() > kMaxIdLength)
    Reject(id, what, "is longer than " + std::to_string(kMaxIdLength) + " characters");
  for (char c : id) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) Reject(id, what, "may contain only letters, digits, '_' and '-'");
  }
}

void ValidateObjectName(std::string_view name, std::string_view what) {
  if (name.empty()) Reject(name, what, "must not be empty");
  if (name.size() > kMaxObjectNameLength) {
    Reject(name, what, "is longer than " + std::to_string(kMaxObjectNameLength) + " bytes");
  }
  if (!IsValidUtf8(name)) Reject(name, what, "is not valid UTF-8");
  if (name == "." || name == "..") Reject(name, what, "must not be '.' or '..'");
  if (name.find("..") != std::string_view::npos) Reject(name, what, "must not contain '..'");
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\') Reject(name, what, "must not contain '/' or '\\'");
    if (u < 0x20 || u == 0x7F) Reject(name, what, "must not contain control characters");
  }
  if (name.front() == ' ' || name.back() == ' ') Reject(name, what, "must not start or end with a space");
}

std::string QuoteIdent(std::string_view name) {
  return duckdb::KeywordHelper::WriteQuoted(std::string(name), '"');
}

std::string QuoteLiteral(std::string_view text) {
  return duckdb::KeywordHelper::WriteQuoted(std::string(text), '\'');
}

}  // namespace duckstore
