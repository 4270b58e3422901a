// Maps method + path to handlers. Patterns are literal segments and {name} captures ("/projects/{id}");
// a pattern ending in "/{name...}" captures the rest of the path. A route may ask for a streamed body
// (uploads); otherwise the server buffers the body up to the configured limit before calling it.
// Host routes (S3 virtual-host style, where the Host header names a bucket) are tried first, then prefix
// routes, then the patterns.
// Every route is registered WITH its access declaration (services/auth/entry_points.hpp): who may call it is
// part of the route, listed by EntryPoints() for the coverage and authorization matrix tests.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "duckstore/api/http/message.hpp"
#include "duckstore/services/auth/entry_points.hpp"

namespace duckstore::http {

struct RouteOptions {
  bool stream_body = false;
};

struct RouteMatch {
  const Handler* handler = nullptr;
  RouteOptions options;
  std::map<std::string, std::string> params;
  bool path_matched_other_method = false;  // for 405
};

// A registered route as EntryPoints() lists it: prefix routes have method "*" and pattern "<prefix>/...",
// host routes method "*" and pattern "host:" + the entry point's operation.
struct DeclaredRoute {
  std::string method;
  std::string pattern;
  EntryPoint entry;
};

class Router {
 public:
  void Add(const std::string& method, const std::string& pattern, EntryPoint entry, Handler handler,
           RouteOptions options = {});
  // A handler for every method and path under `prefix` (the S3 API); tried before the routes.
  void AddPrefix(const std::string& prefix, EntryPoint entry, Handler handler, RouteOptions options = {});
  // A handler for every request whose Host header value (port included, as received) `matches` accepts.
  void AddHost(std::function<bool(std::string_view host)> matches, EntryPoint entry, Handler handler,
               RouteOptions options = {});
  // Every route with its declaration: host routes, prefix routes, then patterns, each in registration order.
  std::vector<DeclaredRoute> EntryPoints() const;
  // `raw_path` is the path as received (percent-encoded); `path` its decoded form (for prefixes); `host` the
  // Host header's value.
  RouteMatch Match(const std::string& method, const std::string& raw_path, const std::string& path,
                   std::string_view host = {}) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
    RouteOptions options;
  };
  struct PrefixRoute {
    std::string prefix;
    Handler handler;
    RouteOptions options;
  };
  struct HostRoute {
    std::function<bool(std::string_view)> matches;
    Handler handler;
    RouteOptions options;
  };
  std::vector<DeclaredRoute> declared_hosts_, declared_prefixes_, declared_routes_;
  std::vector<HostRoute> hosts_;
  std::vector<Route> routes_;
  std::vector<PrefixRoute> prefixes_;
};

}  // namespace duckstore::http
