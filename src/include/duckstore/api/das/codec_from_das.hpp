// DAS wire codec, values in: com.rawlabs.protocol.das.v1 values (qualifier operands, inserted rows,
// function arguments) as DuckDB values.
#pragma once

#include <duckdb.hpp>

#include "com/rawlabs/protocol/das/v1/types/values.pb.h"
#include "duckstore/api/das/codec_types.hpp"

namespace duckstore::das {

// A DAS value as a DuckDB value. `target` (the column or parameter type, may be null) guides what has
// no natural DuckDB form: records become STRUCT or MAP values, records and lists for JSON columns JSON
// text, list elements take the element type. Scalars keep their own type (the services cast them).
// Throws kInvalidArgument "invalid_value" for values that cannot exist (a 13th month).
duckdb::Value FromDasValue(const pb_types::Value& value, const duckdb::LogicalType* target = nullptr);

}  // namespace duckstore::das
