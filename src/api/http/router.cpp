#include "duckstore/api/http/router.hpp"

#include <boost/url/pct_string_view.hpp>

namespace duckstore::http {
namespace {

// Splits a raw (still percent-encoded) path and decodes each segment, so an encoded '/' stays inside its
// segment. A segment that is not valid percent-encoding is kept as is (it then matches only literally).
std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string raw = path.substr(start, end - start);
    auto encoded = boost::urls::make_pct_string_view(raw);
    segments.push_back(encoded ? encoded->decode() : raw);
    start = end + 1;
  }
  if (!segments.empty() && segments.back().empty()) segments.pop_back();  // trailing slash
  return segments;
}

bool IsCapture(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Matches `path` against `pattern`; fills `params` on success.
bool MatchSegments(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                   std::map<std::string, std::string>& params) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    const std::string& segment = pattern[i];
    if (IsCapture(segment) && segment.ends_with("...}")) {
      std::string rest;
      for (size_t j = i; j < path.size(); ++j) rest += (j == i ? "" : "/") + path[j];
      if (rest.empty()) return false;
      params[segment.substr(1, segment.size() - 5)] = rest;
      return true;
    }
    if (i >= path.size()) return false;
    if (IsCapture(segment)) {
      if (path[i].empty()) return false;
      params[segment.substr(1, segment.size() - 2)] = path[i];
    } else if (segment != path[i]) {
      return false;
    }
  }
  return pattern.size() == path.size();
}

}  // namespace

void Router::Add(const std::string& method, const std::string& pattern, EntryPoint entry, Handler handler,
                 RouteOptions options) {
  declared_routes_.push_back(DeclaredRoute{method, pattern, std::move(entry)});
  routes_.push_back(Route{method, Split(pattern), std::move(handler), options});
}

void Router::AddPrefix(const std::string& prefix, EntryPoint entry, Handler handler, RouteOptions options) {
  declared_prefixes_.push_back(DeclaredRoute{"*", prefix + "/...", std::move(entry)});
  prefixes_.push_back(PrefixRoute{prefix, std::move(handler), options});
}

void Router::AddHost(std::function<bool(std::string_view host)> matches, EntryPoint entry, Handler handler,
                     RouteOptions options) {
  declared_hosts_.push_back(DeclaredRoute{"*", "host:" + entry.operation, std::move(entry)});
  hosts_.push_back(HostRoute{std::move(matches), std::move(handler), options});
}

std::vector<DeclaredRoute> Router::EntryPoints() const {
  std::vector<DeclaredRoute> out(declared_hosts_);
  out.insert(out.end(), declared_prefixes_.begin(), declared_prefixes_.end());
  out.insert(out.end(), declared_routes_.begin(), declared_routes_.end());
  return out;
}

RouteMatch Router::Match(const std::string& method, const std::string& raw_path, const std::string& path,
                         std::string_view host) const {
  RouteMatch match;
  for (const auto& route : hosts_) {
    if (!host.empty() && route.matches(host)) {
      match.handler = &route.handler;
      match.options = route.options;
      return match;
    }
  }
  for (const auto& prefix : prefixes_) {
    if (path == prefix.prefix || path.starts_with(prefix.prefix + "/")) {
      match.handler = &prefix.handler;
      match.options = prefix.options;
      return match;
    }
  }
  auto segments = Split(raw_path);
  for (const auto& route : routes_) {
    std::map<std::string, std::string> params;
    if (!MatchSegments(route.segments, segments, params)) continue;
    if (route.method != method) {
      match.path_matched_other_method = true;
      continue;
    }
    match.handler = &route.handler;
    match.options = route.options;
    match.params = std::move(params);
    return match;
  }
  return match;
}

}  // namespace duckstore::http
