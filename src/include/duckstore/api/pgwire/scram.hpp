// The server side of SASL SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802, RFC 7677, channel binding
// tls-server-end-point of RFC 5929) as PostgreSQL runs it, from a stored verifier: the server never sees
// or keeps a password.
//
// One exchange: ClientFirst (the SASLInitialResponse) answers the server-first-message, ClientFinal (the
// SASLResponse) checks the proof and answers the server-final-message. A malformed message throws
// ProtocolError (08P01); a wrong proof, a failed channel binding or a downgrade attempt throws
// ScramFailed. For an unknown user the exchange runs on a mock secret (a salt derived from the user name,
// so probing it twice gives the same answer) and fails at the proof exactly like a wrong password.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "duckstore/services/auth/password.hpp"

namespace duckstore::pgwire {

inline constexpr const char* kScramSha256 = "SCRAM-SHA-256";
inline constexpr const char* kScramSha256Plus = "SCRAM-SHA-256-PLUS";

class ScramFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ScramServer {
 public:
  // `secret` nullopt: the user is unknown (see above; `user` and `mock_key` derive the mock salt).
  // `channel_binding`: the tls-server-end-point data (the hash of the server certificate) when the session
  // runs over TLS; then -PLUS is offered. `server_nonce` is random unless given (tests).
  ScramServer(std::optional<ScramSecret> secret, std::string_view user, std::string_view mock_key,
              std::optional<std::string> channel_binding, std::optional<std::string> server_nonce = {});

  // The mechanisms to offer in AuthenticationSASL, preferred first.
  std::vector<std::string> Mechanisms() const;
  std::string ClientFirst(std::string_view mechanism, std::string_view message);
  std::string ClientFinal(std::string_view message);

 private:
  ScramSecret secret_;
  bool known_;
  std::optional<std::string> channel_binding_;
  std::string server_nonce_;
  bool plus_ = false;
  std::string gs2_header_;
  std::string client_first_bare_;
  std::string server_first_;
  std::string nonce_;
};

}  // namespace duckstore::pgwire
