#include "duckstore/api/pgwire/value_encoding.hpp"

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "duckstore/api/pgwire/types.hpp"

namespace duckstore::pgwire {
namespace {

using duckdb::LogicalType;
using duckdb::LogicalTypeId;
using duckdb::Value;

void Put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}
void Put32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
void Put64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

// --- Text ---

std::string FloatText(double v, const std::string& shortest) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return shortest;
}

void Plural(std::string& out, int64_t n, const char* unit) {
  if (!out.empty()) out += ' ';
  out += std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
}

// PostgreSQL's IntervalStyle "postgres": "1 year 2 mons 3 days 04:05:06.5".
std::string IntervalText(const duckdb::interval_t& v) {
  std::string out;
  int64_t years = v.months / 12, months = v.months % 12;
  if (years) Plural(out, years, "year");
  if (months) Plural(out, months, "mon");
  if (v.days) Plural(out, v.days, "day");
  bool negative_before = years < 0 || months < 0 || v.days < 0;
  if (v.micros != 0 || out.empty()) {
    if (!out.empty()) out += ' ';
    uint64_t micros = v.micros < 0 ? -static_cast<uint64_t>(v.micros) : static_cast<uint64_t>(v.micros);
    if (v.micros < 0) {
      out += '-';
    } else if (negative_before && v.micros > 0) {
      out += '+';
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02llu:%02llu:%02llu",
                  static_cast<unsigned long long>(micros / 3'600'000'000ULL),
                  static_cast<unsigned long long>(micros / 60'000'000ULL % 60),
                  static_cast<unsigned long long>(micros / 1'000'000ULL % 60));
    out += buf;
    if (auto fraction = micros % 1'000'000ULL) {
      std::snprintf(buf, sizeof buf, ".%06llu", static_cast<unsigned long long>(fraction));
      std::string digits = buf;
      while (digits.back() == '0') digits.pop_back();
      out += digits;
    }
  }
  return out;
}

std::string ByteaText(const std::string& bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string ScalarText(const Value& value);

// The elements of a list, each written by `element`, separated by commas between `open` and `close`.
template <typename F>
void Enclose(const Value& list, char open, char close, std::string& out, F element) {
  out += open;
  bool first = true;
  for (const auto& child : ListElements(list)) {
    if (!first) out += ',';
    first = false;
    element(child, out);
  }
  out += close;
}

// An element of an array literal: quoted when it would not read back as itself.
void ArrayElement(const Value& value, std::string& out) {
  if (value.IsNull()) {
    out += "NULL";
    return;
  }
  if (value.type().id() == LogicalTypeId::LIST || value.type().id() == LogicalTypeId::ARRAY) {
    Enclose(value, '{', '}', out, ArrayElement);
    return;
  }
  std::string text = ScalarText(value);
  bool quote = text.empty() || duckdb::StringUtil::CIEquals(text, "NULL");
  for (char c : text) {
    if (c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' ||
        std::isspace(static_cast<unsigned char>(c)))
      quote = true;
  }
  if (!quote) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

// JSON of a nested value (STRUCT, MAP, UNION, and lists that are not PostgreSQL arrays).
void JsonOf(const Value& value, std::string& out) {
  if (value.IsNull()) {
    out += "null";
    return;
  }
  const auto& type = value.type();
  switch (type.id()) {
    case LogicalTypeId::BOOLEAN:
      out += value.GetValue<bool>() ? "true" : "false";
      return;
    case LogicalTypeId::TINYINT:
    case LogicalTypeId::SMALLINT:
    case LogicalTypeId::INTEGER:
    case LogicalTypeId::BIGINT:
    case LogicalTypeId::UTINYINT:
    case LogicalTypeId::USMALLINT:
    case LogicalTypeId::UINTEGER:
    case LogicalTypeId::UBIGINT:
    case LogicalTypeId::HUGEINT:
    case LogicalTypeId::UHUGEINT:
    case LogicalTypeId::DECIMAL:
      out += value.ToString();
      return;
    case LogicalTypeId::FLOAT:
    case LogicalTypeId::DOUBLE: {
      double v = value.GetValue<double>();
      out += std::isfinite(v) ? value.ToString() : nlohmann::json(FloatText(v, "")).dump();
      return;
    }
    case LogicalTypeId::LIST:
    case LogicalTypeId::ARRAY: {
      Enclose(value, '[', ']', out, JsonOf);
      return;
    }
    case LogicalTypeId::STRUCT: {
      out += '{';
      const auto& children = duckdb::StructValue::GetChildren(value);
      for (size_t i = 0; i < children.size(); ++i) {
        if (i) out += ',';
        out += nlohmann::json(duckdb::StructType::GetChildName(type, i)).dump() + ":";
        JsonOf(children[i], out);
      }
      out += '}';
      return;
    }
    case LogicalTypeId::MAP: {
      out += '{';
      bool first = true;
      for (const auto& entry : duckdb::MapValue::GetChildren(value)) {
        const auto& pair = duckdb::StructValue::GetChildren(entry);
        if (!first) out += ',';
        first = false;
        out += nlohmann::json(pair[0].ToString()).dump() + ":";
        JsonOf(pair[1], out);
      }
      out += '}';
      return;
    }
    case LogicalTypeId::UNION:
      JsonOf(duckdb::UnionValue::GetValue(value), out);
      return;
    default:
      if (type.id() == LogicalTypeId::VARCHAR && type.HasAlias() && type.GetAlias() == "JSON") {
        out += value.ToString();
        return;
      }
      out += nlohmann::json(ScalarText(value)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

std::string ScalarText(const Value& value) {
  switch (value.type().id()) {
    case LogicalTypeId::BOOLEAN:
      return value.GetValue<bool>() ? "t" : "f";
    case LogicalTypeId::FLOAT:
    case LogicalTypeId::DOUBLE:
      return FloatText(value.GetValue<double>(), value.ToString());
    case LogicalTypeId::BLOB:
      return ByteaText(value.GetValueUnsafe<std::string>());
    case LogicalTypeId::INTERVAL:
      return IntervalText(duckdb::IntervalValue::Get(value));
    // TIMESTAMP_TZ included: DuckDB renders UTC with "+00" when no time zone applies, as PostgreSQL does
    // under TimeZone UTC.
    default:
      return value.ToString();
  }
}

// --- Binary ---

// numeric's binary form from its decimal text ("-12.340"): base-10000 digits around the point.
void NumericBinary(const std::string& text, std::string& out) {
  bool negative = !text.empty() && text[0] == '-';
  std::string body = text.substr(negative ? 1 : 0);
  auto point = body.find('.');
  std::string integer = body.substr(0, point);
  std::string fraction = point == std::string::npos ? "" : body.substr(point + 1);
  int16_t dscale = static_cast<int16_t>(fraction.size());
  integer.insert(0, (4 - integer.size() % 4) % 4, '0');
  fraction.append((4 - fraction.size() % 4) % 4, '0');
  std::vector<int16_t> digits;
  for (size_t i = 0; i < integer.size(); i += 4)
    digits.push_back(static_cast<int16_t>(std::stoi(integer.substr(i, 4))));
  for (size_t i = 0; i < fraction.size(); i += 4)
    digits.push_back(static_cast<int16_t>(std::stoi(fraction.substr(i, 4))));
  int weight = static_cast<int>(integer.size() / 4) - 1;
  size_t begin = 0;
  while (begin < digits.size() && digits[begin] == 0) {
    ++begin;
    --weight;
  }
  size_t end = digits.size();
  while (end > begin && digits[end - 1] == 0) --end;
  if (begin == end) weight = 0;
  Put16(out, static_cast<uint16_t>(end - begin));
  Put16(out, static_cast<uint16_t>(weight));
  Put16(out, negative && begin != end ? 0x4000 : 0x0000);
  Put16(out, static_cast<uint16_t>(dscale));
  for (size_t i = begin; i < end; ++i) Put16(out, static_cast<uint16_t>(digits[i]));
}

void UuidBinary(const std::string& text, std::string& out) {
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '-') continue;
    out.push_back(static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16)));
    ++i;
  }
}

void BinaryOf(const Value& value, std::string& out);

void ArrayBinary(const Value& value, std::string& out) {
  const auto& elements = ListElements(value);
  bool has_null = false;
  for (const auto& element : elements) has_null |= element.IsNull();
  Put32(out, elements.empty() ? 0 : 1);
  Put32(out, has_null ? 1 : 0);
  Put32(out, PgTypeOf(ListElementType(value.type())).oid);
  if (!elements.empty()) {
    Put32(out, static_cast<uint32_t>(elements.size()));
    Put32(out, 1);  // lower bound
  }
  for (const auto& element : elements) {
    if (element.IsNull()) {
      Put32(out, 0xFFFFFFFFu);
      continue;
    }
    size_t at = out.size();
    Put32(out, 0);
    BinaryOf(element, out);
    uint32_t length = static_cast<uint32_t>(out.size() - at - 4);
    for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>(length >> (24 - 8 * i));
  }
}

void BinaryOf(const Value& value, std::string& out) {
  const auto& type = value.type();
  switch (PgTypeOf(type).oid) {
    case oid::kBool:
      out.push_back(value.GetValue<bool>() ? 1 : 0);
      return;
    case oid::kInt2:
      Put16(out, static_cast<uint16_t>(value.GetValue<int16_t>()));
      return;
    case oid::kInt4:
      Put32(out, static_cast<uint32_t>(value.GetValue<int32_t>()));
      return;
    case oid::kInt8:
      Put64(out, static_cast<uint64_t>(value.GetValue<int64_t>()));
      return;
    case oid::kFloat4: {
      float v = value.GetValue<float>();
      uint32_t bits;
      std::memcpy(&bits, &v, 4);
      Put32(out, bits);
      return;
    }
    case oid::kFloat8: {
      double v = value.GetValue<double>();
      uint64_t bits;
      std::memcpy(&bits, &v, 8);
      Put64(out, bits);
      return;
    }
    case oid::kNumeric:
      NumericBinary(value.ToString(), out);
      return;
    case oid::kBytea:
      out += value.GetValueUnsafe<std::string>();
      return;
    case oid::kDate:
      Put32(out, static_cast<uint32_t>(value.GetValue<duckdb::date_t>().days - kEpochShiftDays));
      return;
    case oid::kTime:
      Put64(out,
            static_cast<uint64_t>(value.DefaultCastAs(LogicalType::TIME).GetValue<duckdb::dtime_t>().micros));
      return;
    case oid::kTimeTz: {
      auto v = value.GetValue<duckdb::dtime_tz_t>();
      Put64(out, static_cast<uint64_t>(v.time().micros));
      Put32(out, static_cast<uint32_t>(-v.offset()));  // PostgreSQL counts seconds west of UTC
      return;
    }
    case oid::kTimestamp:
    case oid::kTimestampTz: {
      auto target =
          type.id() == LogicalTypeId::TIMESTAMP_TZ ? LogicalType::TIMESTAMP_TZ : LogicalType::TIMESTAMP;
      auto micros = value.DefaultCastAs(target).GetValueUnsafe<duckdb::timestamp_t>().value;
      Put64(out, static_cast<uint64_t>(micros - kEpochShiftMicros));
      return;
    }
    case oid::kInterval: {
      auto v = duckdb::IntervalValue::Get(value);
      Put64(out, static_cast<uint64_t>(v.micros));
      Put32(out, static_cast<uint32_t>(v.days));
      Put32(out, static_cast<uint32_t>(v.months));
      return;
    }
    case oid::kUuid:
      UuidBinary(value.ToString(), out);
      return;
    case oid::kJson:
      if (IsNestedType(type)) {
        JsonOf(value, out);
      } else {
        out += value.ToString();
      }
      return;
    default:
      if (type.id() == LogicalTypeId::LIST || type.id() == LogicalTypeId::ARRAY) {
        ArrayBinary(value, out);  // PgTypeOf gave an array type: nested lists are json above
        return;
      }
      out += ScalarText(value);
  }
}

}  // namespace

void EncodeValue(const Value& value, int16_t format, std::string& out) {
  if (format == 1) {
    BinaryOf(value, out);
    return;
  }
  auto pg = PgTypeOf(value.type());
  if (pg.oid == oid::kJson && IsNestedType(value.type())) {
    JsonOf(value, out);
  } else if (value.type().id() == LogicalTypeId::LIST || value.type().id() == LogicalTypeId::ARRAY) {
    ArrayElement(value, out);
  } else {
    out += ScalarText(value);
  }
}

}  // namespace duckstore::pgwire
