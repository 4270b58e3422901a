// DuckDB types and values as PostgreSQL sees them: the type OID, size and modifier of every DuckDB type,
// and each value in PostgreSQL's text and binary encodings (what `typoutput`/`typsend` produce), plus the
// reverse for parameters (`typinput`/`typreceive`).
//
// Mapping: BOOLEAN bool; TINYINT, UTINYINT, SMALLINT int2; USMALLINT, INTEGER int4; UINTEGER, BIGINT int8;
// UBIGINT, HUGEINT, UHUGEINT, DECIMAL(p,s) numeric; FLOAT float4; DOUBLE float8; VARCHAR, ENUM and anything
// without a PostgreSQL peer text; BLOB bytea; DATE; TIME; TIME WITH TIME ZONE timetz; every TIMESTAMP
// precision timestamp; TIMESTAMP WITH TIME ZONE timestamptz (rendered in UTC: the session's TimeZone is
// UTC); INTERVAL; UUID; JSON json; LIST and ARRAY of a scalar with a PostgreSQL array type that array type;
// STRUCT, MAP, UNION and other nested types json (text, also in binary format).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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

PgType PgTypeOf(const duckdb::LogicalType& type);

// Appends the encoding of a non-NULL `value` to `out`; `format` 0 text, 1 binary.
void EncodeValue(const duckdb::Value& value, int16_t format, std::string& out);

// A parameter's value of type `expected` (its DuckDB type from the prepared statement; UNKNOWN when DuckDB
// could not infer it) from the client's bytes in `format`, sent as type `type_oid` (0 = unspecified).
// Throws duckstore::Error(kInvalidArgument, "invalid_parameter") for bytes that do not decode.
duckdb::Value DecodeParameter(std::string_view bytes, int16_t format, uint32_t type_oid,
                              const duckdb::LogicalType& expected);

}  // namespace duckstore::pgwire
