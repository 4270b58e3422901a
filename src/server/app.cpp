#include "duckstore/server/app.hpp"

#include <csignal>
#include <iostream>

#include "duckstore/api/http/server.hpp"
#include "duckstore/api/rest/rest_support.hpp"
#include "duckstore/api/rest/routes.hpp"
#include "duckstore/api/s3/s3_api.hpp"
#include "duckstore/common/log.hpp"
#include "duckstore/server/grpc_server.hpp"
#include "duckstore/server/secrets.hpp"
#include "duckstore/services/services.hpp"

namespace duckstore {

struct App::State {
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Services> services;
  http::Router router;
  std::unique_ptr<http::Server> http;
  std::unique_ptr<GrpcServer> grpc;
};

App::App(Config config) : config_(std::move(config)), state_(std::make_unique<State>()) {}

App::~App() = default;

int App::Run() {
  // Block the shutdown signals in every thread started from here on; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto data = std::filesystem::absolute(config_.data_dir).lexically_normal();
  std::filesystem::create_directories(data);
  auto admin = LoadOrCreateSecret(data / "secrets" / "admin.key", config_.admin_key, "dsadmin.");
  auto master = LoadOrCreateSecret(data / "secrets" / "master.key", config_.master_key, "");

  auto& s = *state_;
  s.catalog = OpenSqliteCatalog((data / "catalog.sqlite").string());
  s.engine = std::make_unique<Engine>(data / "projects", config_.engine);
  s.services = std::make_unique<Services>(
      *s.catalog, *s.engine, data, static_cast<int64_t>(config_.max_upload_bytes), admin.value, master.value);
  s.services->objects.SweepTemporaryFiles();

  rest::AddRestRoutes(s.router, *s.services);
  s3::AddS3Routes(s.router, {s.services->auth, s.services->objects, s.services->multipart},
                  {"/s3", config_.s3_domain, std::chrono::seconds(config_.s3_max_skew_seconds)});
  http::ServerOptions http_options;
  http_options.host = config_.host;
  http_options.port = config_.http_port;
  http_options.workers = config_.http_workers;
  http_options.max_body_bytes = config_.max_json_body_bytes;
  http_options.shutdown_timeout = std::chrono::seconds(config_.shutdown_timeout_seconds);
  s.http = std::make_unique<http::Server>(http_options, s.router, rest::RenderError);
  s.http->Start();
  s.grpc = std::make_unique<GrpcServer>(config_.host, config_.grpc_port, std::vector<grpc::Service*>{});

  spdlog::info("duckstore {} serving data dir {}", DUCKSTORE_VERSION, data.string());
  spdlog::info("HTTP on {}:{}, gRPC on {}:{}", config_.host, s.http->port(), config_.host, s.grpc->port());
  // One machine-readable line on stdout for scripts and tests (ports may have been chosen by the OS).
  std::cout << "duckstore ready http=" << config_.host << ":" << s.http->port() << " grpc=" << config_.host
            << ":" << s.grpc->port() << std::endl;
  if (admin.generated) {
    std::cout << "admin key (shown once, stored in " << (data / "secrets" / "admin.key").string()
              << "): " << admin.value << std::endl;
  }

  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("received {}, shutting down", received == SIGTERM ? "SIGTERM" : "SIGINT");
  auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(config_.shutdown_timeout_seconds);
  s.http->Stop();
  s.grpc->Shutdown(deadline);
  s.engine->CloseAll();  // checkpoints every open project database
  spdlog::info("shutdown complete");
  return 0;
}

}  // namespace duckstore
