#include "duckstore/api/das/codec_from_das.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "duckdb/common/types/date.hpp"
#include "duckdb/common/types/decimal.hpp"
#include "duckdb/common/types/interval.hpp"
#include "duckdb/common/types/time.hpp"
#include "duckdb/common/types/timestamp.hpp"

#include "duckstore/common/error.hpp"

namespace duckstore::das {
namespace {

using duckdb::LogicalType;
using duckdb::LogicalTypeId;

[[noreturn]] void BadValue(const std::string& message) {
  throw InvalidArgument("invalid_value", message);
}

nlohmann::json DasToJson(const pb_types::Value& value) {
  switch (value.value_case()) {
    case pb_types::Value::kByte:
      return value.byte().v();
    case pb_types::Value::kShort:
      return value.short_().v();
    case pb_types::Value::kInt:
      return value.int_().v();
    case pb_types::Value::kLong:
      return value.long_().v();
    case pb_types::Value::kFloat:
      return value.float_().v();
    case pb_types::Value::kDouble:
      return value.double_().v();
    case pb_types::Value::kDecimal:
      return nlohmann::json::parse(value.decimal().v(), nullptr, false).is_number()
                 ? nlohmann::json::parse(value.decimal().v())
                 : nlohmann::json(value.decimal().v());
    case pb_types::Value::kBool:
      return value.bool_().v();
    case pb_types::Value::kString:
      return value.string().v();
    case pb_types::Value::kList: {
      auto out = nlohmann::json::array();
      for (const auto& item : value.list().values()) out.push_back(DasToJson(item));
      return out;
    }
    case pb_types::Value::kRecord: {
      auto out = nlohmann::json::object();
      for (const auto& att : value.record().atts()) out[att.name()] = DasToJson(att.value());
      return out;
    }
    case pb_types::Value::kNull:
    case pb_types::Value::VALUE_NOT_SET:
      return nullptr;
    default:
      // Temporal and binary values: their DuckDB text.
      return FromDasValue(value).ToString();
  }
}

duckdb::Value CastTo(const duckdb::Value& value, const LogicalType& type) {
  if (value.type() == type) return value;
  duckdb::Value out;
  std::string error;
  if (!value.DefaultTryCastAs(type, out, &error)) {
    BadValue("value " + value.ToString() + " does not convert to " + type.ToString() + ": " + error);
  }
  return out;
}

duckdb::Value DecimalFromText(const std::string& text) {
  size_t dot = text.find('.');
  size_t digits = 0, scale = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(text[i]))) {
      ++digits;
      if (dot != std::string::npos && i > dot) ++scale;
    }
  }
  duckdb::Value out;
  std::string error;
  if (digits > 0 && digits <= duckdb::Decimal::MAX_WIDTH_DECIMAL &&
      duckdb::Value(text).DefaultTryCastAs(
          LogicalType::DECIMAL(duckdb::Decimal::MAX_WIDTH_DECIMAL, static_cast<uint8_t>(scale)), out,
          &error)) {
    return out;
  }
  // Wider than DECIMAL(38): the text itself, which the services cast exactly (HUGEINT, UBIGINT, ...).
  if (duckdb::Value(text).DefaultTryCastAs(LogicalType::DOUBLE, out, &error)) return duckdb::Value(text);
  BadValue("'" + text + "' is not a decimal number");
}

duckdb::Value RecordFromDas(const pb_types::ValueRecord& record, const LogicalType* target) {
  if (target && target->id() == LogicalTypeId::STRUCT) {
    duckdb::child_list_t<duckdb::Value> children;
    for (const auto& [name, child_type] : duckdb::StructType::GetChildTypes(*target)) {
      duckdb::Value child(child_type);
      for (const auto& att : record.atts()) {
        if (duckdb::StringUtil::CIEquals(att.name(), name))
          child = CastTo(FromDasValue(att.value(), &child_type), child_type);
      }
      children.emplace_back(name, std::move(child));
    }
    return duckdb::Value::STRUCT(std::move(children));
  }
  if (target && target->id() == LogicalTypeId::MAP) {
    const auto& key_type = duckdb::MapType::KeyType(*target);
    const auto& value_type = duckdb::MapType::ValueType(*target);
    duckdb::vector<duckdb::Value> keys, values;
    for (const auto& att : record.atts()) {
      keys.push_back(CastTo(duckdb::Value(att.name()), key_type));
      values.push_back(CastTo(FromDasValue(att.value(), &value_type), value_type));
    }
    return duckdb::Value::MAP(key_type, value_type, std::move(keys), std::move(values));
  }
  duckdb::child_list_t<duckdb::Value> children;
  for (const auto& att : record.atts()) children.emplace_back(att.name(), FromDasValue(att.value()));
  if (children.empty()) return duckdb::Value(LogicalType::SQLNULL);
  return duckdb::Value::STRUCT(std::move(children));
}

duckdb::Value ListFromDas(const pb_types::ValueList& list, const LogicalType* target) {
  std::optional<LogicalType> child_type;
  if (target && target->id() == LogicalTypeId::LIST) child_type = duckdb::ListType::GetChildType(*target);
  if (target && target->id() == LogicalTypeId::ARRAY) child_type = duckdb::ArrayType::GetChildType(*target);
  duckdb::vector<duckdb::Value> values;
  for (const auto& item : list.values()) {
    values.push_back(FromDasValue(item, child_type ? &*child_type : nullptr));
  }
  if (!child_type) {
    // The element type of the first non-NULL element, the others cast to it.
    child_type = LogicalType::SQLNULL;
    for (const auto& v : values) {
      if (!v.IsNull()) {
        child_type = v.type();
        break;
      }
    }
  }
  for (auto& v : values) v = CastTo(v, *child_type);
  return duckdb::Value::LIST(*child_type, std::move(values));
}

}  // namespace

duckdb::Value FromDasValue(const pb_types::Value& value, const LogicalType* target) {
  if (target && target->IsJSONType()) {
    if (value.value_case() == pb_types::Value::kNull ||
        value.value_case() == pb_types::Value::VALUE_NOT_SET) {
      return duckdb::Value(LogicalType::SQLNULL);
    }
    if (value.value_case() == pb_types::Value::kString) {
      // JSON text as is; any other string is a JSON string.
      const auto& text = value.string().v();
      bool is_json = !nlohmann::json::parse(text, nullptr, false).is_discarded();
      return duckdb::Value(is_json ? text : nlohmann::json(text).dump());
    }
    return duckdb::Value(DasToJson(value).dump());
  }
  switch (value.value_case()) {
    case pb_types::Value::kNull:
    case pb_types::Value::VALUE_NOT_SET:
      return duckdb::Value(LogicalType::SQLNULL);
    case pb_types::Value::kByte:
      return duckdb::Value::INTEGER(value.byte().v());
    case pb_types::Value::kShort:
      return duckdb::Value::INTEGER(value.short_().v());
    case pb_types::Value::kInt:
      return duckdb::Value::INTEGER(value.int_().v());
    case pb_types::Value::kLong:
      return duckdb::Value::BIGINT(value.long_().v());
    case pb_types::Value::kFloat:
      return duckdb::Value::FLOAT(value.float_().v());
    case pb_types::Value::kDouble:
      return duckdb::Value::DOUBLE(value.double_().v());
    case pb_types::Value::kDecimal:
      return DecimalFromText(value.decimal().v());
    case pb_types::Value::kBool:
      return duckdb::Value::BOOLEAN(value.bool_().v());
    case pb_types::Value::kString:
      return duckdb::Value(value.string().v());
    case pb_types::Value::kBinary:
      return duckdb::Value::BLOB_RAW(value.binary().v());
    case pb_types::Value::kDate: {
      const auto& d = value.date();
      if (!duckdb::Date::IsValid(d.year(), d.month(), d.day())) BadValue("invalid date");
      return duckdb::Value::DATE(duckdb::Date::FromDate(d.year(), d.month(), d.day()));
    }
    case pb_types::Value::kTime: {
      const auto& t = value.time();
      if (t.hour() < 0 || t.hour() > 24 || t.minute() < 0 || t.minute() > 59 || t.second() < 0 ||
          t.second() > 60 || t.nano() < 0 || t.nano() > 999'999'999) {
        BadValue("invalid time");
      }
      return duckdb::Value::TIME(duckdb::Time::FromTime(t.hour(), t.minute(), t.second(), t.nano() / 1000));
    }
    case pb_types::Value::kTimestamp: {
      const auto& t = value.timestamp();
      if (!duckdb::Date::IsValid(t.year(), t.month(), t.day()) || t.hour() < 0 || t.hour() > 23 ||
          t.minute() < 0 || t.minute() > 59 || t.second() < 0 || t.second() > 59 || t.nano() < 0 ||
          t.nano() > 999'999'999) {
        BadValue("invalid timestamp");
      }
      auto date = duckdb::Date::FromDate(t.year(), t.month(), t.day());
      auto time = duckdb::Time::FromTime(t.hour(), t.minute(), t.second(), t.nano() / 1000);
      duckdb::timestamp_t ts;
      if (!duckdb::Timestamp::TryFromDatetime(date, time, ts)) BadValue("timestamp out of range");
      if (t.nano() % 1000 == 0) return duckdb::Value::TIMESTAMP(ts);
      return duckdb::Value::TIMESTAMPNS(duckdb::timestamp_ns_t(ts.value * 1000 + t.nano() % 1000));
    }
    case pb_types::Value::kInterval: {
      const auto& iv = value.interval();
      int64_t micros = ((static_cast<int64_t>(iv.hours()) * 60 + iv.minutes()) * 60 + iv.seconds()) *
                           duckdb::Interval::MICROS_PER_SEC +
                       iv.micros();
      return duckdb::Value::INTERVAL(
          static_cast<int32_t>(
              std::clamp<int64_t>(static_cast<int64_t>(iv.years()) * 12 + iv.months(), INT32_MIN, INT32_MAX)),
          iv.days(), micros);
    }
    case pb_types::Value::kRecord:
      return RecordFromDas(value.record(), target);
    case pb_types::Value::kList:
      return ListFromDas(value.list(), target);
  }
  return duckdb::Value(LogicalType::SQLNULL);
}

}  // namespace duckstore::das
