// HTTP byte ranges (RFC 9110 section 14): the single-range forms downloads and S3 GETs accept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace duckstore::http {

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
  // The Content-Range value of a 206 response, e.g. "bytes 0-99/1000".
  std::string ContentRange(uint64_t size) const;
};

// Parses a Range header against a representation of `size` bytes: "bytes=a-b", "bytes=a-", "bytes=-n".
// Returns nullopt when the header should be ignored (a unit other than bytes, several ranges, or a
// malformed value: RFC 9110 lets a server answer with the whole content); throws
// kRangeNotSatisfiable("invalid_range") when the range lies outside the content.
std::optional<ByteRange> ParseRange(const std::string& header, uint64_t size);

}  // namespace duckstore::http
