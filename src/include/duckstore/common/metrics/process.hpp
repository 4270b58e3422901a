// Process metrics read from /proc at each scrape: resident and virtual memory, CPU time, open file
// descriptors, threads, start time and uptime, and duckstore_build_info{version}.
#pragma once

#include <string>

#include "duckstore/common/metrics/registry.hpp"

namespace duckstore::metrics {

void RegisterProcessMetrics(Registry& registry, const std::string& version);

}  // namespace duckstore::metrics
