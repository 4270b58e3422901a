#include "duckstore/api/pgwire/types.hpp"

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "duckstore/common/error.hpp"

namespace duckstore::pgwire {
namespace {

using duckdb::LogicalType;
using duckdb::LogicalTypeId;
using duckdb::Value;

constexpr int64_t kEpochShiftDays = 10957;  // 1970-01-01 to 2000-01-01
constexpr int64_t kEpochShiftMicros = kEpochShiftDays * 86'400'000'000LL;

// The array type of a scalar type, or 0 when PostgreSQL has none we use.
uint32_t ArrayOf(uint32_t element) {
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
uint32_t ElementOf(uint32_t array) {
  for (uint32_t element :
       {oid::kBool, oid::kBytea, oid::kInt2, oid::kInt4, oid::kText, oid::kVarchar, oid::kInt8, oid::kFloat4,
        oid::kFloat8, oid::kTimestamp, oid::kDate, oid::kTime, oid::kTimestampTz, oid::kInterval,
        oid::kNumeric, oid::kTimeTz, oid::kUuid, oid::kJson}) {
    if (ArrayOf(element) == array) return element;
  }
  return 0;
}

bool IsNested(const LogicalType& type) {
  return type.id() == LogicalTypeId::LIST || type.id() == LogicalTypeId::ARRAY ||
         type.id() == LogicalTypeId::STRUCT || type.id() == LogicalTypeId::MAP ||
         type.id() == LogicalTypeId::UNION;
}

const LogicalType& ElementType(const LogicalType& type) {
  return type.id() == LogicalTypeId::LIST ? duckdb::ListType::GetChildType(type)
                                          : duckdb::ArrayType::GetChildType(type);
}

const duckdb::vector<Value>& Elements(const Value& value) {
  return value.type().id() == LogicalTypeId::LIST ? duckdb::ListValue::GetChildren(value)
                                                  : duckdb::ArrayValue::GetChildren(value);
}

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
uint64_t Get(std::string_view bytes, size_t offset, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[offset + i]);
  return v;
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
  for (const auto& child : Elements(list)) {
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

std::string NumericFromBinary(std::string_view bytes) {
  if (bytes.size() < 8) throw InvalidArgument("invalid_parameter", "invalid binary numeric");
  auto ndigits = Get(bytes, 0, 2);
  auto weight = static_cast<int16_t>(Get(bytes, 2, 2));
  auto sign = Get(bytes, 4, 2);
  auto dscale = Get(bytes, 6, 2);
  if (bytes.size() != 8 + 2 * ndigits || sign == 0xC000 || dscale > 1000)
    throw InvalidArgument("invalid_parameter", "invalid binary numeric");
  std::string integer, fraction;
  for (int64_t group = 0; group <= std::max<int64_t>(weight, 0); ++group) {
    uint64_t d = group <= weight && group < static_cast<int64_t>(ndigits) ? Get(bytes, 8 + 2 * group, 2) : 0;
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04llu", static_cast<unsigned long long>(d % 10000));
    integer += buf;
  }
  for (int64_t group = weight + 1; static_cast<int64_t>(fraction.size()) < static_cast<int64_t>(dscale);
       ++group) {
    uint64_t d = group >= 0 && group < static_cast<int64_t>(ndigits) ? Get(bytes, 8 + 2 * group, 2) : 0;
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04llu", static_cast<unsigned long long>(d % 10000));
    fraction += group < 0 ? "0000" : buf;
  }
  fraction.resize(dscale);
  while (integer.size() > 1 && integer[0] == '0') integer.erase(0, 1);
  return (sign == 0x4000 ? "-" : "") + integer + (dscale ? "." + fraction : "");
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
  const auto& elements = Elements(value);
  bool has_null = false;
  for (const auto& element : elements) has_null |= element.IsNull();
  Put32(out, elements.empty() ? 0 : 1);
  Put32(out, has_null ? 1 : 0);
  Put32(out, PgTypeOf(ElementType(value.type())).oid);
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
      if (IsNested(type)) {
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

std::string ByteaFromText(std::string_view text) {
  if (text.size() >= 2 && text[0] == '\\' && text[1] == 'x') {
    std::string out;
    for (size_t i = 2; i < text.size(); ++i) {
      if (std::isspace(static_cast<unsigned char>(text[i]))) continue;
      if (i + 1 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i])) ||
          !std::isxdigit(static_cast<unsigned char>(text[i + 1])))
        throw InvalidArgument("invalid_parameter", "invalid hexadecimal data in a bytea parameter");
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
      ++i;
    }
    return out;
  }
  // The escape format: backslash-octal and doubled backslashes.
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out.push_back(text[i]);
    } else if (i + 1 < text.size() && text[i + 1] == '\\') {
      out.push_back('\\');
      ++i;
    } else if (i + 3 < text.size() + 0 && std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 3)), nullptr, 8)));
      i += 3;
    } else {
      throw InvalidArgument("invalid_parameter", "invalid escape in a bytea parameter");
    }
  }
  return out;
}

// A binary parameter as a DuckDB value of the type its OID names.
Value FromBinary(std::string_view bytes, uint32_t type_oid) {
  auto need = [&](size_t size) {
    if (bytes.size() != size)
      throw InvalidArgument("invalid_parameter", "binary parameter of type " + std::to_string(type_oid) +
                                                     " has " + std::to_string(bytes.size()) + " bytes");
  };
  switch (type_oid) {
    case oid::kBool:
      need(1);
      return Value::BOOLEAN(bytes[0] != 0);
    case oid::kInt2:
      need(2);
      return Value::SMALLINT(static_cast<int16_t>(Get(bytes, 0, 2)));
    case oid::kInt4:
    case oid::kOid:
      need(4);
      return Value::INTEGER(static_cast<int32_t>(Get(bytes, 0, 4)));
    case oid::kInt8:
      need(8);
      return Value::BIGINT(static_cast<int64_t>(Get(bytes, 0, 8)));
    case oid::kFloat4: {
      need(4);
      auto bits = static_cast<uint32_t>(Get(bytes, 0, 4));
      float v;
      std::memcpy(&v, &bits, 4);
      return Value::FLOAT(v);
    }
    case oid::kFloat8: {
      need(8);
      auto bits = Get(bytes, 0, 8);
      double v;
      std::memcpy(&v, &bits, 8);
      return Value::DOUBLE(v);
    }
    case oid::kBytea:
      return Value::BLOB(reinterpret_cast<duckdb::const_data_ptr_t>(bytes.data()), bytes.size());
    case oid::kDate:
      need(4);
      return Value::DATE(
          duckdb::date_t(static_cast<int32_t>(Get(bytes, 0, 4)) + static_cast<int32_t>(kEpochShiftDays)));
    case oid::kTime:
      need(8);
      return Value::TIME(duckdb::dtime_t(static_cast<int64_t>(Get(bytes, 0, 8))));
    case oid::kTimestamp:
      need(8);
      return Value::TIMESTAMP(
          duckdb::timestamp_t(static_cast<int64_t>(Get(bytes, 0, 8)) + kEpochShiftMicros));
    case oid::kTimestampTz:
      need(8);
      return Value::TIMESTAMPTZ(
          duckdb::timestamp_tz_t(static_cast<int64_t>(Get(bytes, 0, 8)) + kEpochShiftMicros));
    case oid::kInterval:
      need(16);
      return Value::INTERVAL(static_cast<int32_t>(Get(bytes, 12, 4)), static_cast<int32_t>(Get(bytes, 8, 4)),
                             static_cast<int64_t>(Get(bytes, 0, 8)));
    case oid::kUuid: {
      need(16);
      static const char* kHex = "0123456789abcdef";
      std::string text;
      for (size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
        text += kHex[static_cast<unsigned char>(bytes[i]) >> 4];
        text += kHex[static_cast<unsigned char>(bytes[i]) & 15];
      }
      return Value::UUID(text);
    }
    case oid::kNumeric:
      return Value(NumericFromBinary(bytes));
    default:
      // text, varchar, name, json, unknown: the bytes are the text.
      return Value(std::string(bytes));
  }
}

// A one-dimensional array parameter ("{1,NULL,"a b"}" or the binary form) as a LIST of `element_type`.
Value DecodeArray(std::string_view bytes, int16_t format, uint32_t element_oid,
                  const LogicalType& element_type) {
  auto bad = [] { return InvalidArgument("invalid_parameter", "malformed array parameter"); };
  duckdb::vector<Value> values;
  if (format == 1) {
    if (bytes.size() < 12) throw bad();
    auto ndim = Get(bytes, 0, 4);
    size_t at = 12;
    uint64_t count = 0;
    if (ndim > 1)
      throw InvalidArgument("invalid_parameter", "multi-dimensional array parameters are not supported");
    if (ndim == 1) {
      if (bytes.size() < 20) throw bad();
      count = Get(bytes, 12, 4);
      at = 20;
    }
    for (uint64_t i = 0; i < count; ++i) {
      if (bytes.size() - at < 4) throw bad();
      auto length = static_cast<int32_t>(Get(bytes, at, 4));
      at += 4;
      if (length < 0) {
        values.push_back(Value(element_type));
        continue;
      }
      if (bytes.size() - at < static_cast<size_t>(length)) throw bad();
      values.push_back(DecodeParameter(bytes.substr(at, length), 1, element_oid, element_type));
      at += length;
    }
    if (at != bytes.size()) throw bad();
    return Value::LIST(element_type, std::move(values));
  }
  if (bytes.size() < 2 || bytes.front() != '{' || bytes.back() != '}') throw bad();
  std::string_view body = bytes.substr(1, bytes.size() - 2);
  size_t i = 0;
  while (i < body.size()) {
    std::string element;
    bool quoted = false;
    if (body[i] == '"') {
      quoted = true;
      for (++i; i < body.size() && body[i] != '"'; ++i) {
        if (body[i] == '\\' && i + 1 < body.size()) ++i;
        element += body[i];
      }
      if (i >= body.size()) throw bad();
      ++i;
    } else {
      for (; i < body.size() && body[i] != ','; ++i) element += body[i];
      duckdb::StringUtil::Trim(element);
    }
    if (!quoted && duckdb::StringUtil::CIEquals(element, "NULL")) {
      values.push_back(Value(element_type));
    } else {
      values.push_back(DecodeParameter(element, 0, element_oid, element_type));
    }
    if (i < body.size()) {
      if (body[i] != ',') throw bad();
      ++i;
    }
  }
  return Value::LIST(element_type, std::move(values));
}

bool Concrete(const LogicalType& type) {
  auto id = type.id();
  return id != LogicalTypeId::UNKNOWN && id != LogicalTypeId::ANY && id != LogicalTypeId::INVALID &&
         id != LogicalTypeId::SQLNULL;
}

}  // namespace

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
      const auto& element = ElementType(type);
      uint32_t array = IsNested(element) ? 0 : ArrayOf(PgTypeOf(element).oid);
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

void EncodeValue(const Value& value, int16_t format, std::string& out) {
  if (format == 1) {
    BinaryOf(value, out);
    return;
  }
  auto pg = PgTypeOf(value.type());
  if (pg.oid == oid::kJson && IsNested(value.type())) {
    JsonOf(value, out);
  } else if (value.type().id() == LogicalTypeId::LIST || value.type().id() == LogicalTypeId::ARRAY) {
    ArrayElement(value, out);
  } else {
    out += ScalarText(value);
  }
}

Value DecodeParameter(std::string_view bytes, int16_t format, uint32_t type_oid,
                      const LogicalType& expected) {
  bool list_expected = expected.id() == LogicalTypeId::LIST || expected.id() == LogicalTypeId::ARRAY;
  uint32_t element_oid = ElementOf(type_oid);
  if (element_oid || (list_expected && type_oid == 0)) {
    LogicalType element_type = list_expected ? ElementType(expected) : LogicalType(LogicalTypeId::UNKNOWN);
    if (!Concrete(element_type) && element_oid) element_type = LogicalType::VARCHAR;
    Value list = DecodeArray(bytes, format, element_oid, element_type);
    if (!Concrete(expected) || list.type() == expected) return list;
    return list.DefaultCastAs(expected);
  }

  uint32_t wire_type = type_oid ? type_oid : (Concrete(expected) ? PgTypeOf(expected).oid : oid::kText);
  Value value;
  if (format == 1) {
    value = FromBinary(bytes, wire_type);
  } else if (wire_type == oid::kBytea || expected.id() == LogicalTypeId::BLOB) {
    auto raw = ByteaFromText(bytes);
    value = Value::BLOB(reinterpret_cast<duckdb::const_data_ptr_t>(raw.data()), raw.size());
  } else {
    value = Value(std::string(bytes));
  }
  if (!Concrete(expected) || value.type() == expected) return value;
  Value cast;
  std::string error;
  if (!value.DefaultTryCastAs(expected, cast, &error, /*strict=*/false)) {
    throw InvalidArgument("invalid_parameter", "invalid input syntax for type " + expected.ToString() +
                                                   ": \"" + std::string(bytes.substr(0, 64)) + "\"");
  }
  return cast;
}

}  // namespace duckstore::pgwire
