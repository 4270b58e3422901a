// The command-line client's connection to a server: REST calls over HTTP/1.1 or HTTPS (Boost.Beast, one
// connection per call), JSON in and out, streamed uploads from a file and downloads to a file with progress
// callbacks. A response with status >= 400 throws ApiError carrying the server's stable error code; a server
// that cannot be reached throws ApiError with code "connection_failed".
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace duckstore::cli {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  int status() const { return status_; }  // 0 when no response arrived
  const std::string& code() const { return code_; }

 private:
  int status_;
  std::string code_;
};

// Called with the bytes moved so far.
using ProgressFn = std::function<void(uint64_t done)>;

class RestClient {
 public:
  // `url`: http://host[:port] or https://host[:port] (a trailing path is a prefix of every call); an https
  // server's certificate must verify against the system's CAs, or against the PEM file `ca_cert` alone when
  // given (a self-signed server's .crt). Throws ApiError("invalid_url").
  RestClient(const std::string& url, std::string api_key, std::string ca_cert = "");

  // `path` is absolute ("/projects"), already encoded (see Segment). Returns the JSON body (null when empty).
  nlohmann::json Call(const std::string& method, const std::string& path,
                      const nlohmann::json& body = nullptr) const;
  // Streams `file` as the request body.
  nlohmann::json Upload(const std::string& path, const std::filesystem::path& file,
                        const std::string& content_type, const ProgressFn& progress) const;
  // Streams the response body into `out` (replaced); returns its size.
  uint64_t Download(const std::string& path, const std::filesystem::path& out,
                    const ProgressFn& progress) const;

  const std::string& url() const { return url_; }

 private:
  std::string url_, host_, port_, prefix_, api_key_, ca_cert_;
  bool tls_ = false;
};

// One path segment, percent-encoded ("in.c-a/b" -> "in.c-a%2Fb").
std::string Segment(const std::string& name);
// "?a=1&b=x" from pairs (values encoded); empty when there are none.
std::string Query(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace duckstore::cli
