// Server configuration: one struct, filled from (lowest to highest precedence) built-in defaults, an
// optional TOML config file (--config), DUCKSTORE_* environment variables, and command-line flags.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace duckstore {

struct EngineLimits {
  std::string project_memory_limit = "2GB";  // DuckDB memory_limit of each project database
  uint32_t project_threads = 2;              // DuckDB threads of each project database
  std::string memory_cap = "8GB";            // sum of the memory limits of all open project databases
  uint32_t max_open_projects = 64;
  uint32_t idle_close_seconds = 300;  // an unused project database is closed (checkpointed) after this
};

// The DAS (Data Access Service) listener's settings; docs/design/das.md.
struct DasSettings {
  // Largest ExecuteTable response message; a client's own max_batch_size_bytes lowers it to 3/4 of that.
  uint32_t max_batch_bytes = 1u << 20;
  uint32_t batch_latency_ms = 100;  // rows waiting this long are sent even if the batch is not full
  uint32_t bulk_insert_size = 500;  // GetBulkInsertTableSize: rows per BulkInsertTable call
  // Registrations made at startup: "<id>:<option>=<value>;<option>=<value>...", e.g.
  // "sales:project_id=p1;api_key=DSK...;buckets=in.c-sales".
  std::vector<std::string> builtins;
  // Directory of standalone DuckDB files the admin key may register (option `database`); empty: none.
  std::filesystem::path databases_dir;
};

struct Config {
  std::filesystem::path data_dir = "./data";
  std::string host = "127.0.0.1";  // bind address of every listener
  uint16_t http_port = 8000;
  // HTTPS on the HTTP port: with this certificate and key, or (both empty) the self-signed one of the data
  // dir. A certificate implies HTTPS.
  bool http_tls = false;
  std::filesystem::path http_tls_cert;
  std::filesystem::path http_tls_key;
  uint16_t grpc_port = 50051;
  std::string admin_key;   // DUCKSTORE_ADMIN_KEY; generated and stored in the data dir when empty
  std::string master_key;  // DUCKSTORE_MASTER_KEY; derives S3 secrets; generated when empty
  std::string log_format = "text";
  std::string log_level = "info";
  uint32_t http_workers = 16;                  // threads running request handlers
  uint64_t max_json_body_bytes = 64ull << 20;  // buffered (non-upload) request bodies
  uint64_t max_upload_bytes = 10ull << 30;     // streamed uploads (files, S3 objects)
  uint32_t shutdown_timeout_seconds = 30;      // in-flight requests get this long on SIGTERM
  std::string s3_domain = "s3.localhost";      // virtual-host style S3: Host "<bucket>.<s3_domain>"
  uint32_t s3_max_skew_seconds = 900;          // SigV4 clock-skew window
  EngineLimits engine;
  DasSettings das;

  // Registers the `serve` options on `serve` (a subcommand of `root`), bound to the fields of this config,
  // and --config on `root`: a TOML file whose [serve] table holds the same keys as the long flags.
  void AddOptions(CLI::App& root, CLI::App& serve);
  // DUCKSTORE_* variables as `--flag=value` arguments. Placed between `serve` and the command line's own
  // arguments, they give the documented precedence: defaults < config file < environment < flags (CLI11
  // alone would let a config file override the environment).
  static std::vector<std::string> EnvironmentArguments();
  // Checks ranges and formats after parsing; throws Error(kInvalidArgument, "invalid_config").
  void Validate() const;
};

// Parses a DuckDB-style size ("512MB", "2GiB", "1000000") into bytes; throws on malformed input.
uint64_t ParseByteSize(const std::string& text);

}  // namespace duckstore
