#include "duckstore/api/pgwire/types.hpp"

namespace duckstore::pgwire {

using duckdb::LogicalType;
using duckdb::LogicalTypeId;
using duckdb::Value;

// The array type of a scalar type, or 0 when PostgreSQL has none we use.
uint32_t ArrayTypeOf(uint32_t element) {
  switch (element) {
    case oid::kBool:
      return 1000;
    case oid::kBytea:
      return 1001;
    case oid::kInt2:
      return 1005;
    case oid::kInt4:
      return 1007;
    case oid::kText:
      return 1009;
    case oid::kVarchar:
      return 1015;
    case oid::kInt8:
      return 1016;
    case oid::kFloat4:
      return 1021;
    case oid::kFloat8:
      return 1022;
    case oid::kTimestamp:
      return 1115;
    case oid::kDate:
      return 1182;
    case oid::kTime:
      return 1183;
    case oid::kTimestampTz:
      return 1185;
    case oid::kInterval:
      return 1187;
    case oid::kNumeric:
      return 1231;
    case oid::kTimeTz:
      return 1270;
    case oid::kUuid:
      return 2951;
    case oid::kJson:
      return 199;
    default:
      return 0;
  }
}

// The element type of an array type we know, or 0.
uint32_t ElementTypeOf(uint32_t array) {
  for (uint32_t element :
       {oid::kBool, oid::kBytea, oid::kInt2, oid::kInt4, oid::kText, oid::kVarchar, oid::kInt8, oid::kFloat4,
        oid::kFloat8, oid::kTimestamp, oid::kDate, oid::kTime, oid::kTimestampTz, oid::kInterval,
        oid::kNumeric, oid::kTimeTz, oid::kUuid, oid::kJson}) {
    if (ArrayTypeOf(element) == array) return element;
  }
  return 0;
}

bool IsNestedType(const LogicalType& type) {
  return type.id() == LogicalTypeId::LIST || type.id() == LogicalTypeId::ARRAY ||
         type.id() == LogicalTypeId::STRUCT || type.id() == LogicalTypeId::MAP ||
         type.id() == LogicalTypeId::UNION;
}

const LogicalType& ListElementType(const LogicalType& type) {
  return type.id() == LogicalTypeId::LIST ? duckdb::ListType::GetChildType(type)
                                          : duckdb::ArrayType::GetChildType(type);
}

const duckdb::vector<Value>& ListElements(const Value& value) {
  return value.type().id() == LogicalTypeId::LIST ? duckdb::ListValue::GetChildren(value)
                                                  : duckdb::ArrayValue::GetChildren(value);
}

PgType PgTypeOf(const LogicalType& type) {
  switch (type.id()) {
    case LogicalTypeId::BOOLEAN:
      return {oid::kBool, 1};
    case LogicalTypeId::TINYINT:
    case LogicalTypeId::UTINYINT:
    case LogicalTypeId::SMALLINT:
      return {oid::kInt2, 2};
    case LogicalTypeId::USMALLINT:
    case LogicalTypeId::INTEGER:
      return {oid::kInt4, 4};
    case LogicalTypeId::UINTEGER:
    case LogicalTypeId::BIGINT:
      return {oid::kInt8, 8};
    case LogicalTypeId::UBIGINT:
    case LogicalTypeId::HUGEINT:
    case LogicalTypeId::UHUGEINT:
      return {oid::kNumeric, -1};
    case LogicalTypeId::DECIMAL:
      return {oid::kNumeric, -1,
              ((duckdb::DecimalType::GetWidth(type) << 16) | duckdb::DecimalType::GetScale(type)) + 4};
    case LogicalTypeId::FLOAT:
      return {oid::kFloat4, 4};
    case LogicalTypeId::DOUBLE:
      return {oid::kFloat8, 8};
    case LogicalTypeId::BLOB:
      return {oid::kBytea, -1};
    case LogicalTypeId::DATE:
      return {oid::kDate, 4};
    case LogicalTypeId::TIME:
    case LogicalTypeId::TIME_NS:
      return {oid::kTime, 8};
    case LogicalTypeId::TIME_TZ:
      return {oid::kTimeTz, 12};
    case LogicalTypeId::TIMESTAMP:
    case LogicalTypeId::TIMESTAMP_SEC:
    case LogicalTypeId::TIMESTAMP_MS:
    case LogicalTypeId::TIMESTAMP_NS:
      return {oid::kTimestamp, 8};
    case LogicalTypeId::TIMESTAMP_TZ:
      return {oid::kTimestampTz, 8};
    case LogicalTypeId::INTERVAL:
      return {oid::kInterval, 16};
    case LogicalTypeId::UUID:
      return {oid::kUuid, 16};
    case LogicalTypeId::LIST:
    case LogicalTypeId::ARRAY: {
      const auto& element = ListElementType(type);
      uint32_t array = IsNestedType(element) ? 0 : ArrayTypeOf(PgTypeOf(element).oid);
      if (array) return {array, -1};
      return {oid::kJson, -1};
    }
    case LogicalTypeId::STRUCT:
    case LogicalTypeId::MAP:
    case LogicalTypeId::UNION:
      return {oid::kJson, -1};
    case LogicalTypeId::VARCHAR:
      if (type.HasAlias() && type.GetAlias() == "JSON") return {oid::kJson, -1};
      return {oid::kText, -1};
    default:
      return {oid::kText, -1};
  }
}

}  // namespace duckstore::pgwire
