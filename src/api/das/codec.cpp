#include "duckstore/api/das/codec.hpp"

#include <nlohmann/json.hpp>

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

int32_t Clamp32(int64_t v) {
  return static_cast<int32_t>(std::clamp<int64_t>(v, INT32_MIN, INT32_MAX));
}

void SetDate(duckdb::date_t date, pb_types::ValueDate* out) {
  int32_t y, m, d;
  duckdb::Date::Convert(date, y, m, d);
  out->set_year(y);
  out->set_month(m);
  out->set_day(d);
}

void SetTime(duckdb::dtime_t time, int32_t extra_nanos, pb_types::ValueTime* out) {
  int32_t h, m, s, micros;
  duckdb::Time::Convert(time, h, m, s, micros);
  out->set_hour(h);
  out->set_minute(m);
  out->set_second(s);
  out->set_nano(micros * 1000 + extra_nanos);
}

// A timestamp in microseconds (plus sub-microsecond nanos); infinities have no DAS form and become NULL.
void SetTimestamp(duckdb::timestamp_t ts, int32_t extra_nanos, pb_types::Value* out) {
  if (!duckdb::Timestamp::IsFinite(ts)) {
    out->mutable_null();
    return;
  }
  duckdb::date_t date;
  duckdb::dtime_t time;
  duckdb::Timestamp::Convert(ts, date, time);
  int32_t y, mo, d, h, mi, s, micros;
  duckdb::Date::Convert(date, y, mo, d);
  duckdb::Time::Convert(time, h, mi, s, micros);
  auto* t = out->mutable_timestamp();
  t->set_year(y);
  t->set_month(mo);
  t->set_day(d);
  t->set_hour(h);
  t->set_minute(mi);
  t->set_second(s);
  t->set_nano(micros * 1000 + extra_nanos);
}

void SetInterval(const duckdb::interval_t& iv, pb_types::ValueInterval* out) {
  out->set_years(iv.months / 12);
  out->set_months(iv.months % 12);
  out->set_days(iv.days);
  int64_t micros = iv.micros;
  out->set_hours(Clamp32(micros / duckdb::Interval::MICROS_PER_HOUR));
  micros %= duckdb::Interval::MICROS_PER_HOUR;
  out->set_minutes(static_cast<int32_t>(micros / duckdb::Interval::MICROS_PER_MINUTE));
  micros %= duckdb::Interval::MICROS_PER_MINUTE;
  out->set_seconds(static_cast<int32_t>(micros / duckdb::Interval::MICROS_PER_SEC));
  out->set_micros(static_cast<int32_t>(micros % duckdb::Interval::MICROS_PER_SEC));
}

void JsonToDas(const nlohmann::json& json, pb_types::Value* out) {
  switch (json.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      out->mutable_null();
      return;
    case nlohmann::json::value_t::boolean:
      out->mutable_bool_()->set_v(json.get<bool>());
      return;
    case nlohmann::json::value_t::number_integer:
      out->mutable_long_()->set_v(json.get<int64_t>());
      return;
    case nlohmann::json::value_t::number_unsigned: {
      auto v = json.get<uint64_t>();
      if (v <= static_cast<uint64_t>(INT64_MAX)) {
        out->mutable_long_()->set_v(static_cast<int64_t>(v));
      } else {
        out->mutable_decimal()->set_v(std::to_string(v));
      }
      return;
    }
    case nlohmann::json::value_t::number_float:
      out->mutable_double_()->set_v(json.get<double>());
      return;
    case nlohmann::json::value_t::string:
      out->mutable_string()->set_v(json.get<std::string>());
      return;
    case nlohmann::json::value_t::array: {
      auto* list = out->mutable_list();
      for (const auto& item : json) JsonToDas(item, list->add_values());
      return;
    }
    case nlohmann::json::value_t::object: {
      auto* record = out->mutable_record();
      for (const auto& [key, item] : json.items()) {
        auto* att = record->add_atts();
        att->set_name(key);
        JsonToDas(item, att->mutable_value());
      }
      return;
    }
    case nlohmann::json::value_t::binary:
      out->mutable_null();
      return;
  }
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

// Fast paths for flat vectors of the common fixed-size types; everything else goes through Value.
template <typename T, typename Set>
void FillColumn(duckdb::Vector& vector, size_t chunk_size, size_t begin, size_t count, pb_tables::Rows* rows,
                int first, size_t col, Set set) {
  duckdb::UnifiedVectorFormat format;
  vector.ToUnifiedFormat(chunk_size, format);
  auto data = duckdb::UnifiedVectorFormat::GetData<T>(format);
  for (size_t i = 0; i < count; ++i) {
    auto idx = format.sel->get_index(begin + i);
    auto* value = rows->mutable_rows(first + static_cast<int>(i))
                      ->mutable_columns(static_cast<int>(col))
                      ->mutable_data();
    if (!format.validity.RowIsValid(idx)) {
      value->mutable_null();
    } else {
      set(data[idx], value);
    }
  }
}

}  // namespace

void ToDasType(const LogicalType& type, bool nullable, pb_types::Type* out) {
  switch (type.id()) {
    case LogicalTypeId::TINYINT:
      out->mutable_byte()->set_nullable(nullable);
      return;
    case LogicalTypeId::SMALLINT:
    case LogicalTypeId::UTINYINT:
      out->mutable_short_()->set_nullable(nullable);
      return;
    case LogicalTypeId::INTEGER:
    case LogicalTypeId::USMALLINT:
      out->mutable_int_()->set_nullable(nullable);
      return;
    case LogicalTypeId::BIGINT:
    case LogicalTypeId::UINTEGER:
      out->mutable_long_()->set_nullable(nullable);
      return;
    case LogicalTypeId::UBIGINT:
    case LogicalTypeId::HUGEINT:
    case LogicalTypeId::UHUGEINT:
    case LogicalTypeId::DECIMAL:
    case LogicalTypeId::BIGNUM:
      out->mutable_decimal()->set_nullable(nullable);
      return;
    case LogicalTypeId::FLOAT:
      out->mutable_float_()->set_nullable(nullable);
      return;
    case LogicalTypeId::DOUBLE:
      out->mutable_double_()->set_nullable(nullable);
      return;
    case LogicalTypeId::BOOLEAN:
      out->mutable_bool_()->set_nullable(nullable);
      return;
    case LogicalTypeId::BLOB:
      out->mutable_binary()->set_nullable(nullable);
      return;
    case LogicalTypeId::DATE:
      out->mutable_date()->set_nullable(nullable);
      return;
    case LogicalTypeId::TIME:
    case LogicalTypeId::TIME_TZ:
      out->mutable_time()->set_nullable(nullable);
      return;
    case LogicalTypeId::TIMESTAMP:
    case LogicalTypeId::TIMESTAMP_SEC:
    case LogicalTypeId::TIMESTAMP_MS:
    case LogicalTypeId::TIMESTAMP_NS:
    case LogicalTypeId::TIMESTAMP_TZ:
      out->mutable_timestamp()->set_nullable(nullable);
      return;
    case LogicalTypeId::INTERVAL:
      out->mutable_interval()->set_nullable(nullable);
      return;
    case LogicalTypeId::LIST:
      ToDasType(duckdb::ListType::GetChildType(type), true, out->mutable_list()->mutable_inner_type());
      out->mutable_list()->set_nullable(nullable);
      return;
    case LogicalTypeId::ARRAY:
      ToDasType(duckdb::ArrayType::GetChildType(type), true, out->mutable_list()->mutable_inner_type());
      out->mutable_list()->set_nullable(nullable);
      return;
    case LogicalTypeId::STRUCT: {
      auto* record = out->mutable_record();
      for (const auto& [name, child] : duckdb::StructType::GetChildTypes(type)) {
        auto* att = record->add_atts();
        att->set_name(name);
        ToDasType(child, true, att->mutable_tipe());
      }
      record->set_nullable(nullable);
      return;
    }
    case LogicalTypeId::MAP:
      out->mutable_record()->set_nullable(nullable);
      return;
    case LogicalTypeId::UNION:
      out->mutable_any();
      return;
    case LogicalTypeId::VARCHAR:
      if (type.IsJSONType()) {
        out->mutable_any();
        return;
      }
      out->mutable_string()->set_nullable(nullable);
      return;
    default:  // UUID, ENUM, BIT and anything else: its text
      out->mutable_string()->set_nullable(nullable);
      return;
  }
}

void ToDasValue(const duckdb::Value& value, pb_types::Value* out) {
  if (value.IsNull()) {
    out->mutable_null();
    return;
  }
  const auto& type = value.type();
  switch (type.id()) {
    case LogicalTypeId::TINYINT:
      out->mutable_byte()->set_v(value.GetValue<int8_t>());
      return;
    case LogicalTypeId::SMALLINT:
    case LogicalTypeId::UTINYINT:
      out->mutable_short_()->set_v(value.GetValue<int32_t>());
      return;
    case LogicalTypeId::INTEGER:
    case LogicalTypeId::USMALLINT:
      out->mutable_int_()->set_v(value.GetValue<int32_t>());
      return;
    case LogicalTypeId::BIGINT:
    case LogicalTypeId::UINTEGER:
      out->mutable_long_()->set_v(value.GetValue<int64_t>());
      return;
    case LogicalTypeId::UBIGINT:
    case LogicalTypeId::HUGEINT:
    case LogicalTypeId::UHUGEINT:
    case LogicalTypeId::DECIMAL:
    case LogicalTypeId::BIGNUM:
      out->mutable_decimal()->set_v(value.ToString());
      return;
    case LogicalTypeId::FLOAT:
      out->mutable_float_()->set_v(value.GetValue<float>());
      return;
    case LogicalTypeId::DOUBLE:
      out->mutable_double_()->set_v(value.GetValue<double>());
      return;
    case LogicalTypeId::BOOLEAN:
      out->mutable_bool_()->set_v(value.GetValue<bool>());
      return;
    case LogicalTypeId::BLOB:
      out->mutable_binary()->set_v(duckdb::StringValue::Get(value));
      return;
    case LogicalTypeId::DATE:
      SetDate(value.GetValue<duckdb::date_t>(), out->mutable_date());
      return;
    case LogicalTypeId::TIME:
      SetTime(value.GetValue<duckdb::dtime_t>(), 0, out->mutable_time());
      return;
    case LogicalTypeId::TIME_TZ:
      SetTime(value.GetValue<duckdb::dtime_tz_t>().time(), 0, out->mutable_time());
      return;
    case LogicalTypeId::TIMESTAMP:
      SetTimestamp(value.GetValue<duckdb::timestamp_t>(), 0, out);
      return;
    case LogicalTypeId::TIMESTAMP_TZ:  // UTC
      SetTimestamp(value.GetValue<duckdb::timestamp_tz_t>(), 0, out);
      return;
    case LogicalTypeId::TIMESTAMP_SEC:
    case LogicalTypeId::TIMESTAMP_MS:
      SetTimestamp(value.DefaultCastAs(LogicalType::TIMESTAMP).GetValue<duckdb::timestamp_t>(), 0, out);
      return;
    case LogicalTypeId::TIMESTAMP_NS: {
      int64_t nanos = value.GetValue<duckdb::timestamp_ns_t>().value;
      int64_t micros = nanos / 1000, rest = nanos % 1000;
      if (rest < 0) {
        micros -= 1;
        rest += 1000;
      }
      SetTimestamp(duckdb::timestamp_t(micros), static_cast<int32_t>(rest), out);
      return;
    }
    case LogicalTypeId::INTERVAL:
      SetInterval(value.GetValue<duckdb::interval_t>(), out->mutable_interval());
      return;
    case LogicalTypeId::LIST:
    case LogicalTypeId::ARRAY: {
      auto* list = out->mutable_list();
      const auto& children = type.id() == LogicalTypeId::LIST ? duckdb::ListValue::GetChildren(value)
                                                              : duckdb::ArrayValue::GetChildren(value);
      for (const auto& child : children) ToDasValue(child, list->add_values());
      return;
    }
    case LogicalTypeId::STRUCT: {
      auto* record = out->mutable_record();
      const auto& children = duckdb::StructValue::GetChildren(value);
      for (size_t i = 0; i < children.size(); ++i) {
        auto* att = record->add_atts();
        att->set_name(duckdb::StructType::GetChildName(type, i));
        ToDasValue(children[i], att->mutable_value());
      }
      return;
    }
    case LogicalTypeId::MAP: {
      auto* record = out->mutable_record();
      for (const auto& entry : duckdb::ListValue::GetChildren(value)) {
        const auto& kv = duckdb::StructValue::GetChildren(entry);
        auto* att = record->add_atts();
        att->set_name(kv[0].ToString());
        ToDasValue(kv[1], att->mutable_value());
      }
      return;
    }
    case LogicalTypeId::UNION:
      ToDasValue(duckdb::UnionValue::GetValue(value), out);
      return;
    case LogicalTypeId::VARCHAR:
      if (type.IsJSONType()) {
        auto parsed = nlohmann::json::parse(duckdb::StringValue::Get(value), nullptr, false);
        if (!parsed.is_discarded()) {
          JsonToDas(parsed, out);
          return;
        }
      }
      out->mutable_string()->set_v(duckdb::StringValue::Get(value));
      return;
    default:
      out->mutable_string()->set_v(value.ToString());
      return;
  }
}

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
      return duckdb::Value::INTERVAL(Clamp32(static_cast<int64_t>(iv.years()) * 12 + iv.months()), iv.days(),
                                     micros);
    }
    case pb_types::Value::kRecord:
      return RecordFromDas(value.record(), target);
    case pb_types::Value::kList:
      return ListFromDas(value.list(), target);
  }
  return duckdb::Value(LogicalType::SQLNULL);
}

size_t AppendRows(const std::vector<std::string>& columns, duckdb::DataChunk& chunk, size_t begin, size_t end,
                  pb_tables::Rows* rows) {
  size_t count = end - begin;
  int first = rows->rows_size();
  for (size_t i = 0; i < count; ++i) {
    auto* row = rows->add_rows();
    for (const auto& name : columns) row->add_columns()->set_name(name);
  }
  for (size_t col = 0; col < columns.size(); ++col) {
    auto& vector = chunk.data[col];
    switch (vector.GetType().id()) {
      case LogicalTypeId::INTEGER:
        FillColumn<int32_t>(vector, chunk.size(), begin, count, rows, first, col,
                            [](int32_t v, pb_types::Value* out) { out->mutable_int_()->set_v(v); });
        break;
      case LogicalTypeId::BIGINT:
        FillColumn<int64_t>(vector, chunk.size(), begin, count, rows, first, col,
                            [](int64_t v, pb_types::Value* out) { out->mutable_long_()->set_v(v); });
        break;
      case LogicalTypeId::DOUBLE:
        FillColumn<double>(vector, chunk.size(), begin, count, rows, first, col,
                           [](double v, pb_types::Value* out) { out->mutable_double_()->set_v(v); });
        break;
      case LogicalTypeId::BOOLEAN:
        FillColumn<bool>(vector, chunk.size(), begin, count, rows, first, col,
                         [](bool v, pb_types::Value* out) { out->mutable_bool_()->set_v(v); });
        break;
      case LogicalTypeId::DATE:
        FillColumn<duckdb::date_t>(
            vector, chunk.size(), begin, count, rows, first, col,
            [](duckdb::date_t v, pb_types::Value* out) { SetDate(v, out->mutable_date()); });
        break;
      case LogicalTypeId::TIMESTAMP:
      case LogicalTypeId::TIMESTAMP_TZ:
        FillColumn<duckdb::timestamp_t>(
            vector, chunk.size(), begin, count, rows, first, col,
            [](duckdb::timestamp_t v, pb_types::Value* out) { SetTimestamp(v, 0, out); });
        break;
      case LogicalTypeId::VARCHAR:
        if (!vector.GetType().IsJSONType()) {
          FillColumn<duckdb::string_t>(vector, chunk.size(), begin, count, rows, first, col,
                                       [](duckdb::string_t v, pb_types::Value* out) {
                                         out->mutable_string()->set_v(v.GetData(), v.GetSize());
                                       });
          break;
        }
        [[fallthrough]];
      default:
        for (size_t i = 0; i < count; ++i) {
          ToDasValue(vector.GetValue(begin + i), rows->mutable_rows(first + static_cast<int>(i))
                                                     ->mutable_columns(static_cast<int>(col))
                                                     ->mutable_data());
        }
    }
  }
  size_t bytes = 0;
  for (int i = first; i < rows->rows_size(); ++i) {
    size_t row_size = rows->rows(i).ByteSizeLong();
    // A repeated message field costs its tag and length prefix.
    bytes += row_size + 1 + (row_size < 128 ? 1 : row_size < 16384 ? 2 : 3);
  }
  return bytes;
}

}  // namespace duckstore::das
