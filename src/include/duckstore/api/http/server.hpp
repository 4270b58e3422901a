// The HTTP/1.1 server (Boost.Beast, C++20 coroutines).
//
// Network I/O runs on a small pool of I/O threads; handlers, which block on DuckDB and disk, run on a
// separate worker pool so a slow query never stalls other connections. Buffered bodies are read before the
// handler runs; streamed bodies (uploads) are pulled by the handler through Request::body_reader. File
// responses are written in large chunks straight from disk.
//
// Stop() is graceful: the listener closes, requests in flight get up to `shutdown_timeout` to finish,
// then remaining connections are closed.
//
// Hostile or broken peers cannot exhaust the process: every read and write has a deadline (a header must
// arrive whole within `header_read_timeout`, a body and a response must keep moving), at most
// `max_connections` connections are open (more wait in the kernel's backlog, holding no descriptor of
// ours), and a failing accept (EMFILE) backs off instead of spinning, logging at most once per 10 s.
// A request that cannot be parsed is answered 400, 414 (request line too long) or 431 (header too
// large), then the connection is closed.
//
// With a certificate (ServerOptions::tls_cert) the port speaks HTTPS only: every connection starts with a
// TLS handshake (TLS 1.2+, api/tls_context.hpp), which must complete within `header_read_timeout`; the same
// limits and deadlines then apply to the requests inside it.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "duckstore/api/http/router.hpp"

namespace duckstore::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;  // 0 = any free port
  uint32_t io_threads = 2;
  uint32_t workers = 16;
  uint64_t max_body_bytes = 64ull << 20;
  std::chrono::seconds shutdown_timeout{30};
  // A request header must arrive whole within this (counted from its first byte, or from the connection's
  // start for its first request); otherwise the connection is closed without an answer.
  std::chrono::seconds header_read_timeout{30};
  // A kept-alive connection with no next request for this long is closed.
  std::chrono::seconds idle_timeout{120};
  // A body (buffered or streamed) must move at least 64 KiB per this long, or the request fails with
  // kTimeout "body_read_timeout" (so a client sending a byte a second cannot hold a worker).
  std::chrono::seconds body_read_timeout{60};
  // Each response write (header, a chunk of up to 1 MiB) must complete within this.
  std::chrono::seconds send_timeout{60};
  // Open connections at most; 0: half the process's file-descriptor limit (RLIMIT_NOFILE), so the rest
  // stays for gRPC, databases and files.
  uint32_t max_connections = 0;
  // PEM certificate chain and private key: when set, HTTPS instead of HTTP.
  std::filesystem::path tls_cert;
  std::filesystem::path tls_key;
};

// Renders an exception that escaped a handler (or a routing failure) as a response.
using ErrorRenderer = std::function<Response(const Request&, const std::exception&)>;

class Server {
 public:
  Server(ServerOptions options, const Router& router, ErrorRenderer render_error);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving; throws if the address cannot be bound.
  void Start();
  void Stop();
  uint16_t port() const { return bound_port_; }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t bound_port_ = 0;
};

}  // namespace duckstore::http
