// DAS wire codec: DuckDB types and values to and from com.rawlabs.protocol.das.v1 types and values.
//
// DuckDB -> DAS types: TINYINT byte, SMALLINT/UTINYINT short, INTEGER/USMALLINT int, BIGINT/UINTEGER long,
// UBIGINT/HUGEINT/UHUGEINT/DECIMAL/BIGNUM decimal, FLOAT float, DOUBLE double, BOOLEAN bool, VARCHAR/UUID/
// ENUM/BIT string, BLOB binary, DATE date, TIME(/TZ) time, TIMESTAMP (every precision; TIMESTAMPTZ in UTC)
// timestamp, INTERVAL interval, LIST/ARRAY list, STRUCT record with attributes, MAP an open record (keys
// as text), JSON and UNION any (JSON values travel as the DAS value of the parsed document).
#pragma once

#include <duckdb.hpp>

#include <string>
#include <vector>

#include "com/rawlabs/protocol/das/v1/tables/tables.pb.h"
#include "com/rawlabs/protocol/das/v1/types/types.pb.h"
#include "com/rawlabs/protocol/das/v1/types/values.pb.h"

namespace duckstore::das {

namespace pb_types = com::rawlabs::protocol::das::v1::types;
namespace pb_tables = com::rawlabs::protocol::das::v1::tables;

void ToDasType(const duckdb::LogicalType& type, bool nullable, pb_types::Type* out);
void ToDasValue(const duckdb::Value& value, pb_types::Value* out);

// A DAS value as a DuckDB value. `target` (the column or parameter type, may be null) guides what has
// no natural DuckDB form: records become STRUCT or MAP values, records and lists for JSON columns JSON
// text, list elements take the element type. Scalars keep their own type (the services cast them).
// Throws kInvalidArgument "invalid_value" for values that cannot exist (a 13th month).
duckdb::Value FromDasValue(const pb_types::Value& value, const duckdb::LogicalType* target = nullptr);

// Appends rows [begin, end) of `chunk` to `rows`, naming the cells after `columns` (the chunk's first
// columns, in order; no columns gives empty rows). Returns the serialized size the rows add to `rows`.
size_t AppendRows(const std::vector<std::string>& columns, duckdb::DataChunk& chunk, size_t begin, size_t end,
                  pb_tables::Rows* rows);

}  // namespace duckstore::das
