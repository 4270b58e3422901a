// Settings of the PostgreSQL wire listener (docs/design/pgwire.md): `serve` options --pg-* with their
// DUCKSTORE_PG_* variables, under the same precedence as Config's (defaults < config file < environment <
// flags). Kept beside Config rather than in it so that the listener's settings do not touch the header
// every storage and service file includes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace duckstore {

struct PgSettings {
  uint16_t port = 5433;            // 0 = any free port
  std::filesystem::path tls_cert;  // PEM certificate and key; empty: a self-signed pair in data/secrets
  std::filesystem::path tls_key;
  bool require_tls = false;  // refuse sessions without TLS
  uint32_t max_sessions = 100;
  uint64_t max_message_bytes = 64ull << 20;  // any message but CopyData

  void AddOptions(CLI::App& serve);
  // DUCKSTORE_PG_* variables as `--flag=value` arguments (see Config::EnvironmentArguments).
  static std::vector<std::string> EnvironmentArguments();
  // Throws Error(kInvalidArgument, "invalid_config").
  void Validate() const;
};

}  // namespace duckstore
