#include "duckstore/api/pgwire/startup.hpp"

#include "duckstore/api/pgwire/access.hpp"
#include "duckstore/api/pgwire/scram.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::pgwire {
namespace {

Error Fatal(const std::string& code, const std::string& message) {
  return Error(ErrorKind::kUnauthenticated, code, message);
}

// The next 'p' message of the authentication exchange.
std::string_view AuthenticationMessage(Wire& wire) {
  auto frame = wire.Read(false);
  if (!frame) throw ProtocolError("the connection closed during authentication");
  if (frame->type != 'p')
    throw ProtocolError("expected a SASL response, got message type '" + std::string(1, frame->type) + "'");
  return frame->body;
}

// SCRAM; throws Error("invalid_password") with one message for a wrong user and a wrong password.
void Authenticate(Wire& wire, const StartupSettings& settings, SqlSessionService& sessions,
                  const EntryPoint& entry, const LoginRequest& login, bool tls) {
  std::optional<ScramSecret> secret;
  if (auto verifier = sessions.Verifier(entry, login.user, login.database))
    secret = ParseScramVerifier(*verifier);
  std::optional<std::string> binding;
  if (tls) binding = settings.tls_end_point;
  ScramServer scram(secret, login.user, settings.mock_key, binding);
  wire.out().AuthenticationSasl(scram.Mechanisms());
  wire.Flush();
  auto initial = ParseSaslInitialResponse(AuthenticationMessage(wire));
  if (!initial.data) throw ProtocolError("SASLInitialResponse without data");
  auto failed = Fatal("invalid_password", "password authentication failed for user \"" + login.user + "\"");
  try {
    wire.out().AuthenticationSaslContinue(scram.ClientFirst(initial.mechanism, *initial.data));
    wire.Flush();
    wire.out().AuthenticationSaslFinal(scram.ClientFinal(AuthenticationMessage(wire)));
  } catch (const ScramFailed&) {
    throw failed;
  }
}

}  // namespace

std::optional<Started> RunStartup(Wire& wire, const StartupSettings& settings, SqlSessionService& sessions,
                                  LoginThrottle& throttle) {
  bool tls = false;
  bool negotiated_tls = false, negotiated_gss = false;
  StartupMessage startup;
  const EntryPoint* entry = nullptr;  // the login's declaration
  while (true) {
    auto frame = wire.Read(true);
    if (!frame) return std::nullopt;
    auto packet = ParseStartup(frame->body);
    if (std::holds_alternative<SslRequest>(packet)) {
      if (negotiated_tls || tls) throw ProtocolError("SSLRequest sent twice");
      negotiated_tls = true;
      // TLS bytes must not follow buffered plaintext: a client may not send anything before our answer.
      if (wire.HasBuffered()) throw ProtocolError("data received before the TLS handshake");
      wire.channel().Write(settings.tls ? "S" : "N");
      if (settings.tls) {
        wire.channel().StartTls(*settings.tls);
        tls = true;
      }
      continue;
    }
    if (std::holds_alternative<GssEncRequest>(packet)) {
      if (negotiated_gss) throw ProtocolError("GSSENCRequest sent twice");
      negotiated_gss = true;
      wire.channel().Write("N");
      continue;
    }
    if (auto* cancel = std::get_if<CancelRequest>(&packet)) return Started{*cancel, {}, nullptr};
    entry = &PgEntryOf(packet);
    startup = std::get<StartupMessage>(std::move(packet));
    break;
  }
  if (startup.version >> 16 != 3) {
    throw ProtocolError("unsupported frontend protocol " + std::to_string(startup.version >> 16) + "." +
                            std::to_string(startup.version & 0xFFFF) + ": server supports 3.0",
                        "0A000");
  }
  LoginRequest login;
  login.peer = wire.channel().peer();
  std::vector<std::string> unknown_options;
  for (auto& [name, value] : startup.parameters) {
    if (name == "user") {
      login.user = value;
    } else if (name == "database") {
      login.database = value;
    } else if (name.starts_with("_pq_.")) {
      unknown_options.push_back(name);
    } else {
      login.options.emplace_back(name, value);
    }
  }
  if (login.user.empty())
    throw Fatal("invalid_authorization_specification", "no PostgreSQL user name specified in startup packet");
  if (login.database.empty()) login.database = login.user;
  // A newer minor version or protocol options: say what we speak, then go on in 3.0.
  if ((startup.version & 0xFFFF) != 0 || !unknown_options.empty()) {
    wire.out().NegotiateProtocolVersion(0, unknown_options);
  }
  if (settings.require_tls && !tls) {
    throw Fatal("invalid_authorization_specification",
                "connections without TLS are refused: use sslmode=require or stronger");
  }
  if (!throttle.Allowed(login.peer)) {
    throw Fatal("invalid_authorization_specification",
                "too many failed logins from this address; try again later");
  }
  try {
    Authenticate(wire, settings, sessions, *entry, login, tls);
  } catch (const Error& e) {
    if (e.code() == "invalid_password") throttle.Failed(login.peer);
    throw;
  }
  Started started;
  started.session = sessions.Open(*entry, login.user, login.database);
  started.session->ApplyStartupParameters(login.options);
  started.login = std::move(login);
  return started;
}

void SendSessionStart(Wire& wire, const LoginRequest& login, int32_t pid, int32_t secret) {
  auto& out = wire.out();
  out.AuthenticationOk();
  std::string application_name;
  for (const auto& [name, value] : login.options) {
    if (name == "application_name") application_name = value;
  }
  // What libpq, psycopg and pgjdbc expect to learn at startup (the GUC_REPORT parameters).
  const std::pair<const char*, std::string> kParameters[] = {
      {"server_version", "15.0"},
      {"server_encoding", "UTF8"},
      {"client_encoding", "UTF8"},
      {"DateStyle", "ISO, MDY"},
      {"IntervalStyle", "postgres"},
      {"TimeZone", "UTC"},
      {"integer_datetimes", "on"},
      {"standard_conforming_strings", "on"},
      {"is_superuser", "off"},
      {"session_authorization", login.user},
      {"application_name", application_name},
      {"default_transaction_read_only", "off"},
      {"in_hot_standby", "off"},
  };
  for (const auto& [name, value] : kParameters) out.ParameterStatus(name, value);
  out.BackendKeyData(pid, secret);
}

}  // namespace duckstore::pgwire
