#include "duckstore/config/config.hpp"

#include <CLI/CLI.hpp>

#include <cctype>
#include <map>

#include "duckstore/common/error.hpp"

namespace duckstore {

void Config::AddOptions(CLI::App& app) {
  app.set_config("--config", "", "TOML config file (keys as the long flag names, e.g. http-port = 8000)");
  auto opt = [&](const char* flag, auto& field, const char* env, const char* help) {
    app.add_option(flag, field, help)->envname(env)->capture_default_str();
  };
  opt("--data-dir", data_dir, "DUCKSTORE_DATA_DIR", "data directory (catalog, project databases, files)");
  opt("--host", host, "DUCKSTORE_HOST", "bind address of the HTTP and gRPC listeners");
  opt("--http-port", http_port, "DUCKSTORE_HTTP_PORT", "HTTP port (REST, S3, driver over HTTP); 0 = any free port");
  opt("--grpc-port", grpc_port, "DUCKSTORE_GRPC_PORT", "gRPC port (driver, DAS, health); 0 = any free port");
  app.add_option("--admin-key", admin_key, "admin key (default: generated once and kept in the data dir)")
      ->envname("DUCKSTORE_ADMIN_KEY");
  app.add_option("--master-key", master_key, "secret that derives S3 secret keys (default: generated once)")
      ->envname("DUCKSTORE_MASTER_KEY");
  opt("--log-format", log_format, "DUCKSTORE_LOG_FORMAT", "text or json");
  opt("--log-level", log_level, "DUCKSTORE_LOG_LEVEL", "trace, debug, info, warn, error");
  opt("--http-workers", http_workers, "DUCKSTORE_HTTP_WORKERS", "threads running HTTP request handlers");
  opt("--max-json-body-bytes", max_json_body_bytes, "DUCKSTORE_MAX_JSON_BODY_BYTES", "limit of buffered bodies");
  opt("--max-upload-bytes", max_upload_bytes, "DUCKSTORE_MAX_UPLOAD_BYTES", "limit of one uploaded file or object");
  opt("--shutdown-timeout", shutdown_timeout_seconds, "DUCKSTORE_SHUTDOWN_TIMEOUT",
      "seconds in-flight requests get on SIGTERM");
  opt("--project-memory-limit", engine.project_memory_limit, "DUCKSTORE_PROJECT_MEMORY_LIMIT",
      "DuckDB memory limit of each project database");
  opt("--project-threads", engine.project_threads, "DUCKSTORE_PROJECT_THREADS", "DuckDB threads of each project database");
  opt("--memory-cap", engine.memory_cap, "DUCKSTORE_MEMORY_CAP", "sum of memory limits of the open project databases");
  opt("--max-open-projects", engine.max_open_projects, "DUCKSTORE_MAX_OPEN_PROJECTS", "open project databases at most");
  opt("--idle-close-seconds", engine.idle_close_seconds, "DUCKSTORE_IDLE_CLOSE_SECONDS",
      "close a project database unused for this long");
}

uint64_t ParseByteSize(const std::string& text) {
  static const std::map<std::string, uint64_t> kUnits = {
      {"", 1},         {"B", 1},           {"KB", 1000},       {"MB", 1000'000},      {"GB", 1000'000'000},
      {"TB", 1'000'000'000'000ull}, {"KIB", 1ull << 10}, {"MIB", 1ull << 20}, {"GIB", 1ull << 30}, {"TIB", 1ull << 40}};
  size_t pos = 0;
  while (pos < text.size() && (std::isdigit(static_cast<unsigned char>(text[pos])) || text[pos] == '.')) ++pos;
  std::string unit;
  for (size_t i = pos; i < text.size(); ++i) {
    if (text[i] != ' ') unit += static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
  }
  auto it = kUnits.find(unit);
  if (pos == 0 || it == kUnits.end()) {
    throw InvalidArgument("invalid_config", "'" + text + "' is not a size (examples: 512MB, 2GiB)");
  }
  return static_cast<uint64_t>(std::stod(text.substr(0, pos)) * static_cast<double>(it->second));
}

void Config::Validate() const {
  auto fail = [](const std::string& message) { throw InvalidArgument("invalid_config", message); };
  if (log_format != "text" && log_format != "json") fail("log-format must be 'text' or 'json'");
  if (http_workers == 0) fail("http-workers must be at least 1");
  if (engine.project_threads == 0) fail("project-threads must be at least 1");
  if (engine.max_open_projects == 0) fail("max-open-projects must be at least 1");
  if (ParseByteSize(engine.project_memory_limit) > ParseByteSize(engine.memory_cap)) {
    fail("project-memory-limit must not exceed memory-cap");
  }
  if (data_dir.empty()) fail("data-dir must not be empty");
}

}  // namespace duckstore
