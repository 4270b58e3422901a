// The start of a PostgreSQL connection, up to the first ReadyForQuery: SSLRequest (TLS when configured),
// GSSENCRequest (declined with 'N'), CancelRequest, the startup packet (protocol 3.0; newer minors get
// NegotiateProtocolVersion), TLS enforcement, the per-address login throttle, SCRAM-SHA-256[-PLUS]
// against the workspace users' verifiers, and the session's opening messages (ParameterStatus,
// BackendKeyData). Failures throw: ProtocolError (08P01 ...) or Error; the caller sends them as FATAL and
// closes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "duckstore/api/pgwire/channel.hpp"
#include "duckstore/api/pgwire/throttle.hpp"
#include "duckstore/services/workspaces/sql_session.hpp"

namespace duckstore::pgwire {

// A login's startup packet.
struct LoginRequest {
  std::string user;
  std::string database;                                      // the startup packet's, defaulting to the user
  std::string peer;                                          // the client's address
  std::vector<std::pair<std::string, std::string>> options;  // the rest of the startup packet
};

struct StartupSettings {
  boost::asio::ssl::context* tls = nullptr;  // null: SSLRequest is answered 'N'
  std::string tls_end_point;                 // hash of the server certificate (channel binding)
  bool require_tls = false;
  std::string mock_key;  // derives the mock SCRAM salt of unknown users
};

struct Started {
  std::optional<CancelRequest> cancel;  // the connection only carried a CancelRequest
  LoginRequest login;
  std::unique_ptr<SqlSession> session;  // set unless `cancel`
};

// Runs the startup phase; nullopt when the peer went away before logging in.
std::optional<Started> RunStartup(Wire& wire, const StartupSettings& settings, SqlSessionService& sessions,
                                  LoginThrottle& throttle);

// Sends the opening messages of an authenticated session: AuthenticationOk, ParameterStatus, BackendKeyData.
void SendSessionStart(Wire& wire, const LoginRequest& login, int32_t pid, int32_t secret);

}  // namespace duckstore::pgwire
