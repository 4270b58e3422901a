// The PostgreSQL protocol listener: accepts connections on --host/--pg-port, one thread per connection
// (startup.hpp, then protocol.hpp), TLS from a certificate and key file, a global session cap (FATAL 53300
// beyond it), and graceful Stop: no new connections, idle sessions get FATAL 57P01, statements in flight
// get `shutdown_timeout` to finish before they are interrupted. Every connection is registered in the
// service's SqlSessionRegistry (its pid, CancelRequest routing, listing); a session the registry ended
// gets FATAL with the registry's reason (57P01, 25P03) and its connection closes.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "duckstore/api/pgwire/codec.hpp"
#include "duckstore/services/workspaces/sql_session.hpp"

namespace duckstore::pgwire {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;               // 0 = any free port
  std::filesystem::path tls_cert;  // PEM; empty: no TLS (SSLRequest answered 'N')
  std::filesystem::path tls_key;
  bool require_tls = false;
  Limits limits;
  uint32_t max_sessions = 100;
  std::chrono::seconds shutdown_timeout{30};
  std::string mock_key;  // secret that derives mock SCRAM salts (unknown users look like known ones)
};

class Server {
 public:
  Server(ServerOptions options, SqlSessionService& sessions);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting; throws if the address cannot be bound or the TLS files do not load.
  void Start();
  void Stop();
  uint16_t port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace duckstore::pgwire
