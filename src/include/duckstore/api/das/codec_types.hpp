// DAS wire codec, types: the one table that says which DAS type carries each DuckDB type.
//
// DuckDB -> DAS: TINYINT byte, SMALLINT/UTINYINT short, INTEGER/USMALLINT int, BIGINT/UINTEGER long,
// UBIGINT/HUGEINT/UHUGEINT/DECIMAL/BIGNUM decimal, FLOAT float, DOUBLE double, BOOLEAN bool, BLOB binary,
// DATE date, TIME(/TZ) time, TIMESTAMP (every precision; TIMESTAMPTZ in UTC) timestamp, INTERVAL interval,
// LIST/ARRAY list, STRUCT record with attributes, MAP an open record (keys as text), JSON and UNION any,
// VARCHAR/UUID/ENUM/BIT and every other type string (its text). Both the type codec (ToDasType) and the
// value codec (ToDasValue, codec_to_das.hpp) switch on DasKindOf, so they cannot disagree.
#pragma once

#include <duckdb.hpp>

#include "com/rawlabs/protocol/das/v1/types/types.pb.h"

namespace duckstore::das {

namespace pb_types = com::rawlabs::protocol::das::v1::types;

enum class DasKind {
  kByte,
  kShort,
  kInt,
  kLong,
  kDecimal,
  kFloat,
  kDouble,
  kBool,
  kBinary,
  kDate,
  kTime,
  kTimestamp,
  kInterval,
  kList,        // LIST or ARRAY
  kRecord,      // STRUCT: a record with one attribute per field
  kOpenRecord,  // MAP: a record whose attributes are the keys
  kAny,         // JSON (the parsed document) and UNION (the member's value)
  kString,
};

DasKind DasKindOf(const duckdb::LogicalType& type);

// The DAS type of a column or parameter of DuckDB type `type`.
void ToDasType(const duckdb::LogicalType& type, bool nullable, pb_types::Type* out);

}  // namespace duckstore::das
