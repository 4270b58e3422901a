// DAS wire codec, values out: DuckDB values as com.rawlabs.protocol.das.v1 values, of the DAS type
// codec_types.hpp gives their DuckDB type. Timestamps travel in UTC with nanoseconds; infinite timestamps,
// which DAS cannot carry, become NULL; JSON values travel as the DAS value of the parsed document (text
// that does not parse as a string); MAP keys as their text.
#pragma once

#include <duckdb.hpp>

#include "com/rawlabs/protocol/das/v1/types/values.pb.h"
#include "duckstore/api/das/codec_types.hpp"

namespace duckstore::das {

void ToDasValue(const duckdb::Value& value, pb_types::Value* out);

// The two value writers the row codec's fast paths (codec_rows.hpp) share with ToDasValue.
void SetDate(duckdb::date_t date, pb_types::ValueDate* out);
// `extra_nanos` (0-999) add to the microseconds; an infinite timestamp sets NULL.
void SetTimestamp(duckdb::timestamp_t ts, int32_t extra_nanos, pb_types::Value* out);

}  // namespace duckstore::das
