// DuckDB types as PostgreSQL sees them: the type OID, size and modifier of every DuckDB type, the array
// types we use, and the shared facts of both value directions (value_encoding.hpp writes values the way
// `typoutput`/`typsend` do; parameter_decoding.hpp reads them the way `typinput`/`typreceive` do).
//
// Mapping: BOOLEAN bool; TINYINT, UTINYINT, SMALLINT int2; USMALLINT, INTEGER int4; UINTEGER, BIGINT int8;
// UBIGINT, HUGEINT, UHUGEINT, DECIMAL(p,s) numeric; FLOAT float4; DOUBLE float8; VARCHAR, ENUM and anything
// without a PostgreSQL peer text; BLOB bytea; DATE; TIME; TIME WITH TIME ZONE timetz; every TIMESTAMP
// precision timestamp; TIMESTAMP WITH TIME ZONE timestamptz (rendered in UTC: the session's TimeZone is
// UTC); INTERVAL; UUID; JSON json; LIST and ARRAY of a scalar with a PostgreSQL array type that array type;
// STRUCT, MAP, UNION and other nested types json (text, also in binary format).
#pragma once

#include <cstdint>

#include "duckdb.hpp"

namespace duckstore::pgwire {

namespace oid {
inline constexpr uint32_t kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21, kInt4 = 23,
                          kText = 25, kOid = 26, kJson = 114, kFloat4 = 700, kFloat8 = 701, kUnknown = 705,
                          kVarchar = 1043, kDate = 1082, kTime = 1083, kTimestamp = 1114, kTimestampTz = 1184,
                          kInterval = 1186, kTimeTz = 1266, kNumeric = 1700, kUuid = 2950;
}

struct PgType {
  uint32_t oid = oid::kText;
  int16_t size = -1;      // typlen: bytes of a fixed-size type, -1 variable
  int32_t modifier = -1;  // atttypmod: numeric's ((precision << 16) | scale) + 4
};

// PostgreSQL's binary date/time formats count from 2000-01-01, DuckDB's from 1970-01-01.
inline constexpr int64_t kEpochShiftDays = 10957;
inline constexpr int64_t kEpochShiftMicros = kEpochShiftDays * 86'400'000'000LL;

PgType PgTypeOf(const duckdb::LogicalType& type);

// The array type of a scalar type OID, or 0 when PostgreSQL has none we use.
uint32_t ArrayTypeOf(uint32_t element);
// The element type OID of an array type OID we know, or 0.
uint32_t ElementTypeOf(uint32_t array);

// LIST, ARRAY, STRUCT, MAP or UNION.
bool IsNestedType(const duckdb::LogicalType& type);
// The child type of a LIST or ARRAY type, and the children of a LIST or ARRAY value.
const duckdb::LogicalType& ListElementType(const duckdb::LogicalType& type);
const duckdb::vector<duckdb::Value>& ListElements(const duckdb::Value& value);

}  // namespace duckstore::pgwire
