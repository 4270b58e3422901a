// The REST API's routes, one registration function per resource family. The OpenAPI document served at
// /openapi.json (docs/openapi.json) describes every route registered here.
//
// Every route is registered WITH its access (services/auth/entry_points.hpp), the way a driver command is:
//
//   routes.Add("DELETE", kBuckets + "/{bucket}", Access::kWrite, TargetFrom::kBranch,
//              [&s](http::Request& r, const Caller& caller) {
//                s.buckets.Delete(caller.branch, r.PathParam("bucket"), ...);
//                return http::Response::Empty(204);
//              });
//
// RestRoutes authenticates the caller, reads the target from the path ({project_id}, {branch_id}) as
// declared, authorizes it (AuthorizeEntry) and only then calls the handler with the authorized caller.
// Handlers never authorize by hand; a rule that depends on data goes through the same services (a job's
// branch: AddRecord; the buckets an import reads or an export writes: FileAccess).
#pragma once

#include <functional>
#include <string>

#include "duckstore/api/http/router.hpp"
#include "duckstore/services/services.hpp"

namespace duckstore::rest {

// The authenticated and authorized caller of a declared route.
struct Caller {
  Principal principal;  // anonymous on public routes
  BranchRef branch;     // the target the access was checked on ({"", "default"} for server-level routes)
};

using RouteHandler = std::function<http::Response(http::Request& request, const Caller& caller)>;

class RestRoutes {
 public:
  RestRoutes(http::Router& router, Services& services) : router_(router), services_(services) {}

  // A route needing `access` on the target read from the path as `target` declares (kServer, kProject,
  // kProjectAnyBranch or kBranch).
  void Add(const std::string& method, const std::string& pattern, Access access, TargetFrom target,
           RouteHandler handler, http::RouteOptions options = {});
  // A route whose target is a stored record the path names: `locate` finds its branch once the caller is
  // authenticated (a record of another project is then not found rather than forbidden, as before
  // authorization).
  void AddRecord(const std::string& method, const std::string& pattern, Access access,
                 std::function<BranchRef(const http::Request&)> locate, RouteHandler handler);
  // An unauthenticated route (liveness, readiness, the OpenAPI document).
  void AddPublic(const std::string& method, const std::string& pattern, http::Handler handler);

 private:
  void Register(const std::string& method, const std::string& pattern, EntryPoint entry,
                std::function<BranchRef(const http::Request&)> locate, RouteHandler handler,
                http::RouteOptions options);

  http::Router& router_;
  Services& services_;
};

void AddSystemRoutes(RestRoutes& routes, Services& services);
void AddProjectRoutes(RestRoutes& routes, Services& services);
void AddBucketRoutes(RestRoutes& routes, Services& services);
void AddTableRoutes(RestRoutes& routes, Services& services);
void AddBranchRoutes(RestRoutes& routes, Services& services);
void AddWorkspaceRoutes(RestRoutes& routes, Services& services);
void AddSharingRoutes(RestRoutes& routes, Services& services);
void AddFileRoutes(RestRoutes& routes, Services& services);
void AddImportRoutes(RestRoutes& routes, Services& services);

inline void AddRestRoutes(http::Router& router, Services& services) {
  RestRoutes routes(router, services);
  AddSystemRoutes(routes, services);
  AddProjectRoutes(routes, services);
  AddBucketRoutes(routes, services);
  AddTableRoutes(routes, services);
  AddBranchRoutes(routes, services);
  AddWorkspaceRoutes(routes, services);
  AddSharingRoutes(routes, services);
  AddFileRoutes(routes, services);
  AddImportRoutes(routes, services);
}

}  // namespace duckstore::rest
