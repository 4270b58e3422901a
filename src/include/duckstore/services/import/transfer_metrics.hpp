// Import and export metrics: rows, bytes and phase durations of every import and export that succeeds,
// whichever door asked (REST, the storage driver, a job), recorded by the import and export services where
// each one finishes. Phase names are the services' timer names (bounded). docs/design/operations.md.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "duckstore/services/import/import_request.hpp"

namespace duckstore {

// `direction` is "import" or "export"; `bytes` the source bytes read (an import from files; 0 from a table)
// or the bytes written (an export).
void RecordTransfer(std::string_view direction, int64_t rows, uint64_t bytes,
                    const std::vector<Timer>& timers);

}  // namespace duckstore
