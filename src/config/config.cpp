#include "duckstore/config/config.hpp"
#include "duckstore/config/serve_options.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <map>

#include "duckstore/common/error.hpp"
#include "duckstore/config/options.hpp"

namespace duckstore {

namespace {

// Every `serve` option and its environment variable.
constexpr OptionSpec kOptions[] = {
    {"--data-dir", "DUCKSTORE_DATA_DIR", "data directory (catalog, project databases, files)"},
    {"--host", "DUCKSTORE_HOST", "bind address of the HTTP and gRPC listeners"},
    {"--http-port", "DUCKSTORE_HTTP_PORT", "HTTP port (REST, S3, driver over HTTP); 0 = any free port"},
    {"--http-tls", "DUCKSTORE_HTTP_TLS",
     "serve HTTPS instead of HTTP on the HTTP port (certificate: --http-tls-cert, else self-signed, "
     "generated once in the data dir)"},
    {"--http-tls-cert", "DUCKSTORE_HTTP_TLS_CERT",
     "PEM certificate chain of the HTTPS port (implies --http-tls)"},
    {"--http-tls-key", "DUCKSTORE_HTTP_TLS_KEY", "PEM private key of --http-tls-cert"},
    {"--grpc-port", "DUCKSTORE_GRPC_PORT", "gRPC port (driver, DAS, health); 0 = any free port"},
    {"--admin-key", "DUCKSTORE_ADMIN_KEY", "admin key (default: generated once and kept in the data dir)"},
    {"--master-key", "DUCKSTORE_MASTER_KEY",
     "secret deriving every API key's secret (default: generated once)"},
    {"--metrics-token", "DUCKSTORE_METRICS_TOKEN",
     "bearer token that may read GET /metrics besides the admin key (default: none)"},
    {"--log-format", "DUCKSTORE_LOG_FORMAT", "text or json"},
    {"--log-level", "DUCKSTORE_LOG_LEVEL", "trace, debug, info, warn, error"},
    {"--http-workers", "DUCKSTORE_HTTP_WORKERS", "threads running HTTP request handlers"},
    {"--max-json-body-bytes", "DUCKSTORE_MAX_JSON_BODY_BYTES", "limit of buffered request bodies"},
    {"--max-upload-bytes", "DUCKSTORE_MAX_UPLOAD_BYTES", "limit of one uploaded file or object"},
    {"--shutdown-timeout", "DUCKSTORE_SHUTDOWN_TIMEOUT", "seconds in-flight requests get on SIGTERM"},
    {"--s3-domain", "DUCKSTORE_S3_DOMAIN",
     "S3 base domain: Host '<bucket>.<domain>' is virtual-host style, Host '<domain>' path style at /"},
    {"--s3-max-skew", "DUCKSTORE_S3_MAX_SKEW", "seconds a SigV4 request's date may differ from the clock"},
    {"--project-memory-limit", "DUCKSTORE_PROJECT_MEMORY_LIMIT",
     "DuckDB memory limit of each project database"},
    {"--project-threads", "DUCKSTORE_PROJECT_THREADS", "DuckDB threads of each project database"},
    {"--memory-cap", "DUCKSTORE_MEMORY_CAP", "sum of the memory limits of the open project databases"},
    {"--max-open-projects", "DUCKSTORE_MAX_OPEN_PROJECTS", "open project databases at most"},
    {"--idle-close-seconds", "DUCKSTORE_IDLE_CLOSE_SECONDS", "close a project database unused for this long"},
    {"--das-max-batch-bytes", "DUCKSTORE_DAS_MAX_BATCH_BYTES", "largest DAS ExecuteTable response message"},
    {"--das-batch-latency-ms", "DUCKSTORE_DAS_BATCH_LATENCY_MS",
     "DAS rows waiting this long are sent in a partial batch"},
    {"--das-bulk-insert-size", "DUCKSTORE_DAS_BULK_INSERT_SIZE", "rows per DAS BulkInsertTable call"},
    {"--das-databases-dir", "DUCKSTORE_DAS_DATABASES_DIR",
     "directory of standalone DuckDB files a DAS may expose (read-only); unset: none"},
    {"--das-builtin", "DUCKSTORE_DAS_BUILTIN",
     "built-in DAS registration '<id>:<option>=<value>;...' (repeatable; the variable takes one)"},
};

// Binds `flag` (a row of kOptions) to `field` on `serve`.
template <typename Field>
void BindOption(CLI::App& serve, const char* flag, Field& field) {
  for (const auto& spec : kOptions) {
    if (std::string_view(spec.flag) != flag) continue;
    // TakeLast: environment values arrive as arguments before the command line's (EnvironmentArguments).
    serve.add_option(flag, field, std::string(spec.help) + " [env " + spec.env + "]")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
        ->capture_default_str();
    return;
  }
  throw Internal(std::string("option table lacks ") + flag);
}

}  // namespace

void MetricsOptions::AddOptions(CLI::App& serve) {
  BindOption(serve, "--metrics-token", token);
}

void MetricsOptions::Validate() const {
  if (!token.empty() && token.size() < 16) {
    throw InvalidArgument("invalid_config", "metrics-token must be at least 16 characters");
  }
}

void Config::AddOptions(CLI::App& root, CLI::App& serve) {
  // CLI11 reads config files at the top level only; `serve --config f` works through fallthrough.
  root.set_config("--config", "", "TOML config file; a [serve] table with keys named as the long flags");
  serve.fallthrough();
  auto bind = [&](const char* flag, auto& field) { BindOption(serve, flag, field); };
  bind("--data-dir", data_dir);
  bind("--host", host);
  bind("--http-port", http_port);
  for (const auto& spec : kOptions) {
    if (std::string_view(spec.flag) != "--http-tls") continue;
    serve.add_flag(spec.flag, http_tls, std::string(spec.help) + " [env " + spec.env + "]")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }
  bind("--http-tls-cert", http_tls_cert);
  bind("--http-tls-key", http_tls_key);
  bind("--grpc-port", grpc_port);
  bind("--admin-key", admin_key);
  bind("--master-key", master_key);
  bind("--log-format", log_format);
  bind("--log-level", log_level);
  bind("--http-workers", http_workers);
  bind("--max-json-body-bytes", max_json_body_bytes);
  bind("--max-upload-bytes", max_upload_bytes);
  bind("--shutdown-timeout", shutdown_timeout_seconds);
  bind("--s3-domain", s3_domain);
  bind("--s3-max-skew", s3_max_skew_seconds);
  bind("--project-memory-limit", engine.project_memory_limit);
  bind("--project-threads", engine.project_threads);
  bind("--memory-cap", engine.memory_cap);
  bind("--max-open-projects", engine.max_open_projects);
  bind("--idle-close-seconds", engine.idle_close_seconds);
  bind("--das-max-batch-bytes", das.max_batch_bytes);
  bind("--das-batch-latency-ms", das.batch_latency_ms);
  bind("--das-bulk-insert-size", das.bulk_insert_size);
  bind("--das-databases-dir", das.databases_dir);
  for (const auto& spec : kOptions) {
    if (std::string_view(spec.flag) != "--das-builtin") continue;
    serve.add_option(spec.flag, das.builtins, std::string(spec.help) + " [env " + spec.env + "]")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  }
}

std::vector<std::string> Config::EnvironmentArguments() {
  return EnvironmentArgumentsOf(kOptions);
}

uint64_t ParseByteSize(const std::string& text) {
  static const std::map<std::string, uint64_t> kUnits = {{"", 1},
                                                         {"B", 1},
                                                         {"KB", 1000},
                                                         {"MB", 1000'000},
                                                         {"GB", 1000'000'000},
                                                         {"TB", 1'000'000'000'000ull},
                                                         {"KIB", 1ull << 10},
                                                         {"MIB", 1ull << 20},
                                                         {"GIB", 1ull << 30},
                                                         {"TIB", 1ull << 40}};
  size_t pos = 0;
  while (pos < text.size() && (std::isdigit(static_cast<unsigned char>(text[pos])) || text[pos] == '.'))
    ++pos;
  std::string unit;
  for (size_t i = pos; i < text.size(); ++i) {
    if (text[i] != ' ') unit += static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
  }
  auto it = kUnits.find(unit);
  std::string number = text.substr(0, pos);
  // The number must be digits with at most one '.' and at least one digit ("." and "1.2.3" are not sizes).
  bool well_formed =
      std::count(number.begin(), number.end(), '.') <= 1 &&
      std::any_of(number.begin(), number.end(), [](unsigned char c) { return std::isdigit(c); });
  if (pos == 0 || !well_formed || it == kUnits.end()) {
    throw InvalidArgument("invalid_config", "'" + text + "' is not a size (examples: 512MB, 2GiB)");
  }
  double bytes = std::stod(number) * static_cast<double>(it->second);
  if (bytes >= 18446744073709551616.0) {  // 2^64: the cast below would be undefined
    throw InvalidArgument("invalid_config", "'" + text + "' is larger than any supported size");
  }
  return static_cast<uint64_t>(bytes);
}

void Config::Validate() const {
  auto fail = [](const std::string& message) { throw InvalidArgument("invalid_config", message); };
  if (log_format != "text" && log_format != "json") fail("log-format must be 'text' or 'json'");
  if (http_workers == 0) fail("http-workers must be at least 1");
  if (http_tls_cert.empty() != http_tls_key.empty()) fail("http-tls-cert and http-tls-key go together");
  if (engine.project_threads == 0) fail("project-threads must be at least 1");
  if (engine.max_open_projects == 0) fail("max-open-projects must be at least 1");
  if (ParseByteSize(engine.project_memory_limit) > ParseByteSize(engine.memory_cap)) {
    fail("project-memory-limit must not exceed memory-cap");
  }
  if (data_dir.empty()) fail("data-dir must not be empty");
  if (das.max_batch_bytes < 1024) fail("das-max-batch-bytes must be at least 1024");
  if (das.bulk_insert_size == 0) fail("das-bulk-insert-size must be at least 1");
  for (const auto& builtin : das.builtins) {
    if (builtin.find(':') == std::string::npos || builtin.find(':') == 0) {
      fail("das-builtin '" + builtin.substr(0, builtin.find('=')) +
           "...' must look like <id>:<option>=<value>;...");
    }
  }
}

}  // namespace duckstore
