// The multipart/form-data body of a browser upload (S3 POST Object, docs/design/s3.md "POST uploads"):
// the form's fields up to its file field, then the file's content as a stream, never held in memory.
// As S3 does, fields after the file are ignored.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "duckstore/api/http/message.hpp"
#include "duckstore/api/s3/text.hpp"

namespace duckstore::s3 {

class PostForm final : public http::BodyReader {
 public:
  // Reads the fields before the file (each at most 64 KiB, 1 MiB together) from `body`, whose Content-Type
  // is `content_type`. Throws malformed_post_request when the body is not multipart/form-data with a
  // boundary, is malformed, or has no file field.
  PostForm(http::BodyReader& body, std::string_view content_type);

  // A field by name (case-insensitive), null when absent.
  const std::string* Field(std::string_view name) const;
  // The fields before the file, names lower-cased, in form order.
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  // The file field's filename parameter (S3 substitutes it for "${filename}" in the key).
  const std::string& filename() const { return filename_; }
  // The object key: the "key" field, with "${filename}" standing for the file's name; invalid_argument
  // when the form has none.
  std::string ObjectKey() const;

  // The file's content; 0 at its end.
  size_t Read(char* buffer, size_t size) override;

 private:
  size_t FindDelimiter(size_t limit);  // position of the next delimiter, npos when not within `limit` bytes
  void ReadPartHeaders(std::string& name, std::string& filename, bool& is_file);

  ReadAhead ahead_;
  std::string delimiter_;  // "\r\n--<boundary>"
  std::vector<std::pair<std::string, std::string>> fields_;
  std::string filename_;
  bool file_done_ = false;
};

}  // namespace duckstore::s3
