// DuckDB values in PostgreSQL's text and binary encodings, and parameters decoded back.
#include <gtest/gtest.h>

#include "duckstore/api/pgwire/parameter_decoding.hpp"
#include "duckstore/api/pgwire/types.hpp"
#include "duckstore/api/pgwire/value_encoding.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::pgwire {
namespace {

using duckdb::LogicalType;
using duckdb::Value;
using namespace std::string_literals;

Value Blob(const std::string& bytes) {
  return Value::BLOB(reinterpret_cast<duckdb::const_data_ptr_t>(bytes.data()), bytes.size());
}

std::string Text(const Value& value) {
  std::string out;
  EncodeValue(value, 0, out);
  return out;
}

std::string Binary(const Value& value) {
  std::string out;
  EncodeValue(value, 1, out);
  return out;
}

TEST(PgTypes, Oids) {
  EXPECT_EQ(PgTypeOf(LogicalType::INTEGER).oid, oid::kInt4);
  EXPECT_EQ(PgTypeOf(LogicalType::UTINYINT).oid, oid::kInt2);
  EXPECT_EQ(PgTypeOf(LogicalType::UBIGINT).oid, oid::kNumeric);
  auto decimal = PgTypeOf(LogicalType::DECIMAL(12, 3));
  EXPECT_EQ(decimal.oid, oid::kNumeric);
  EXPECT_EQ(decimal.modifier, ((12 << 16) | 3) + 4);
  EXPECT_EQ(PgTypeOf(LogicalType::LIST(LogicalType::BIGINT)).oid, 1016u);
  EXPECT_EQ(PgTypeOf(LogicalType::LIST(LogicalType::LIST(LogicalType::BIGINT))).oid, oid::kJson);
  EXPECT_EQ(PgTypeOf(LogicalType::STRUCT({{"a", LogicalType::INTEGER}})).oid, oid::kJson);
  EXPECT_EQ(PgTypeOf(LogicalType::TIMESTAMP_TZ).oid, oid::kTimestampTz);
  EXPECT_EQ(PgTypeOf(LogicalType::BLOB).oid, oid::kBytea);
}

TEST(PgTypes, TextEncodings) {
  EXPECT_EQ(Text(Value::BOOLEAN(true)), "t");
  EXPECT_EQ(Text(Value::DOUBLE(std::numeric_limits<double>::infinity())), "Infinity");
  EXPECT_EQ(Text(Value::DOUBLE(std::nan(""))), "NaN");
  EXPECT_EQ(Text(Blob("\x01\xff"s)), "\\x01ff");
  EXPECT_EQ(Text(Value::INTERVAL(14, 3, 4 * 3600'000'000LL + 500'000)), "1 year 2 mons 3 days 04:00:00.5");
  EXPECT_EQ(Text(Value::INTERVAL(0, -1, 3600'000'000LL)), "-1 days +01:00:00");
  EXPECT_EQ(Text(Value::INTERVAL(0, 0, 0)), "00:00:00");
  EXPECT_EQ(Text(Value::LIST(LogicalType::VARCHAR,
                             {Value("a"), Value("b c"), Value(LogicalType::VARCHAR), Value("")})),
            "{a,\"b c\",NULL,\"\"}");
  EXPECT_EQ(Text(Value::STRUCT({{"a", Value::INTEGER(1)}, {"b", Value("x\"")}})),
            "{\"a\":1,\"b\":\"x\\\"\"}");
}

TEST(PgTypes, BinaryEncodings) {
  EXPECT_EQ(Binary(Value::INTEGER(-2)), "\xff\xff\xff\xfe"s);
  EXPECT_EQ(Binary(Value::DATE(duckdb::date_t(10957 + 1))), "\x00\x00\x00\x01"s);  // 2000-01-02
  // numeric -12.5: ndigits 2, weight 0, sign negative, dscale 1, digits 12 5000
  EXPECT_EQ(Binary(Value::DECIMAL(-125, 4, 1)), "\x00\x02\x00\x00\x40\x00\x00\x01\x00\x0c\x13\x88"s);
  EXPECT_EQ(Binary(Value::DECIMAL(0, 4, 2)), "\x00\x00\x00\x00\x00\x00\x00\x02"s);
  auto array = Binary(Value::LIST(LogicalType::INTEGER, {Value::INTEGER(7), Value(LogicalType::INTEGER)}));
  EXPECT_EQ(array,
            "\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x17\x00\x00\x00\x02\x00\x00\x00\x01"
            "\x00\x00\x00\x04\x00\x00\x00\x07\xff\xff\xff\xff"s);
}

TEST(PgTypes, ParametersRoundTrip) {
  std::vector<Value> values = {
      Value::BIGINT(-5),
      Value::DOUBLE(0.25),
      Value::DECIMAL(123456789, 12, 4),
      Value("text"),
      Value::DATE(duckdb::date_t(-400)),
      Value::TIMESTAMP(duckdb::timestamp_t(1'700'000'000'123'456LL)),
      Value::INTERVAL(1, 2, 3),
      Value::UUID("123e4567-e89b-12d3-a456-426614174000"),
      Value::BOOLEAN(false),
      Value::LIST(LogicalType::INTEGER, {Value::INTEGER(1), Value(LogicalType::INTEGER)}),
  };
  for (const auto& value : values) {
    for (int16_t format : {0, 1}) {
      SCOPED_TRACE(value.ToString() + " format " + std::to_string(format));
      std::string bytes;
      try {
        EncodeValue(value, format, bytes);
        EXPECT_EQ(DecodeParameter(bytes, format, PgTypeOf(value.type()).oid, value.type()), value);
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    }
  }
}

TEST(PgTypes, ParameterErrors) {
  EXPECT_THROW(DecodeParameter("abc", 0, 0, LogicalType::INTEGER), Error);
  EXPECT_THROW(DecodeParameter("\x00\x01"s, 1, oid::kInt4, LogicalType::INTEGER), Error);
  EXPECT_THROW(DecodeParameter("{1,2", 0, 1007, LogicalType::LIST(LogicalType::INTEGER)), Error);
  EXPECT_EQ(DecodeParameter("\\x00ff", 0, oid::kBytea, LogicalType::BLOB), Blob("\x00\xff"s));
}

}  // namespace
}  // namespace duckstore::pgwire
