// GET /metrics: the process registry (common/metrics) in the exposition format the scraper accepts. Never
// anonymous: the admin key, or the dedicated scraper token of --metrics-token.
#include "duckstore/api/rest/rest_support.hpp"
#include "duckstore/api/rest/routes.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/metrics/exposition.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore::rest {

void AddMetricsRoute(http::Router& router, Services& s, std::string metrics_token) {
  router.Add("GET", "/metrics", [&s, metrics_token](http::Request& request) {
    std::string token = BearerToken(request);
    bool scraper = !metrics_token.empty() && ConstantTimeEquals(token, metrics_token);
    if (!scraper && !s.auth.Authenticate(token).admin) {
      throw PermissionDenied("metrics are readable with the admin key or the metrics token only");
    }
    auto format = metrics::NegotiateFormat(request.headers.Get("accept"));
    http::Response response;
    response.body = metrics::Render(metrics::Registry::Default().Snapshot(), format);
    response.headers.Set("content-type", std::string(metrics::ContentType(format)));
    response.headers.Set("cache-control", "no-store");
    return response;
  });
}

}  // namespace duckstore::rest
