// The HTTP codec boundary: requests and responses as handlers see them, independent of Boost.Beast.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace duckstore::http {

// Reads a request body incrementally; for uploads that must not be held in memory.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Reads up to `size` bytes into `buffer`; returns 0 at the end of the body. Throws on I/O errors.
  virtual size_t Read(char* buffer, size_t size) = 0;
};

// Header names are matched case-insensitively; stored lower-cased.
class Headers {
 public:
  void Set(std::string name, std::string value);
  void Add(std::string name, std::string value);
  const std::string* Find(std::string_view name) const;
  std::string Get(std::string_view name, const std::string& fallback = "") const;
  const std::vector<std::pair<std::string, std::string>>& all() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

struct Request {
  std::string method;                                      // upper case
  std::string target;                                      // raw request target (path + query), as received
  std::string path;                                        // percent-decoded path
  std::string raw_path;                                    // path as received (S3 signs the encoded form)
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  Headers headers;
  std::string body;                   // buffered body (routes without streaming)
  BodyReader* body_reader = nullptr;  // streaming routes only
  std::optional<uint64_t> content_length;
  std::string request_id;
  std::string remote_address;
  std::map<std::string, std::string> path_params;  // filled by the router
  // The operation label of the request metrics: the route template, which a handler serving many
  // operations under one route (S3) refines. From a bounded set: never a name the caller chose.
  std::string operation;

  const std::string* QueryParam(std::string_view name) const;
  const std::string& PathParam(const std::string& name) const;
};

// A response body streamed from a range of a file (downloads, S3 GET): never loaded whole. The handler
// opens the file, so an object overwritten or deleted (its blob unlinked) after the handler decided on the
// response still streams the content it decided on.
class OpenFile {
 public:
  explicit OpenFile(int fd) : fd_(fd) {}
  ~OpenFile();
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// A body sent from files: pieces of one or more files, in order (an object stored in several blobs).
struct FileBody {
  struct Piece {
    std::shared_ptr<const OpenFile> file;
    uint64_t offset = 0;
    uint64_t length = 0;
  };

  // Appends `length` bytes of the file at `path` from `offset`; kNotFound("blob_missing") when the file
  // cannot be opened.
  void Append(const std::filesystem::path& path, uint64_t offset, uint64_t length);

  std::vector<Piece> pieces;
  uint64_t length = 0;  // of all pieces together
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  std::optional<FileBody> file;
  // True for HEAD responses and others whose Content-Length describes a body that is not sent.
  bool omit_body = false;
  // Not sent: the stable error code of a failed request, for the request metrics (set by error renderers).
  std::string error_code;

  static Response Json(int status, const std::string& json_text);
  static Response Empty(int status);
};

using Handler = std::function<Response(Request&)>;

}  // namespace duckstore::http
