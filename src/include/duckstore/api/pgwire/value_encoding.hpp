// DuckDB values in PostgreSQL's output encodings: text as `typoutput` writes it (PostgreSQL's DateStyle ISO,
// IntervalStyle postgres, bytea hex, arrays as `{...}` literals, nested non-array values as JSON) and
// binary as `typsend` writes it (network byte order, numeric in base-10000 digits, dates and timestamps
// from 2000-01-01). The type each value is announced as comes from PgTypeOf (types.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "duckdb.hpp"

namespace duckstore::pgwire {

// Appends the encoding of a non-NULL `value` to `out`; `format` 0 text, 1 binary.
void EncodeValue(const duckdb::Value& value, int16_t format, std::string& out);

}  // namespace duckstore::pgwire
