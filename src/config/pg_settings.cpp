#include "duckstore/config/pg_settings.hpp"

#include <CLI/CLI.hpp>

#include "duckstore/common/error.hpp"
#include "duckstore/config/options.hpp"

namespace duckstore {
namespace {

constexpr OptionSpec kOptions[] = {
    {"--pg-port", "DUCKSTORE_PG_PORT", "PostgreSQL wire protocol port; 0 = any free port"},
    {"--pg-tls-cert", "DUCKSTORE_PG_TLS_CERT",
     "PEM certificate of the PostgreSQL listener (default: self-signed, generated once in the data dir)"},
    {"--pg-tls-key", "DUCKSTORE_PG_TLS_KEY", "PEM private key of --pg-tls-cert"},
    {"--pg-require-tls", "DUCKSTORE_PG_REQUIRE_TLS", "refuse PostgreSQL sessions without TLS"},
    {"--pg-max-sessions", "DUCKSTORE_PG_MAX_SESSIONS", "PostgreSQL connections at most"},
    {"--pg-max-message-bytes", "DUCKSTORE_PG_MAX_MESSAGE_BYTES", "largest PostgreSQL protocol message"},
};

std::string Help(const OptionSpec& spec) {
  return std::string(spec.help) + " [env " + spec.env + "]";
}

}  // namespace

void PgSettings::AddOptions(CLI::App& serve) {
  // TakeLast: environment values arrive as arguments before the command line's (EnvironmentArguments).
  auto option = [&](size_t i, auto& field) {
    serve.add_option(kOptions[i].flag, field, Help(kOptions[i]))
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
        ->capture_default_str();
  };
  option(0, port);
  option(1, tls_cert);
  option(2, tls_key);
  serve.add_flag(kOptions[3].flag, require_tls, Help(kOptions[3]))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  option(4, max_sessions);
  option(5, max_message_bytes);
}

std::vector<std::string> PgSettings::EnvironmentArguments() {
  return EnvironmentArgumentsOf(kOptions);
}

void PgSettings::Validate() const {
  auto fail = [](const std::string& message) { throw InvalidArgument("invalid_config", message); };
  if (tls_cert.empty() != tls_key.empty()) fail("pg-tls-cert and pg-tls-key go together");
  if (max_sessions == 0) fail("pg-max-sessions must be at least 1");
  if (max_message_bytes < 1024 || max_message_bytes > (1ull << 30))
    fail("pg-max-message-bytes must be between 1024 and 1 GiB");
}

}  // namespace duckstore
