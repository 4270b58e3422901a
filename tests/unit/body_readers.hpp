// Body readers for the unit tests of code that streams request bodies (the S3 payload, POST form and
// aws-chunked decoders): a string served in small pieces, like a socket, and a drain of a whole reader.
#pragma once

#include <algorithm>
#include <cstring>
#include <string>

#include "duckstore/api/http/message.hpp"

namespace duckstore::testing {

// Serves a string in small pieces, like a socket.
class StringReader final : public http::BodyReader {
 public:
  explicit StringReader(std::string data, size_t piece) : data_(std::move(data)), piece_(piece) {}
  size_t Read(char* buffer, size_t size) override {
    size_t n = std::min({size, piece_, data_.size() - position_});
    std::memcpy(buffer, data_.data() + position_, n);
    position_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t piece_;
  size_t position_ = 0;
};

// Everything `reader` yields, read in odd-sized pieces.
inline std::string DrainAll(http::BodyReader& reader) {
  std::string out;
  char buffer[7000];
  while (size_t n = reader.Read(buffer, sizeof(buffer))) out.append(buffer, n);
  return out;
}

}  // namespace duckstore::testing
