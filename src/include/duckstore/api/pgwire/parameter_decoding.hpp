// Parameters and COPY fields from a PostgreSQL client as DuckDB values: the reverse of value_encoding.hpp
// (`typinput`/`typreceive`), in text or binary format, including one-dimensional arrays.
#pragma once

#include <cstdint>
#include <string_view>

#include "duckdb.hpp"

namespace duckstore::pgwire {

// A parameter's value of type `expected` (its DuckDB type from the prepared statement; UNKNOWN when DuckDB
// could not infer it) from the client's bytes in `format`, sent as type `type_oid` (0 = unspecified).
// Throws duckstore::Error(kInvalidArgument, "invalid_parameter") for bytes that do not decode.
duckdb::Value DecodeParameter(std::string_view bytes, int16_t format, uint32_t type_oid,
                              const duckdb::LogicalType& expected);

}  // namespace duckstore::pgwire
