// The HTTP/1.1 server (Boost.Beast, C++20 coroutines).
//
// Network I/O runs on a small pool of I/O threads; handlers, which block on DuckDB and disk, run on a
// separate worker pool so a slow query never stalls other connections. Buffered bodies are read before the
// handler runs; streamed bodies (uploads) are pulled by the handler through Request::body_reader. File
// responses are written in large chunks straight from disk.
//
// Stop() is graceful: the listener closes, requests in flight get up to `shutdown_timeout` to finish,
// then remaining connections are closed.
#pragma once

#include <atomic>
#include <chrono>
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
  // A streamed body that makes no progress for this long fails the request (kTimeout "body_read_timeout").
  std::chrono::seconds body_read_timeout{60};
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
