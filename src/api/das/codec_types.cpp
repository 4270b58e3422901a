#include "duckstore/api/das/codec_types.hpp"

namespace duckstore::das {

using duckdb::LogicalType;
using duckdb::LogicalTypeId;

DasKind DasKindOf(const LogicalType& type) {
  switch (type.id()) {
    case LogicalTypeId::TINYINT:
      return DasKind::kByte;
    case LogicalTypeId::SMALLINT:
    case LogicalTypeId::UTINYINT:
      return DasKind::kShort;
    case LogicalTypeId::INTEGER:
    case LogicalTypeId::USMALLINT:
      return DasKind::kInt;
    case LogicalTypeId::BIGINT:
    case LogicalTypeId::UINTEGER:
      return DasKind::kLong;
    case LogicalTypeId::UBIGINT:
    case LogicalTypeId::HUGEINT:
    case LogicalTypeId::UHUGEINT:
    case LogicalTypeId::DECIMAL:
    case LogicalTypeId::BIGNUM:
      return DasKind::kDecimal;
    case LogicalTypeId::FLOAT:
      return DasKind::kFloat;
    case LogicalTypeId::DOUBLE:
      return DasKind::kDouble;
    case LogicalTypeId::BOOLEAN:
      return DasKind::kBool;
    case LogicalTypeId::BLOB:
      return DasKind::kBinary;
    case LogicalTypeId::DATE:
      return DasKind::kDate;
    case LogicalTypeId::TIME:
    case LogicalTypeId::TIME_TZ:
      return DasKind::kTime;
    case LogicalTypeId::TIMESTAMP:
    case LogicalTypeId::TIMESTAMP_SEC:
    case LogicalTypeId::TIMESTAMP_MS:
    case LogicalTypeId::TIMESTAMP_NS:
    case LogicalTypeId::TIMESTAMP_TZ:
      return DasKind::kTimestamp;
    case LogicalTypeId::INTERVAL:
      return DasKind::kInterval;
    case LogicalTypeId::LIST:
    case LogicalTypeId::ARRAY:
      return DasKind::kList;
    case LogicalTypeId::STRUCT:
      return DasKind::kRecord;
    case LogicalTypeId::MAP:
      return DasKind::kOpenRecord;
    case LogicalTypeId::UNION:
      return DasKind::kAny;
    case LogicalTypeId::VARCHAR:
      return type.IsJSONType() ? DasKind::kAny : DasKind::kString;
    default:  // UUID, ENUM, BIT and anything else: its text
      return DasKind::kString;
  }
}

void ToDasType(const LogicalType& type, bool nullable, pb_types::Type* out) {
  switch (DasKindOf(type)) {
    case DasKind::kByte:
      out->mutable_byte()->set_nullable(nullable);
      return;
    case DasKind::kShort:
      out->mutable_short_()->set_nullable(nullable);
      return;
    case DasKind::kInt:
      out->mutable_int_()->set_nullable(nullable);
      return;
    case DasKind::kLong:
      out->mutable_long_()->set_nullable(nullable);
      return;
    case DasKind::kDecimal:
      out->mutable_decimal()->set_nullable(nullable);
      return;
    case DasKind::kFloat:
      out->mutable_float_()->set_nullable(nullable);
      return;
    case DasKind::kDouble:
      out->mutable_double_()->set_nullable(nullable);
      return;
    case DasKind::kBool:
      out->mutable_bool_()->set_nullable(nullable);
      return;
    case DasKind::kBinary:
      out->mutable_binary()->set_nullable(nullable);
      return;
    case DasKind::kDate:
      out->mutable_date()->set_nullable(nullable);
      return;
    case DasKind::kTime:
      out->mutable_time()->set_nullable(nullable);
      return;
    case DasKind::kTimestamp:
      out->mutable_timestamp()->set_nullable(nullable);
      return;
    case DasKind::kInterval:
      out->mutable_interval()->set_nullable(nullable);
      return;
    case DasKind::kList: {
      const auto& child = type.id() == LogicalTypeId::LIST ? duckdb::ListType::GetChildType(type)
                                                           : duckdb::ArrayType::GetChildType(type);
      ToDasType(child, true, out->mutable_list()->mutable_inner_type());
      out->mutable_list()->set_nullable(nullable);
      return;
    }
    case DasKind::kRecord: {
      auto* record = out->mutable_record();
      for (const auto& [name, child] : duckdb::StructType::GetChildTypes(type)) {
        auto* att = record->add_atts();
        att->set_name(name);
        ToDasType(child, true, att->mutable_tipe());
      }
      record->set_nullable(nullable);
      return;
    }
    case DasKind::kOpenRecord:
      out->mutable_record()->set_nullable(nullable);
      return;
    case DasKind::kAny:
      out->mutable_any();
      return;
    case DasKind::kString:
      out->mutable_string()->set_nullable(nullable);
      return;
  }
}

}  // namespace duckstore::das
