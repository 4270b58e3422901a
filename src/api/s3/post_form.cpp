#include "duckstore/api/s3/post_form.hpp"

#include <cstring>

#include "duckstore/api/s3/text.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::s3 {
namespace {

constexpr size_t kMaxField = size_t{64} * 1024;
constexpr size_t kMaxFields = 1 << 20;
constexpr size_t kMaxPartHeaders = size_t{8} * 1024;

Error Malformed(const std::string& message) {
  return InvalidArgument("malformed_post_request",
                         "the body of your POST request is not well-formed "
                         "multipart/form-data: " +
                             message);
}

// The value of parameter `name` in a header value such as `form-data; name="key"; filename="a.txt"`.
std::optional<std::string> HeaderParameter(std::string_view value, std::string_view name) {
  size_t at = 0;
  while ((at = value.find(';', at)) != std::string_view::npos) {
    std::string_view rest = TrimBlanks(value.substr(++at));
    size_t eq = rest.find('=');
    if (eq == std::string_view::npos || AsciiLower(TrimBlanks(rest.substr(0, eq))) != name) continue;
    std::string_view raw = TrimBlanks(rest.substr(eq + 1));
    if (raw.starts_with('"')) {
      size_t close = raw.find('"', 1);
      if (close == std::string_view::npos) return std::nullopt;
      return std::string(raw.substr(1, close - 1));
    }
    return std::string(raw.substr(0, raw.find(';')));
  }
  return std::nullopt;
}

}  // namespace

PostForm::PostForm(http::BodyReader& body, std::string_view content_type) : ahead_(body) {
  if (AsciiLower(TrimBlanks(content_type.substr(0, content_type.find(';')))) != "multipart/form-data") {
    throw Malformed("the Content-Type must be multipart/form-data");
  }
  auto boundary = HeaderParameter(content_type, "boundary");
  if (!boundary || boundary->empty()) throw Malformed("the Content-Type names no boundary");
  delimiter_ = "\r\n--" + *boundary;
  // The first delimiter opens the body without its CRLF: read as if one preceded it.
  ahead_.bytes = "\r\n";
  size_t total = 0;
  for (;;) {
    size_t at = FindDelimiter(kMaxField + delimiter_.size());
    if (at == std::string::npos) throw Malformed("a field is too long or the form ends early");
    ahead_.pos = at + delimiter_.size();
    while (ahead_.bytes.size() - ahead_.pos < 2) {
      if (!ahead_.Fill()) throw Malformed("the form ends after a delimiter");
    }
    if (ahead_.bytes.compare(ahead_.pos, 2, "--") == 0) throw Malformed("the form has no file field");
    std::string name, filename;
    bool is_file = false;
    ReadPartHeaders(name, filename, is_file);
    if (is_file) {
      filename_ = filename;
      return;
    }
    size_t end = FindDelimiter(kMaxField);
    if (end == std::string::npos) throw Malformed("field '" + name + "' is longer than 64 KiB");
    std::string value = ahead_.bytes.substr(ahead_.pos, end - ahead_.pos);
    total += value.size();
    if (total > kMaxFields) throw Malformed("the fields exceed 1 MiB");
    fields_.emplace_back(AsciiLower(name), std::move(value));
    ahead_.pos = end;
  }
}

size_t PostForm::FindDelimiter(size_t limit) {
  for (;;) {
    size_t at = ahead_.bytes.find(delimiter_, ahead_.pos);
    if (at != std::string::npos) return at - ahead_.pos <= limit ? at : std::string::npos;
    if (ahead_.bytes.size() - ahead_.pos > limit + delimiter_.size() || !ahead_.Fill())
      return std::string::npos;
  }
}

// At the CRLF after a delimiter: the part's headers up to the blank line.
void PostForm::ReadPartHeaders(std::string& name, std::string& filename, bool& is_file) {
  size_t end;
  while ((end = ahead_.bytes.find("\r\n\r\n", ahead_.pos)) == std::string::npos) {
    if (ahead_.bytes.size() - ahead_.pos > kMaxPartHeaders) throw Malformed("part headers too long");
    if (!ahead_.Fill()) throw Malformed("the form ends inside part headers");
  }
  size_t start = ahead_.pos + 2;  // after the delimiter's CRLF
  std::string_view headers =
      end > start ? std::string_view(ahead_.bytes.data() + start, end - start) : std::string_view();
  std::optional<std::string> field_name;
  while (!headers.empty()) {
    size_t line_end = headers.find("\r\n");
    std::string_view line = headers.substr(0, line_end);
    headers = line_end == std::string_view::npos ? std::string_view() : headers.substr(line_end + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos ||
        AsciiLower(TrimBlanks(line.substr(0, colon))) != "content-disposition")
      continue;
    std::string_view value = line.substr(colon + 1);
    field_name = HeaderParameter(value, "name");
    if (auto file = HeaderParameter(value, "filename")) {
      filename = *file;
      is_file = true;
    }
  }
  if (!field_name) throw Malformed("a part has no Content-Disposition name");
  name = *field_name;
  // S3 takes the field named "file" as the content, whether or not it carries a filename.
  if (AsciiLower(name) == "file") is_file = true;
  ahead_.pos = end + 4;
}

size_t PostForm::Read(char* buffer, size_t size) {
  while (!file_done_) {
    size_t at = ahead_.bytes.find(delimiter_, ahead_.pos);
    // Without a delimiter in sight, hand out all but a tail that could be the start of one.
    size_t safe = at != std::string::npos ? at
                  : ahead_.bytes.size() >= ahead_.pos + delimiter_.size()
                      ? ahead_.bytes.size() - delimiter_.size() + 1
                      : ahead_.pos;
    if (safe > ahead_.pos) {
      size_t n = std::min(size, safe - ahead_.pos);
      std::memcpy(buffer, ahead_.bytes.data() + ahead_.pos, n);
      ahead_.pos += n;
      return n;
    }
    if (at != std::string::npos) {
      file_done_ = true;
      // The fields after the file are ignored, as S3 does; read them so the connection can be reused.
      while (ahead_.Fill()) ahead_.pos = ahead_.bytes.size();
      break;
    }
    if (!ahead_.Fill()) throw Malformed("the form ends inside the file");
  }
  return 0;
}

const std::string* PostForm::Field(std::string_view name) const {
  std::string lower = AsciiLower(name);
  for (const auto& [field, value] : fields_) {
    if (field == lower) return &value;
  }
  return nullptr;
}

std::string PostForm::ObjectKey() const {
  const std::string* field = Field("key");
  if (!field || field->empty()) {
    throw InvalidArgument("invalid_argument", "Bucket POST must contain a field named 'key'.",
                          {{"ArgumentName", "key"}});
  }
  std::string key = *field;
  constexpr std::string_view kFilename = "${filename}";
  if (size_t at = key.find(kFilename); at != std::string::npos) key.replace(at, kFilename.size(), filename_);
  return key;
}

}  // namespace duckstore::s3
