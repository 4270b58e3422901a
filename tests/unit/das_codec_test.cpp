// DAS codec: DuckDB types to DAS types, values both ways, chunks to rows.
#include "duckstore/api/das/codec.hpp"

#include <gtest/gtest.h>

#include "duckdb/common/types/date.hpp"
#include "duckdb/common/types/time.hpp"
#include "duckdb/common/types/timestamp.hpp"

#include "duckstore/common/error.hpp"
#include "test_util.hpp"

namespace duckstore::das {
namespace {

using duckdb::LogicalType;
using duckdb::Value;

std::string KindOf(const LogicalType& type) {
  pb_types::Type out;
  ToDasType(type, true, &out);
  return pb_types::Type::descriptor()->FindFieldByNumber(out.type_case())->name();
}

TEST(DasCodec, TypesMapToDasTypes) {
  EXPECT_EQ(KindOf(LogicalType::TINYINT), "byte");
  EXPECT_EQ(KindOf(LogicalType::SMALLINT), "short");
  EXPECT_EQ(KindOf(LogicalType::UTINYINT), "short");
  EXPECT_EQ(KindOf(LogicalType::INTEGER), "int");
  EXPECT_EQ(KindOf(LogicalType::USMALLINT), "int");
  EXPECT_EQ(KindOf(LogicalType::BIGINT), "long");
  EXPECT_EQ(KindOf(LogicalType::UINTEGER), "long");
  EXPECT_EQ(KindOf(LogicalType::UBIGINT), "decimal");
  EXPECT_EQ(KindOf(LogicalType::HUGEINT), "decimal");
  EXPECT_EQ(KindOf(LogicalType::DECIMAL(18, 3)), "decimal");
  EXPECT_EQ(KindOf(LogicalType::FLOAT), "float");
  EXPECT_EQ(KindOf(LogicalType::DOUBLE), "double");
  EXPECT_EQ(KindOf(LogicalType::BOOLEAN), "bool");
  EXPECT_EQ(KindOf(LogicalType::VARCHAR), "string");
  EXPECT_EQ(KindOf(LogicalType::UUID), "string");
  EXPECT_EQ(KindOf(LogicalType::BLOB), "binary");
  EXPECT_EQ(KindOf(LogicalType::DATE), "date");
  EXPECT_EQ(KindOf(LogicalType::TIME), "time");
  EXPECT_EQ(KindOf(LogicalType::TIMESTAMP_TZ), "timestamp");
  EXPECT_EQ(KindOf(LogicalType::TIMESTAMP_NS), "timestamp");
  EXPECT_EQ(KindOf(LogicalType::INTERVAL), "interval");
  EXPECT_EQ(KindOf(LogicalType::LIST(LogicalType::INTEGER)), "list");
  EXPECT_EQ(KindOf(LogicalType::MAP(LogicalType::VARCHAR, LogicalType::INTEGER)), "record");
  EXPECT_EQ(KindOf(LogicalType::JSON()), "any");
  pb_types::Type nested;
  ToDasType(LogicalType::STRUCT({{"a", LogicalType::INTEGER}, {"b", LogicalType::LIST(LogicalType::DATE)}}),
            false, &nested);
  ASSERT_EQ(nested.record().atts_size(), 2);
  EXPECT_FALSE(nested.record().nullable());
  EXPECT_EQ(nested.record().atts(1).name(), "b");
  EXPECT_TRUE(nested.record().atts(1).tipe().list().inner_type().has_date());
}

pb_types::Value Das(const Value& value) {
  pb_types::Value out;
  ToDasValue(value, &out);
  return out;
}

TEST(DasCodec, ValuesRoundTrip) {
  auto ts = Value::TIMESTAMP(duckdb::Timestamp::FromDatetime(duckdb::Date::FromDate(2024, 2, 29),
                                                             duckdb::Time::FromTime(12, 34, 56, 123456)));
  auto das_ts = Das(ts);
  EXPECT_EQ(das_ts.timestamp().nano(), 123456000);
  EXPECT_EQ(das_ts.timestamp().month(), 2);
  EXPECT_EQ(FromDasValue(das_ts), ts);
  for (const auto& value :
       {Value::INTEGER(-5), Value::BIGINT(9000000000), Value::DOUBLE(2.5), Value::BOOLEAN(true),
        Value("héllo"), Value::BLOB_RAW(std::string("\0\xff", 2)),
        Value::DATE(duckdb::Date::FromDate(1999, 12, 31)), Value::TIME(duckdb::Time::FromTime(1, 2, 3, 4)),
        Value::INTERVAL(14, 3, 3723000007)}) {
    EXPECT_EQ(FromDasValue(Das(value)), value) << value.ToString();
  }
  auto interval = Das(Value::INTERVAL(14, 3, 3723000007)).interval();
  EXPECT_EQ(interval.years(), 1);
  EXPECT_EQ(interval.months(), 2);
  EXPECT_EQ(interval.hours(), 1);
  EXPECT_EQ(interval.minutes(), 2);
  EXPECT_EQ(interval.seconds(), 3);
  EXPECT_EQ(interval.micros(), 7);
  EXPECT_EQ(Das(Value::DECIMAL(12345, 9, 2)).decimal().v(), "123.45");
  EXPECT_EQ(FromDasValue(Das(Value::DECIMAL(12345, 9, 2))).ToString(), "123.45");
  EXPECT_EQ(Das(Value::HUGEINT(duckdb::hugeint_t(1) << 100)).decimal().v(),
            "1267650600228229401496703205376");
}

TEST(DasCodec, NestedValuesFollowTheTargetType) {
  pb_types::Value record;
  auto* att = record.mutable_record()->add_atts();
  att->set_name("k");
  att->mutable_value()->mutable_int_()->set_v(7);
  auto map_type = LogicalType::MAP(LogicalType::VARCHAR, LogicalType::BIGINT);
  auto map = FromDasValue(record, &map_type);
  EXPECT_EQ(map.type(), map_type);
  EXPECT_EQ(Das(map).record().atts(0).value().long_().v(), 7);
  auto struct_type = LogicalType::STRUCT({{"k", LogicalType::SMALLINT}, {"x", LogicalType::VARCHAR}});
  auto st = FromDasValue(record, &struct_type);
  EXPECT_EQ(st.type(), struct_type);
  EXPECT_TRUE(duckdb::StructValue::GetChildren(st)[1].IsNull());
  auto json_type = LogicalType::JSON();
  EXPECT_EQ(FromDasValue(record, &json_type).ToString(), R"({"k":7})");
  pb_types::Value text;
  text.mutable_string()->set_v("plain");
  EXPECT_EQ(FromDasValue(text, &json_type).ToString(), R"("plain")");
  pb_types::Value list;
  list.mutable_list()->add_values()->mutable_int_()->set_v(1);
  list.mutable_list()->add_values()->mutable_null();
  auto list_type = LogicalType::LIST(LogicalType::BIGINT);
  EXPECT_EQ(FromDasValue(list, &list_type).type(), list_type);
  // JSON documents travel as DAS values.
  Value json(R"({"a":[1,2.5],"b":null})");
  json.Reinterpret(LogicalType::JSON());
  auto doc = Das(json);
  ASSERT_TRUE(doc.has_record());
  EXPECT_EQ(doc.record().atts(0).value().list().values(1).double_().v(), 2.5);
}

TEST(DasCodec, ImpossibleValuesAreInvalidArgument) {
  pb_types::Value date;
  date.mutable_date()->set_year(2023);
  date.mutable_date()->set_month(2);
  date.mutable_date()->set_day(29);
  EXPECT_EQ(testing::CaptureError([&] { FromDasValue(date); }).code(), "invalid_value");
  pb_types::Value decimal;
  decimal.mutable_decimal()->set_v("12x");
  EXPECT_EQ(testing::CaptureError([&] { FromDasValue(decimal); }).code(), "invalid_value");
  pb_types::Value unset;
  EXPECT_TRUE(FromDasValue(unset).IsNull());
}

TEST(DasCodec, ChunksBecomeNamedRows) {
  duckdb::DuckDB db(nullptr);
  duckdb::Connection conn(db);
  auto result = conn.Query(
      "SELECT i::INTEGER AS i, 'v' || i AS s, CASE WHEN i % 2 = 0 THEN NULL ELSE i END AS n, "
      "[i] AS l FROM range(5) t(i)");
  auto chunk = result->Fetch();
  pb_tables::Rows rows;
  size_t bytes = AppendRows({"i", "s", "n", "l"}, *chunk, 1, 4, &rows);
  ASSERT_EQ(rows.rows_size(), 3);
  EXPECT_EQ(bytes, rows.ByteSizeLong());
  EXPECT_EQ(rows.rows(0).columns(0).name(), "i");
  EXPECT_EQ(rows.rows(0).columns(0).data().int_().v(), 1);
  EXPECT_EQ(rows.rows(0).columns(1).data().string().v(), "v1");
  EXPECT_TRUE(rows.rows(1).columns(2).data().has_null());
  EXPECT_EQ(rows.rows(2).columns(3).data().list().values(0).long_().v(), 3);
  pb_tables::Rows empty;
  AppendRows({}, *chunk, 0, 5, &empty);
  EXPECT_EQ(empty.rows_size(), 5);
  EXPECT_EQ(empty.rows(0).columns_size(), 0);
}

}  // namespace
}  // namespace duckstore::das
