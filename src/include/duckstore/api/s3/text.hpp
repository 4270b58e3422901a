// Small helpers the S3 codec shares: header-style trimming, ASCII case folding, and the read-ahead buffer
// of the decoders that find framing in a body (aws-chunked chunk headers and trailers, form parts).
#pragma once

#include <string>
#include <string_view>

#include "duckstore/api/http/message.hpp"

namespace duckstore::s3 {

// Without leading and trailing spaces and tabs.
inline std::string_view TrimBlanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

inline std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Bytes read ahead from a body: consumed from the front (`pos`), refilled from `source`.
struct ReadAhead {
  static constexpr size_t kReadBytes = size_t{256} * 1024;

  explicit ReadAhead(http::BodyReader& body) : source(body) {}

  // Drops the consumed bytes and appends up to kReadBytes more; false at the end of the body.
  bool Fill() {
    if (pos > 0) {
      bytes.erase(0, pos);
      pos = 0;
    }
    size_t old_size = bytes.size();
    bytes.resize(old_size + kReadBytes);
    size_t got = source.Read(bytes.data() + old_size, kReadBytes);
    bytes.resize(old_size + got);
    return got > 0;
  }
  size_t available() const { return bytes.size() - pos; }

  http::BodyReader& source;
  std::string bytes;
  size_t pos = 0;
};

}  // namespace duckstore::s3
