#include "duckstore/server/app.hpp"

#include <sys/resource.h>

#include <csignal>
#include <iostream>

#include "duckstore/api/das/services.hpp"
#include "duckstore/api/driver/transport.hpp"
#include "duckstore/api/http/server.hpp"
#include "duckstore/api/pgwire/server.hpp"
#include "duckstore/api/rest/rest_support.hpp"
#include "duckstore/api/rest/routes.hpp"
#include "duckstore/api/s3/s3_api.hpp"
#include "duckstore/api/ui/ui_routes.hpp"
#include "duckstore/common/log.hpp"
#include "duckstore/common/metrics/process.hpp"
#include "duckstore/common/random.hpp"
#include "duckstore/server/grpc_server.hpp"
#include "duckstore/server/secrets.hpp"
#include "duckstore/server/tls_cert.hpp"
#include "duckstore/services/services.hpp"
#include "duckstore/services/workspaces/sql_session.hpp"
#include "duckstore/storage/catalog/sqlite_catalog.hpp"

namespace duckstore {
namespace {

// A built-in registration that cannot be made (unknown project, bad key) is logged and skipped: the
// server still serves everything else.
void RegisterBuiltinDas(DasRegistry& registry, const DasSettings& settings) {
  for (const auto& spec : settings.builtins) {
    auto [id, definition] = ParseBuiltinDas(spec);
    try {
      registry.AddBuiltin(id, definition);
      spdlog::info("built-in DAS '{}' registered", id);
    } catch (const std::exception& e) {
      spdlog::error("built-in DAS '{}' not registered: {}", id, e.what());
    }
  }
}

// How many projects get a series of their own in the per-project gauges; the others are summed into
// project="_other" (docs/design/operations.md), so a server of thousands of projects exports N + 1 series.
constexpr size_t kProjectMetricsTopN = 20;

// Gauges read from the engine and the catalog at each scrape. Registered once per process: the registry
// outlives the App, and no scrape can arrive once the HTTP listener has stopped.
void RegisterEngineMetrics(Engine& engine, ObjectCatalog& objects) {
  auto& registry = metrics::Registry::Default();
  auto& open = registry.Gauge("duckstore_open_project_databases", "Project DuckDB databases open now.");
  auto& reserved = registry.Gauge("duckstore_engine_memory_reserved_bytes",
                                  "Sum of the DuckDB memory limits of the open project databases.");
  auto& cap =
      registry.Gauge("duckstore_engine_memory_cap_bytes",
                     "The cap on the sum of the open project databases' memory limits (--memory-cap).");
  auto& memory = registry.Gauge("duckstore_project_memory_bytes",
                                "Memory held by an open project database's DuckDB buffer manager (top " +
                                    std::to_string(kProjectMetricsTopN) + " projects, the rest as _other).",
                                {"project"});
  auto& object_bytes =
      registry.Gauge("duckstore_project_object_bytes",
                     "Bytes of the objects in a project's buckets (top " +
                         std::to_string(kProjectMetricsTopN) + " projects, the rest as _other).",
                     {"project"});
  auto& object_count =
      registry.Gauge("duckstore_project_objects",
                     "Objects in a project's buckets (top " + std::to_string(kProjectMetricsTopN) +
                         " projects, the rest as _other).",
                     {"project"});
  registry.OnCollect([&engine, &open, &reserved, &cap, &memory] {
    auto stats = engine.Stats();
    open.With().Set(static_cast<double>(stats.open_projects));
    reserved.With().Set(static_cast<double>(stats.memory_reserved_bytes));
    cap.With().Set(static_cast<double>(stats.memory_cap_bytes));
    std::vector<std::pair<std::string, double>> used;
    for (const auto& project : engine.MemoryByProject())
      used.emplace_back(project.project_id, static_cast<double>(project.used_bytes));
    memory.SetTop(std::move(used), kProjectMetricsTopN);
  });
  registry.OnCollect([&objects, &object_bytes, &object_count] {
    std::vector<std::pair<std::string, double>> bytes, count;
    for (const auto& usage : objects.ObjectUsageByProject()) {
      bytes.emplace_back(usage.project_id, static_cast<double>(usage.bytes));
      count.emplace_back(usage.project_id, static_cast<double>(usage.objects));
    }
    object_bytes.SetTop(std::move(bytes), kProjectMetricsTopN);
    object_count.SetTop(std::move(count), kProjectMetricsTopN);
  });
}

// The door of each gRPC service in the request metrics: DAS per RPC; the driver counts its commands itself.
std::vector<GrpcDoor> GrpcDoors() {
  std::vector<GrpcDoor> doors{
      {keboola::storageDriver::service::StorageDriverService::service_full_name(), "driver", true}};
  for (const char* das :
       {das::pb::HealthCheckService::service_full_name(), das::pb::RegistrationService::service_full_name(),
        das::pb::TablesService::service_full_name(), das::pb::FunctionsService::service_full_name()}) {
    doors.push_back({das, "das"});
  }
  return doors;
}

// Raises the soft descriptor limit to the hard one: connections, databases and files all need descriptors,
// and running out is worse than any other limit. gRPC 1.51 stops listening on a socket whose accept failed
// with EMFILE and never resumes (grpc/grpc#20418), so the HTTP door's connection cap (half this limit) is
// what keeps the process from getting there; see docs/design/reliability.md.
void RaiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  spdlog::info("open file limit: {}", limit.rlim_cur);
}

}  // namespace

struct App::State {
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Services> services;
  std::unique_ptr<driver::Dispatcher> driver;
  std::unique_ptr<driver::GrpcDriverService> driver_grpc;
  http::Router router;
  std::unique_ptr<http::Server> http;
  std::unique_ptr<das::DasServices> das;
  std::unique_ptr<GrpcServer> grpc;
  std::unique_ptr<SqlSessionService> sql_sessions;
  std::unique_ptr<pgwire::Server> pg;
};

App::App(Config config, MetricsOptions metrics, PgSettings pg)
    : config_(std::move(config)),
      metrics_(std::move(metrics)),
      pg_(std::move(pg)),
      state_(std::make_unique<State>()) {}

App::~App() = default;

int App::Run() {
  // Block the shutdown signals in every thread started from here on; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  RaiseOpenFileLimit();
  auto data = std::filesystem::absolute(config_.data_dir).lexically_normal();
  std::filesystem::create_directories(data);
  auto admin = LoadOrCreateSecret(data / "secrets" / "admin.key", config_.admin_key, "dsadmin.");
  auto master = LoadOrCreateSecret(data / "secrets" / "master.key", config_.master_key, "");

  metrics::RegisterProcessMetrics(metrics::Registry::Default(), DUCKSTORE_VERSION);
  auto& s = *state_;
  s.catalog = OpenSqliteCatalog((data / "catalog.sqlite").string());
  s.engine = std::make_unique<Engine>(data / "projects", config_.engine);
  s.services =
      std::make_unique<Services>(*s.catalog, *s.engine, data, static_cast<int64_t>(config_.max_upload_bytes),
                                 admin.value, master.value, config_.das.databases_dir);
  s.services->objects.SweepLeftovers();
  RegisterEngineMetrics(*s.engine, *s.catalog);

  s.driver = std::make_unique<driver::Dispatcher>(*s.services);
  s.driver_grpc = std::make_unique<driver::GrpcDriverService>(*s.driver);

  rest::AddRestRoutes(s.router, *s.services);
  rest::AddMetricsRoute(s.router, *s.services, metrics_.token);
  ui::AddUiRoutes(s.router);
  driver::AddDriverRoute(s.router, *s.driver);
  s3::AddS3Routes(s.router, {s.services->auth, s.services->objects, s.services->multipart},
                  {"/s3", config_.s3_domain, std::chrono::seconds(config_.s3_max_skew_seconds)});
  http::ServerOptions http_options;
  http_options.host = config_.host;
  http_options.port = config_.http_port;
  http_options.workers = config_.http_workers;
  http_options.max_body_bytes = config_.max_json_body_bytes;
  http_options.shutdown_timeout = std::chrono::seconds(config_.shutdown_timeout_seconds);
  bool https = config_.http_tls || !config_.http_tls_cert.empty();
  if (https) {
    auto files = config_.http_tls_cert.empty()
                     ? LoadOrCreateSelfSignedCertificate(data / "secrets", config_.host, "http-server")
                     : TlsFiles{config_.http_tls_cert, config_.http_tls_key};
    http_options.tls_cert = files.cert;
    http_options.tls_key = files.key;
  }
  s.http = std::make_unique<http::Server>(http_options, s.router, rest::RenderError);
  s.http->Start();
  s.das = std::make_unique<das::DasServices>(s.services->das_registry, s.services->das, config_.das);
  RegisterBuiltinDas(s.services->das_registry, config_.das);
  std::vector<grpc::Service*> grpc_services{s.driver_grpc.get()};
  for (auto* service : s.das->All()) grpc_services.push_back(service);
  s.grpc = std::make_unique<GrpcServer>(config_.host, config_.grpc_port, grpc_services, GrpcDoors());

  s.sql_sessions = std::make_unique<SqlSessionService>(
      s.services->branches, s.services->sharing, s.services->workspace_access, s.services->sql_sessions);
  pgwire::ServerOptions pg_options;
  pg_options.host = config_.host;
  pg_options.port = pg_.port;
  auto tls = pg_.tls_cert.empty()
                 ? LoadOrCreateSelfSignedCertificate(data / "secrets", config_.host, "pg-server")
                 : TlsFiles{pg_.tls_cert, pg_.tls_key};
  pg_options.tls_cert = tls.cert;
  pg_options.tls_key = tls.key;
  pg_options.require_tls = pg_.require_tls;
  pg_options.max_sessions = pg_.max_sessions;
  pg_options.limits.max_message_bytes = static_cast<uint32_t>(pg_.max_message_bytes);
  pg_options.shutdown_timeout = std::chrono::seconds(config_.shutdown_timeout_seconds);
  // Unknown users' mock SCRAM salts derive from the master key: stable across restarts, unguessable.
  pg_options.mock_key = HmacSha256(master.value, "pgwire mock scram salt");
  s.pg = std::make_unique<pgwire::Server>(pg_options, *s.sql_sessions);
  s.pg->Start();

  spdlog::info("duckstore {} serving data dir {}", DUCKSTORE_VERSION, data.string());
  spdlog::info("{} on {}:{}, gRPC on {}:{}", https ? "HTTPS" : "HTTP", config_.host, s.http->port(),
               config_.host, s.grpc->port());
  // One machine-readable line on stdout for scripts and tests (ports may have been chosen by the OS).
  std::cout << "duckstore ready " << (https ? "https=" : "http=") << config_.host << ":" << s.http->port()
            << " grpc=" << config_.host << ":" << s.grpc->port() << " pg=" << config_.host << ":"
            << s.pg->port() << '\n'
            << std::flush;
  if (admin.generated) {
    std::cout << "admin key (shown once, stored in " << (data / "secrets" / "admin.key").string()
              << "): " << admin.value << '\n'
              << std::flush;
  }

  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("received {}, shutting down", received == SIGTERM ? "SIGTERM" : "SIGINT");
  auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(config_.shutdown_timeout_seconds);
  s.http->Stop();
  s.grpc->Shutdown(deadline);
  s.pg->Stop();
  s.services->jobs.Shutdown();  // interrupts running imports/exports before the databases close
  s.engine->CloseAll();         // checkpoints every open project database
  s.services->standalone.CloseAll();
  spdlog::info("shutdown complete");
  return 0;
}

}  // namespace duckstore
