// The timestamps duckstore shows (catalog records, session listings): ISO 8601 in UTC with milliseconds,
// "2026-12-03T18:25:14.974Z".
#pragma once

#include <chrono>
#include <string>

namespace duckstore {

std::string IsoTimestamp(std::chrono::system_clock::time_point at);

}  // namespace duckstore
