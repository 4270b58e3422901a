// Maps method + path to handlers. Patterns are literal segments and {name} captures ("/projects/{id}");
// a pattern ending in "/{name...}" captures the rest of the path. A route may ask for a streamed body
// (uploads); otherwise the server buffers the body up to the configured limit before calling it.
// Each route names the door and operation its requests are counted under in the request metrics.
// Host routes (S3 virtual-host style, where the Host header names a bucket) are tried first, then prefix
// routes, then the patterns.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "duckstore/api/http/message.hpp"

namespace duckstore::http {

struct RouteOptions {
  bool stream_body = false;
  // The door the request metrics count the route under (common/metrics/requests.hpp).
  std::string door = "rest";
  // The door counts its requests itself at a deeper single place (the driver dispatcher, per command); the
  // server then records only the route's bytes.
  bool self_recorded = false;
};

struct RouteMatch {
  const Handler* handler = nullptr;
  RouteOptions options;
  std::string operation;  // "<METHOD> <pattern>" for pattern routes, the door for prefix and host routes
  std::map<std::string, std::string> params;
  bool path_matched_other_method = false;  // for 405
};

class Router {
 public:
  void Add(const std::string& method, const std::string& pattern, Handler handler, RouteOptions options = {});
  // A handler for every method and path under `prefix` (the S3 API); tried before the routes.
  void AddPrefix(const std::string& prefix, Handler handler, RouteOptions options = {});
  // A handler for every request whose Host header value (port included, as received) `matches` accepts.
  void AddHost(std::function<bool(std::string_view host)> matches, Handler handler,
               RouteOptions options = {});
  // `raw_path` is the path as received (percent-encoded); `path` its decoded form (for prefixes); `host` the
  // Host header's value.
  RouteMatch Match(const std::string& method, const std::string& raw_path, const std::string& path,
                   std::string_view host = {}) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
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
  std::vector<HostRoute> hosts_;
  std::vector<Route> routes_;
  std::vector<PrefixRoute> prefixes_;
};

}  // namespace duckstore::http
