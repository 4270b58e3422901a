// RestRoutes: declared routes -> authenticate, resolve the declared target, authorize, then the handler.
#include <stdexcept>

#include "duckstore/api/rest/rest_support.hpp"
#include "duckstore/api/rest/routes.hpp"

namespace duckstore::rest {
namespace {

// The target a path names, as `target` declares it.
BranchRef PathTarget(TargetFrom target, const http::Request& r) {
  switch (target) {
    case TargetFrom::kServer:
      return BranchRef{"", kDefaultBranch};
    case TargetFrom::kProject:
    case TargetFrom::kProjectAnyBranch:
      return BranchRef{r.PathParam("project_id"), kDefaultBranch};
    case TargetFrom::kBranch:
      return BranchOf(r);
    default:
      throw std::logic_error(std::string("a REST route cannot read a target of kind ") + ToString(target) +
                             " from its path");
  }
}

}  // namespace

void RestRoutes::Add(const std::string& method, const std::string& pattern, Access access, TargetFrom target,
                     RouteHandler handler, http::RouteOptions options) {
  EntryPoint entry{"rest", method + " " + pattern, Credentials::kApiKey, access, target};
  Register(
      method, pattern, std::move(entry), [target](const http::Request& r) { return PathTarget(target, r); },
      std::move(handler), options);
}

void RestRoutes::AddRecord(const std::string& method, const std::string& pattern, Access access,
                           std::function<BranchRef(const http::Request&)> locate, RouteHandler handler) {
  EntryPoint entry{"rest", method + " " + pattern, Credentials::kApiKey, access, TargetFrom::kRecord};
  Register(method, pattern, std::move(entry), std::move(locate), std::move(handler), {});
}

void RestRoutes::AddPublic(const std::string& method, const std::string& pattern, http::Handler handler) {
  EntryPoint entry{"rest", method + " " + pattern, Credentials::kNone, Access::kRead, TargetFrom::kNone};
  router_.Add(method, pattern, std::move(entry), std::move(handler));
}

void RestRoutes::Register(const std::string& method, const std::string& pattern, EntryPoint entry,
                          std::function<BranchRef(const http::Request&)> locate, RouteHandler handler,
                          http::RouteOptions options) {
  Services& s = services_;
  auto authorized = [&s, entry, locate = std::move(locate), handler = std::move(handler)](http::Request& r) {
    Caller caller{Authenticate(s, r), {}};
    caller.branch = locate(r);
    AuthorizeEntry(s.auth, caller.principal, entry, caller.branch);
    return handler(r, caller);
  };
  router_.Add(method, pattern, std::move(entry), std::move(authorized), options);
}

}  // namespace duckstore::rest
