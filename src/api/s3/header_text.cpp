#include "duckstore/api/s3/header_text.hpp"

#include <optional>

#include "duckstore/common/checksum.hpp"

namespace duckstore::s3 {
namespace {

// The length of the valid UTF-8 sequence starting `text`, 0 when it is not one.
size_t Utf8SequenceLength(std::string_view text) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  size_t length = lead < 0x80           ? 1
                  : (lead >> 5) == 0x6  ? 2
                  : (lead >> 4) == 0xe  ? 3
                  : (lead >> 3) == 0x1e ? 4
                                        : 0;
  if (length == 0 || length > text.size() || (length == 2 && lead < 0xc2)) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return 0;
  }
  return length;
}

bool IsValidUtf8(std::string_view text) {
  while (!text.empty()) {
    size_t length = Utf8SequenceLength(text);
    if (length == 0) return false;
    text.remove_prefix(length);
  }
  return true;
}

void AppendCodePoint(std::string& out, uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else {
    out += static_cast<char>(0xc0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3f));
  }
}

std::string Latin1ToUtf8(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) AppendCodePoint(out, c);
  return out;
}

// One "=?charset?B|Q?text?=" encoded-word (UTF-8 or ISO-8859-1), decoded to UTF-8; nullopt otherwise.
std::optional<std::string> DecodeEncodedWord(std::string_view word) {
  if (!word.starts_with("=?") || !word.ends_with("?=") || word.size() < 8) return std::nullopt;
  std::string_view inner = word.substr(2, word.size() - 4);
  size_t first = inner.find('?');
  if (first == std::string_view::npos || first + 2 >= inner.size() || inner[first + 2] != '?')
    return std::nullopt;
  std::string charset(inner.substr(0, first));
  for (char& c : charset) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  char encoding = static_cast<char>(std::toupper(static_cast<unsigned char>(inner[first + 1])));
  std::string_view payload = inner.substr(first + 3);
  std::string bytes;
  if (encoding == 'B') {
    auto decoded = Base64Decode(payload);
    if (!decoded) return std::nullopt;
    bytes = *decoded;
  } else if (encoding == 'Q') {
    for (size_t i = 0; i < payload.size(); ++i) {
      if (payload[i] == '_') {
        bytes += ' ';
      } else if (payload[i] == '=' && i + 2 < payload.size() &&
                 std::isxdigit(static_cast<unsigned char>(payload[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(payload[i + 2]))) {
        bytes += static_cast<char>(std::stoi(std::string(payload.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        bytes += payload[i];
      }
    }
  } else {
    return std::nullopt;
  }
  if (charset == "UTF-8" && IsValidUtf8(bytes)) return bytes;
  if (charset == "ISO-8859-1" || charset == "LATIN1") return Latin1ToUtf8(bytes);
  return std::nullopt;
}

// A value made only of encoded-words, separated by white space, which is dropped between them (RFC 2047
// section 6.2); nullopt when it is anything else.
std::optional<std::string> DecodeEncodedWords(std::string_view raw) {
  std::string out;
  while (!raw.empty()) {
    if (!raw.starts_with("=?")) return std::nullopt;
    size_t charset_end = raw.find('?', 2);
    size_t encoding_end =
        charset_end == std::string_view::npos ? charset_end : raw.find('?', charset_end + 1);
    size_t end = encoding_end == std::string_view::npos ? encoding_end : raw.find("?=", encoding_end + 1);
    if (end == std::string_view::npos) return std::nullopt;
    auto word = DecodeEncodedWord(raw.substr(0, end + 2));
    if (!word) return std::nullopt;
    out += *word;
    raw.remove_prefix(end + 2);
    while (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) raw.remove_prefix(1);
  }
  return out;
}

}  // namespace

std::string HeaderValueToUtf8(std::string_view raw) {
  if (raw.starts_with("=?")) {
    if (auto decoded = DecodeEncodedWords(raw)) return *decoded;
  }
  return IsValidUtf8(raw) ? std::string(raw) : Latin1ToUtf8(raw);
}

std::string Utf8ToHeaderValue(std::string_view text) {
  std::string latin1;
  bool fits = true;
  for (std::string_view rest = text; !rest.empty();) {
    size_t length = Utf8SequenceLength(rest);
    auto byte = [&](size_t i) { return static_cast<unsigned char>(rest[i]); };
    if (length == 1) {
      latin1 += rest[0];
    } else if (length == 2 && byte(0) <= 0xc3) {
      latin1 += static_cast<char>(((byte(0) & 0x1f) << 6) | (byte(1) & 0x3f));
    } else {
      fits = false;
      break;
    }
    rest.remove_prefix(length);
  }
  if (fits) return latin1;
  return "=?UTF-8?B?" + Base64Encode(text) + "?=";
}

}  // namespace duckstore::s3
