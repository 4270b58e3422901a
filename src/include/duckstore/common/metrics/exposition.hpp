// The exposition writer: a registry snapshot as the Prometheus text format (version 0.0.4) or as
// OpenMetrics 1.0.0 when the scraper's Accept header asks for it. Small on purpose: Debian packages no
// client library for the format. Counters are registered with their "_total" suffix; OpenMetrics names the
// family without it and ends the document with "# EOF".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "duckstore/common/metrics/registry.hpp"

namespace duckstore::metrics {

enum class Format { kPrometheusText, kOpenMetrics };

// OpenMetrics when `accept` names application/openmetrics-text, the text format otherwise.
Format NegotiateFormat(std::string_view accept);
std::string_view ContentType(Format format);
std::string Render(const std::vector<FamilySnapshot>& families, Format format);

}  // namespace duckstore::metrics
