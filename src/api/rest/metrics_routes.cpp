// GET /metrics: the process registry (common/metrics) in the exposition format the scraper accepts. Never
// anonymous: the admin key, or the dedicated scraper token of --metrics-token (declared as kMetricsToken).
#include "duckstore/api/rest/rest_support.hpp"
#include "duckstore/api/rest/routes.hpp"
#include "duckstore/common/metrics/exposition.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore::rest {

void AddMetricsRoute(http::Router& router, Services& s, const std::string& metrics_token) {
  EntryPoint entry{"rest", "GET /metrics", Credentials::kMetricsToken, Access::kServerAdmin,
                   TargetFrom::kServer};
  router.Add("GET", "/metrics", entry, [&s, entry, metrics_token](http::Request& request) {
    bool scraper = !metrics_token.empty() && ConstantTimeEquals(BearerToken(request), metrics_token);
    if (!scraper) AuthorizeEntry(s.auth, Authenticate(s, request), entry, BranchRef{"", kDefaultBranch});
    auto format = metrics::NegotiateFormat(request.headers.Get("accept"));
    http::Response response;
    response.body = metrics::Render(metrics::Registry::Default().Snapshot(), format);
    response.headers.Set("content-type", std::string(metrics::ContentType(format)));
    response.headers.Set("cache-control", "no-store");
    return response;
  });
}

}  // namespace duckstore::rest
