#include "duckstore/api/ui/ui_routes.hpp"

#include "duckstore/api/ui/assets.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::ui {
namespace {

// Scripts, styles, images and calls from this origin only; no inline script or style, no plugins, no
// framing, no form posts elsewhere. The key never leaves sessionStorage except in Authorization headers.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src "
    "'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

http::Response Serve(std::string_view path) {
  for (const auto& asset : Assets()) {
    if (asset.path != path) continue;
    http::Response response;
    response.body = std::string(asset.body);
    response.headers.Set("content-type", std::string(asset.content_type));
    response.headers.Set("content-security-policy", kContentSecurityPolicy);
    response.headers.Set("x-content-type-options", "nosniff");
    response.headers.Set("x-frame-options", "DENY");
    response.headers.Set("referrer-policy", "no-referrer");
    response.headers.Set("cache-control", "no-cache");
    return response;
  }
  throw NotFound("ui_asset_not_found", "the dashboard has no file '" + std::string(path) + "'");
}

}  // namespace

void AddUiRoutes(http::Router& router) {
  // Static files, public by design: every call the pages make is a REST call with the user's key.
  auto ui_entry = [](const char* operation) {
    return EntryPoint{"ui", operation, Credentials::kNone, Access::kRead, TargetFrom::kNone};
  };
  // "/ui" and "/ui/" (the router ignores a trailing slash) are the index page; its links are absolute.
  router.Add("GET", "/ui", ui_entry("GET /ui"), [](http::Request&) { return Serve("index.html"); });
  router.Add("GET", "/ui/{path...}", ui_entry("GET /ui/{path...}"),
             [](http::Request& request) { return Serve(request.PathParam("path")); });
}

}  // namespace duckstore::ui
