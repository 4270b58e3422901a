#include "duckstore/api/das/codec_to_das.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "duckdb/common/types/date.hpp"
#include "duckdb/common/types/interval.hpp"
#include "duckdb/common/types/time.hpp"
#include "duckdb/common/types/timestamp.hpp"

namespace duckstore::das {

using duckdb::LogicalType;
using duckdb::LogicalTypeId;

void SetDate(duckdb::date_t date, pb_types::ValueDate* out) {
  int32_t y, m, d;
  duckdb::Date::Convert(date, y, m, d);
  out->set_year(y);
  out->set_month(m);
  out->set_day(d);
}

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

namespace {

void SetTime(duckdb::dtime_t time, int32_t extra_nanos, pb_types::ValueTime* out) {
  int32_t h, m, s, micros;
  duckdb::Time::Convert(time, h, m, s, micros);
  out->set_hour(h);
  out->set_minute(m);
  out->set_second(s);
  out->set_nano(micros * 1000 + extra_nanos);
}

void SetInterval(const duckdb::interval_t& iv, pb_types::ValueInterval* out) {
  out->set_years(iv.months / 12);
  out->set_months(iv.months % 12);
  out->set_days(iv.days);
  int64_t micros = iv.micros;
  out->set_hours(static_cast<int32_t>(
      std::clamp<int64_t>(micros / duckdb::Interval::MICROS_PER_HOUR, INT32_MIN, INT32_MAX)));
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

// TIMESTAMP in every precision, TIMESTAMPTZ in UTC.
void TimestampToDas(const duckdb::Value& value, pb_types::Value* out) {
  switch (value.type().id()) {
    case LogicalTypeId::TIMESTAMP_TZ:
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
    default:
      SetTimestamp(value.GetValue<duckdb::timestamp_t>(), 0, out);
      return;
  }
}

}  // namespace

void ToDasValue(const duckdb::Value& value, pb_types::Value* out) {
  if (value.IsNull()) {
    out->mutable_null();
    return;
  }
  const auto& type = value.type();
  switch (DasKindOf(type)) {
    case DasKind::kByte:
      out->mutable_byte()->set_v(value.GetValue<int8_t>());
      return;
    case DasKind::kShort:
      out->mutable_short_()->set_v(value.GetValue<int32_t>());
      return;
    case DasKind::kInt:
      out->mutable_int_()->set_v(value.GetValue<int32_t>());
      return;
    case DasKind::kLong:
      out->mutable_long_()->set_v(value.GetValue<int64_t>());
      return;
    case DasKind::kDecimal:
      out->mutable_decimal()->set_v(value.ToString());
      return;
    case DasKind::kFloat:
      out->mutable_float_()->set_v(value.GetValue<float>());
      return;
    case DasKind::kDouble:
      out->mutable_double_()->set_v(value.GetValue<double>());
      return;
    case DasKind::kBool:
      out->mutable_bool_()->set_v(value.GetValue<bool>());
      return;
    case DasKind::kBinary:
      out->mutable_binary()->set_v(duckdb::StringValue::Get(value));
      return;
    case DasKind::kDate:
      SetDate(value.GetValue<duckdb::date_t>(), out->mutable_date());
      return;
    case DasKind::kTime:
      SetTime(type.id() == LogicalTypeId::TIME_TZ ? value.GetValue<duckdb::dtime_tz_t>().time()
                                                  : value.GetValue<duckdb::dtime_t>(),
              0, out->mutable_time());
      return;
    case DasKind::kTimestamp:
      TimestampToDas(value, out);
      return;
    case DasKind::kInterval:
      SetInterval(value.GetValue<duckdb::interval_t>(), out->mutable_interval());
      return;
    case DasKind::kList: {
      auto* list = out->mutable_list();
      const auto& children = type.id() == LogicalTypeId::LIST ? duckdb::ListValue::GetChildren(value)
                                                              : duckdb::ArrayValue::GetChildren(value);
      for (const auto& child : children) ToDasValue(child, list->add_values());
      return;
    }
    case DasKind::kRecord: {
      auto* record = out->mutable_record();
      const auto& children = duckdb::StructValue::GetChildren(value);
      for (size_t i = 0; i < children.size(); ++i) {
        auto* att = record->add_atts();
        att->set_name(duckdb::StructType::GetChildName(type, i));
        ToDasValue(children[i], att->mutable_value());
      }
      return;
    }
    case DasKind::kOpenRecord: {
      auto* record = out->mutable_record();
      for (const auto& entry : duckdb::ListValue::GetChildren(value)) {
        const auto& kv = duckdb::StructValue::GetChildren(entry);
        auto* att = record->add_atts();
        att->set_name(kv[0].ToString());
        ToDasValue(kv[1], att->mutable_value());
      }
      return;
    }
    case DasKind::kAny:
      if (type.id() == LogicalTypeId::UNION) {
        ToDasValue(duckdb::UnionValue::GetValue(value), out);
        return;
      }
      if (auto parsed = nlohmann::json::parse(duckdb::StringValue::Get(value), nullptr, false);
          !parsed.is_discarded()) {
        JsonToDas(parsed, out);
        return;
      }
      out->mutable_string()->set_v(duckdb::StringValue::Get(value));
      return;
    case DasKind::kString:
      out->mutable_string()->set_v(type.id() == LogicalTypeId::VARCHAR ? duckdb::StringValue::Get(value)
                                                                       : value.ToString());
      return;
  }
}

}  // namespace duckstore::das
