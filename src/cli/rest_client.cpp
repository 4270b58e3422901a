#include "duckstore/cli/rest_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <fstream>
#include <optional>

namespace duckstore::cli {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t kChunkBytes = 1 << 20;

// The server's error envelope {"error": {"code", "message"}} as an ApiError; a body of another shape keeps
// the HTTP status as the code.
ApiError ErrorOf(int status, const std::string& body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("error") && json["error"].is_object()) {
    const auto& error = json["error"];
    return ApiError(status, error.value("code", "http_" + std::to_string(status)),
                    error.value("message", "request failed"));
  }
  return ApiError(status, "http_" + std::to_string(status),
                  body.empty() ? "request failed" : body.substr(0, 500));
}

nlohmann::json JsonOf(const std::string& body) {
  if (body.empty()) return nullptr;
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded())
    throw ApiError(0, "invalid_response", "the server answered with something not JSON");
  return json;
}

// One connection, over TLS for an https:// server (the certificate verified against the system's CAs, or
// only `ca_cert` when given, and the host name checked); every failure of the network becomes
// ApiError("connection_failed"). With() hands the stream (plain socket or TLS stream) to a generic lambda.
class Connection {
 public:
  Connection(const std::string& host, const std::string& port, const std::string& url, bool tls,
             const std::string& ca_cert)
      : socket_(io_), url_(url) {
    beast::error_code ec;
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(host, port, ec);
    if (!ec) asio::connect(socket_, endpoints, ec);
    Check(ec);
    if (!tls) return;
    context_.emplace(ssl::context::tls_client);
    if (ca_cert.empty()) {
      context_->set_default_verify_paths(ec);
    } else {
      context_->load_verify_file(ca_cert, ec);
    }
    if (ec) throw ApiError(0, "invalid_ca_cert", "cannot load CA certificates: " + ec.message());
    context_->set_verify_mode(ssl::verify_peer);
    tls_.emplace(socket_, *context_);
    tls_->set_verify_callback(ssl::host_name_verification(host));
    SSL_set_tlsext_host_name(tls_->native_handle(), host.c_str());  // SNI
    tls_->handshake(ssl::stream_base::client, ec);
    Check(ec);
  }

  template <typename Body>
  decltype(auto) With(Body&& body) {
    if (tls_) return body(*tls_);
    return body(socket_);
  }

  void Check(const beast::error_code& ec) const {
    if (ec) throw ApiError(0, "connection_failed", "cannot talk to " + url_ + ": " + ec.message());
  }

  beast::flat_buffer& buffer() { return buffer_; }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  std::optional<ssl::context> context_;
  std::optional<ssl::stream<tcp::socket&>> tls_;
  beast::flat_buffer buffer_;
  std::string url_;
};

// The headers every call carries.
template <typename Request>
void SetHeaders(Request& request, const std::string& host, const std::string& api_key) {
  request.set(bhttp::field::host, host);
  request.set(bhttp::field::user_agent, "duckstore-cli/" DUCKSTORE_VERSION);
  if (!api_key.empty()) request.set(bhttp::field::authorization, "Bearer " + api_key);
}

}  // namespace

RestClient::RestClient(const std::string& url, std::string api_key, std::string ca_cert)
    : url_(url), api_key_(std::move(api_key)), ca_cert_(std::move(ca_cert)) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") || parsed->host().empty()) {
    throw ApiError(0, "invalid_url",
                   "the server URL must look like http://host:port or https://host:port, not '" + url + "'");
  }
  tls_ = parsed->scheme() == "https";
  host_ = parsed->host();
  port_ = parsed->has_port() ? std::string(parsed->port()) : (tls_ ? "443" : "80");
  prefix_ = parsed->encoded_path();
  while (prefix_.ends_with('/')) prefix_.pop_back();
}

nlohmann::json RestClient::Call(const std::string& method, const std::string& path,
                                const nlohmann::json& body) const {
  Connection connection(host_, port_, url_, tls_, ca_cert_);
  bhttp::request<bhttp::string_body> request{bhttp::string_to_verb(method), prefix_ + path, 11};
  SetHeaders(request, host_, api_key_);
  if (!body.is_null()) {
    request.set(bhttp::field::content_type, "application/json");
    request.body() = body.dump();
  }
  request.prepare_payload();
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(boost::none);
  connection.With([&](auto& stream) {
    beast::error_code ec;
    bhttp::write(stream, request, ec);
    connection.Check(ec);
    bhttp::read(stream, connection.buffer(), parser, ec);
    connection.Check(ec);
  });
  auto& response = parser.get();
  int status = static_cast<int>(response.result_int());
  if (status >= 400) throw ErrorOf(status, response.body());
  return JsonOf(response.body());
}

nlohmann::json RestClient::Upload(const std::string& path, const std::filesystem::path& file,
                                  const std::string& content_type, const ProgressFn& progress) const {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ApiError(0, "file_not_readable", "cannot read " + file.string());
  uint64_t size = std::filesystem::file_size(file);
  Connection connection(host_, port_, url_, tls_, ca_cert_);
  bhttp::request<bhttp::empty_body> request{bhttp::verb::post, prefix_ + path, 11};
  SetHeaders(request, host_, api_key_);
  request.set(bhttp::field::content_type, content_type);
  request.content_length(size);
  beast::error_code ec;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(boost::none);
  connection.With([&](auto& stream) {
    bhttp::request_serializer<bhttp::empty_body> serializer{request};
    bhttp::write_header(stream, serializer, ec);
    connection.Check(ec);
    // The body goes out in chunks read from the file: never held in memory whole.
    std::vector<char> chunk(kChunkBytes);
    uint64_t sent = 0;
    while (sent < size) {
      in.read(chunk.data(), static_cast<std::streamsize>(std::min<uint64_t>(chunk.size(), size - sent)));
      auto got = static_cast<size_t>(in.gcount());
      if (got == 0) throw ApiError(0, "file_not_readable", file.string() + " shrank while it was uploaded");
      asio::write(stream, asio::buffer(chunk.data(), got), ec);
      // A server refusing the upload early (too large, no permission) answers before reading it all.
      if (ec) break;
      sent += got;
      if (progress) progress(sent);
    }
    beast::error_code read_ec;
    bhttp::read(stream, connection.buffer(), parser, read_ec);
    connection.Check(read_ec);
  });
  auto& response = parser.get();
  int status = static_cast<int>(response.result_int());
  if (status >= 400) throw ErrorOf(status, response.body());
  connection.Check(ec);
  return JsonOf(response.body());
}

uint64_t RestClient::Download(const std::string& path, const std::filesystem::path& out,
                              const ProgressFn& progress) const {
  Connection connection(host_, port_, url_, tls_, ca_cert_);
  bhttp::request<bhttp::empty_body> request{bhttp::verb::get, prefix_ + path, 11};
  SetHeaders(request, host_, api_key_);
  bhttp::response_parser<bhttp::buffer_body> parser;
  parser.body_limit(boost::none);
  std::string error_body;
  std::ofstream file;
  int status = 0;
  uint64_t received = 0;
  connection.With([&](auto& stream) {
    beast::error_code ec;
    bhttp::write(stream, request, ec);
    connection.Check(ec);
    bhttp::read_header(stream, connection.buffer(), parser, ec);
    connection.Check(ec);
    status = static_cast<int>(parser.get().result_int());
    if (status < 400) {
      file.open(out, std::ios::binary | std::ios::trunc);
      if (!file) throw ApiError(0, "file_not_writable", "cannot write " + out.string());
    }
    std::vector<char> chunk(kChunkBytes);
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      bhttp::read(stream, connection.buffer(), parser, ec);
      if (ec == bhttp::error::need_buffer) ec = {};
      connection.Check(ec);
      size_t got = chunk.size() - parser.get().body().size;
      if (status >= 400) {
        error_body.append(chunk.data(), got);
        continue;
      }
      file.write(chunk.data(), static_cast<std::streamsize>(got));
      received += got;
      if (progress) progress(received);
    }
  });
  if (status >= 400) throw ErrorOf(status, error_body);
  file.close();
  if (!file) throw ApiError(0, "file_not_writable", "writing " + out.string() + " failed");
  return received;
}

std::string Segment(const std::string& name) {
  return boost::urls::encode(name, boost::urls::unreserved_chars);
}

std::string Query(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [name, value] : params) out += (out.empty() ? "?" : "&") + name + "=" + Segment(value);
  return out;
}

}  // namespace duckstore::cli
