// The REST API's routes, one registration function per resource family. The OpenAPI document served at
// /openapi.json (docs/openapi.json) describes every route registered here.
#pragma once

#include "duckstore/api/http/router.hpp"
#include "duckstore/services/services.hpp"

namespace duckstore::rest {

void AddSystemRoutes(http::Router& router, Services& services);
void AddProjectRoutes(http::Router& router, Services& services);
void AddBucketRoutes(http::Router& router, Services& services);
void AddTableRoutes(http::Router& router, Services& services);
void AddBranchRoutes(http::Router& router, Services& services);
void AddWorkspaceRoutes(http::Router& router, Services& services);
void AddSharingRoutes(http::Router& router, Services& services);
void AddFileRoutes(http::Router& router, Services& services);
void AddImportRoutes(http::Router& router, Services& services);
// GET /metrics (Prometheus text or OpenMetrics), readable with the admin key or `metrics_token` (when set).
void AddMetricsRoute(http::Router& router, Services& services, std::string metrics_token);

inline void AddRestRoutes(http::Router& router, Services& services) {
  AddSystemRoutes(router, services);
  AddProjectRoutes(router, services);
  AddBucketRoutes(router, services);
  AddTableRoutes(router, services);
  AddBranchRoutes(router, services);
  AddWorkspaceRoutes(router, services);
  AddSharingRoutes(router, services);
  AddFileRoutes(router, services);
  AddImportRoutes(router, services);
}

}  // namespace duckstore::rest
