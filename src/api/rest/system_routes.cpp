// /, /health, /ready, /openapi.json: unauthenticated service endpoints.
#include "duckstore/api/rest/openapi.hpp"
#include "duckstore/api/rest/rest_support.hpp"
#include "duckstore/api/rest/routes.hpp"

namespace duckstore::rest {

void AddSystemRoutes(RestRoutes& routes, Services& s) {
  routes.AddPublic("GET", "/", [](http::Request&) {
    return Json(200, {{"service", "duckstore"},
                      {"version", DUCKSTORE_VERSION},
                      {"health", "/health"},
                      {"ready", "/ready"},
                      {"openapi", "/openapi.json"}});
  });
  // Liveness: the process answers.
  routes.AddPublic("GET", "/health", [](http::Request&) {
    return Json(200, {{"status", "ok"}, {"version", DUCKSTORE_VERSION}});
  });
  // Readiness: the catalog answers and the engine can run a query.
  routes.AddPublic("GET", "/ready", [&s](http::Request&) {
    nlohmann::json checks = nlohmann::json::object();
    bool ready = true;
    auto check = [&](const char* name, const std::function<void()>& probe) {
      try {
        probe();
        checks[name] = "ok";
      } catch (const std::exception& e) {
        checks[name] = e.what();
        ready = false;
      }
    };
    check("catalog", [&] { s.catalog.GetSetting("schema"); });
    check("engine", [&] { s.engine.Probe(); });
    auto stats = s.engine.Stats();
    return Json(ready ? 200 : 503, {{"status", ready ? "ready" : "not_ready"},
                                    {"checks", checks},
                                    {"open_projects", stats.open_projects},
                                    {"memory_reserved_bytes", stats.memory_reserved_bytes},
                                    {"memory_cap_bytes", stats.memory_cap_bytes}});
  });
  routes.AddPublic("GET", "/openapi.json",
                   [](http::Request&) { return http::Response::Json(200, std::string(OpenApiDocument())); });
}

}  // namespace duckstore::rest
