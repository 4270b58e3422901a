#include "duckstore/api/pgwire/parameter_decoding.hpp"

#include <cstring>

#include "duckstore/api/pgwire/types.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::pgwire {
namespace {

using duckdb::LogicalType;
using duckdb::LogicalTypeId;
using duckdb::Value;

uint64_t Get(std::string_view bytes, size_t offset, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[offset + i]);
  return v;
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

Value DecodeParameter(std::string_view bytes, int16_t format, uint32_t type_oid,
                      const LogicalType& expected) {
  bool list_expected = expected.id() == LogicalTypeId::LIST || expected.id() == LogicalTypeId::ARRAY;
  uint32_t element_oid = ElementTypeOf(type_oid);
  if (element_oid || (list_expected && type_oid == 0)) {
    LogicalType element_type =
        list_expected ? ListElementType(expected) : LogicalType(LogicalTypeId::UNKNOWN);
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
