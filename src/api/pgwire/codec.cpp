#include "duckstore/api/pgwire/codec.hpp"

#include <cstring>

namespace duckstore::pgwire {
namespace {

uint32_t ReadUint32(const char* p) {
  auto b = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

// Reads the fields of one message body in order; every read past the end throws.
class Reader {
 public:
  Reader(std::string_view body, const char* what) : body_(body), what_(what) {}

  char Byte() { return Take(1)[0]; }
  int16_t Int16() {
    auto p = reinterpret_cast<const unsigned char*>(Take(2).data());
    return static_cast<int16_t>((p[0] << 8) | p[1]);
  }
  // Take(4) holds exactly the four bytes read.
  int32_t Int32() {
    return static_cast<int32_t>(
        ReadUint32(Take(4).data()));  // NOLINT(bugprone-suspicious-stringview-data-usage)
  }
  std::string_view CString() {
    auto end = body_.find('\0', pos_);
    if (end == std::string_view::npos) Fail("a string lacks its terminator");
    auto out = body_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return out;
  }
  std::string_view Take(size_t n) {
    if (body_.size() - pos_ < n) Fail("the message is shorter than its fields");
    auto out = body_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  // A count (Int16) that must not be negative.
  size_t Count() {
    int16_t n = Int16();
    if (n < 0) Fail("a negative count");
    return static_cast<size_t>(n);
  }
  std::string_view Rest() {
    auto out = body_.substr(pos_);
    pos_ = body_.size();
    return out;
  }
  bool AtEnd() const { return pos_ == body_.size(); }
  void Finish() {
    if (!AtEnd()) Fail("the message has trailing bytes");
  }
  [[noreturn]] void Fail(const std::string& why) {
    throw ProtocolError(std::string("invalid ") + what_ + " message: " + why);
  }

 private:
  std::string_view body_;
  const char* what_;
  size_t pos_ = 0;
};

std::vector<int16_t> Formats(Reader& r) {
  std::vector<int16_t> out(r.Count());
  for (auto& format : out) format = r.Int16();
  return out;
}

Message ParseBind(Reader& r) {
  Bind bind;
  bind.portal = r.CString();
  bind.statement = r.CString();
  bind.parameter_formats = Formats(r);
  bind.parameters.resize(r.Count());
  for (auto& parameter : bind.parameters) {
    int32_t length = r.Int32();
    if (length < -1) r.Fail("a parameter length below -1");
    if (length >= 0) parameter = std::string(r.Take(static_cast<size_t>(length)));
  }
  bind.result_formats = Formats(r);
  return bind;
}

char Kind(Reader& r) {
  char kind = r.Byte();
  if (kind != 'S' && kind != 'P') r.Fail("the kind must be 'S' or 'P'");
  return kind;
}

}  // namespace

std::optional<Frame> ScanFrame(std::string_view buffer, bool startup, const Limits& limits, size_t* needed) {
  size_t header = startup ? 4 : 5;
  if (buffer.size() < header) {
    if (needed) *needed = header;
    return std::nullopt;
  }
  char type = startup ? '\0' : buffer[0];
  uint32_t length = ReadUint32(buffer.data() + header - 4);
  // A startup packet holds at least its protocol code; any other length counts only itself.
  if (length < (startup ? 8u : 4u)) throw ProtocolError("invalid message length " + std::to_string(length));
  uint64_t limit = startup       ? kMaxStartupBytes
                   : type == 'd' ? limits.max_copy_data_bytes
                                 : limits.max_message_bytes;
  if (length > limit) {
    throw ProtocolError(
        "message of " + std::to_string(length) + " bytes exceeds the limit of " + std::to_string(limit),
        "54000");
  }
  size_t total = header - 4 + length;
  if (buffer.size() < total) {
    if (needed) *needed = total;
    return std::nullopt;
  }
  return Frame{type, buffer.substr(header, total - header), total};
}

StartupPacket ParseStartup(std::string_view body) {
  Reader r(body, "startup");
  uint32_t code = static_cast<uint32_t>(r.Int32());
  if (code == kSslRequestCode || code == kGssEncRequestCode) {
    r.Finish();
    if (code == kSslRequestCode) return SslRequest{};
    return GssEncRequest{};
  }
  if (code == kCancelRequestCode) {
    CancelRequest cancel;
    cancel.pid = r.Int32();
    cancel.secret = r.Int32();
    r.Finish();
    return cancel;
  }
  StartupMessage startup;
  startup.version = code;
  // Name/value pairs until an empty name; a packet of an unknown version may lay out its body otherwise.
  if (code >> 16 != 3) return startup;
  while (true) {
    auto name = r.CString();
    if (name.empty()) break;
    startup.parameters.emplace_back(name, r.CString());
  }
  r.Finish();
  return startup;
}

Message ParseMessage(const Frame& frame) {
  Reader r(frame.body, "protocol");
  Message out;
  switch (frame.type) {
    case 'Q':
      out = Query{std::string(r.CString())};
      break;
    case 'P': {
      Parse parse;
      parse.statement = r.CString();
      parse.sql = r.CString();
      parse.parameter_types.resize(r.Count());
      for (auto& type : parse.parameter_types) type = static_cast<uint32_t>(r.Int32());
      out = std::move(parse);
      break;
    }
    case 'B':
      out = ParseBind(r);
      break;
    case 'D': {
      char kind = Kind(r);
      out = Describe{kind, std::string(r.CString())};
      break;
    }
    case 'E': {
      std::string portal(r.CString());
      out = Execute{std::move(portal), r.Int32()};
      break;
    }
    case 'C': {
      char kind = Kind(r);
      out = Close{kind, std::string(r.CString())};
      break;
    }
    case 'S':
      out = Sync{};
      break;
    case 'H':
      out = Flush{};
      break;
    case 'X':
      out = Terminate{};
      break;
    case 'd':
      out = CopyData{r.Rest()};
      break;
    case 'c':
      out = CopyDone{};
      break;
    case 'f':
      out = CopyFail{std::string(r.CString())};
      break;
    case 'F':
      r.Rest();
      out = FunctionCall{};
      break;
    case 'p':
      out = AuthenticationData{r.Rest()};
      break;
    default:
      throw ProtocolError("invalid frontend message type " +
                          std::to_string(static_cast<unsigned char>(frame.type)));
  }
  r.Finish();
  return out;
}

SaslInitialResponse ParseSaslInitialResponse(std::string_view body) {
  Reader r(body, "SASLInitialResponse");
  SaslInitialResponse out;
  out.mechanism = r.CString();
  int32_t length = r.Int32();
  if (length < -1) r.Fail("a length below -1");
  if (length >= 0) out.data = std::string(r.Take(static_cast<size_t>(length)));
  r.Finish();
  return out;
}

int16_t FormatOf(const std::vector<int16_t>& formats, size_t index, size_t count) {
  if (formats.size() > 1 && formats.size() != count) {
    throw ProtocolError("a format list of " + std::to_string(formats.size()) + " entries for " +
                        std::to_string(count) + " values");
  }
  int16_t format = formats.empty() ? int16_t{0} : formats.size() == 1 ? formats[0] : formats[index];
  if (format != 0 && format != 1) throw ProtocolError("unknown format code " + std::to_string(format));
  return format;
}

void Writer::Begin(char type) {
  buffer_.push_back(type);
  start_ = buffer_.size();
  buffer_.append(4, '\0');
}

void Writer::End() {
  auto length = static_cast<uint32_t>(buffer_.size() - start_);
  char* p = buffer_.data() + start_;
  p[0] = static_cast<char>(length >> 24);
  p[1] = static_cast<char>(length >> 16);
  p[2] = static_cast<char>(length >> 8);
  p[3] = static_cast<char>(length);
}

void Writer::Int16(int16_t value) {
  auto v = static_cast<uint16_t>(value);
  char bytes[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  buffer_.append(bytes, 2);
}

void Writer::Int32(int32_t value) {
  auto v = static_cast<uint32_t>(value);
  char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                   static_cast<char>(v)};
  buffer_.append(bytes, 4);
}

void Writer::CString(std::string_view value) {
  // A zero byte inside would end the string early on the client and shift every later field.
  auto zero = value.find('\0');
  buffer_.append(value.substr(0, zero));
  buffer_.push_back('\0');
}

void Writer::Empty(char type) {
  Begin(type);
  End();
}

void Writer::AuthenticationOk() {
  Begin('R');
  Int32(0);
  End();
}

void Writer::AuthenticationSasl(const std::vector<std::string>& mechanisms) {
  Begin('R');
  Int32(10);
  for (const auto& mechanism : mechanisms) CString(mechanism);
  Byte('\0');
  End();
}

void Writer::AuthenticationSaslContinue(std::string_view data) {
  Begin('R');
  Int32(11);
  Bytes(data);
  End();
}

void Writer::AuthenticationSaslFinal(std::string_view data) {
  Begin('R');
  Int32(12);
  Bytes(data);
  End();
}

void Writer::ParameterStatus(std::string_view name, std::string_view value) {
  Begin('S');
  CString(name);
  CString(value);
  End();
}

void Writer::BackendKeyData(int32_t pid, int32_t secret) {
  Begin('K');
  Int32(pid);
  Int32(secret);
  End();
}

void Writer::ReadyForQuery(char status) {
  Begin('Z');
  Byte(status);
  End();
}

void Writer::NegotiateProtocolVersion(int32_t newest_minor, const std::vector<std::string>& unknown_options) {
  Begin('v');
  Int32(newest_minor);
  Int32(static_cast<int32_t>(unknown_options.size()));
  for (const auto& option : unknown_options) CString(option);
  End();
}

void Writer::RowDescription(const std::vector<FieldDescription>& fields) {
  Begin('T');
  Int16(static_cast<int16_t>(fields.size()));
  for (const auto& field : fields) {
    CString(field.name);
    Int32(static_cast<int32_t>(field.table_oid));
    Int16(field.column);
    Int32(static_cast<int32_t>(field.type_oid));
    Int16(field.type_size);
    Int32(field.type_modifier);
    Int16(field.format);
  }
  End();
}

void Writer::BeginDataRow(int16_t columns) {
  Begin('D');
  Int16(columns);
}

void Writer::Field(std::string_view value) {
  Int32(static_cast<int32_t>(value.size()));
  Bytes(value);
}

void Writer::CommandComplete(std::string_view tag) {
  Begin('C');
  CString(tag);
  End();
}

void Writer::EmptyQueryResponse() {
  Empty('I');
}

void Writer::Fields(char type, const Notice& notice) {
  Begin(type);
  // 'S' is localizable, 'V' (since 9.6) never is; clients read either.
  Byte('S');
  CString(notice.severity);
  Byte('V');
  CString(notice.severity);
  Byte('C');
  CString(notice.sqlstate);
  Byte('M');
  CString(notice.message);
  if (!notice.detail.empty()) {
    Byte('D');
    CString(notice.detail);
  }
  if (!notice.hint.empty()) {
    Byte('H');
    CString(notice.hint);
  }
  if (notice.position > 0) {
    Byte('P');
    CString(std::to_string(notice.position));
  }
  Byte('\0');
  End();
}

void Writer::ParseComplete() {
  Empty('1');
}

void Writer::BindComplete() {
  Empty('2');
}

void Writer::CloseComplete() {
  Empty('3');
}

void Writer::NoData() {
  Empty('n');
}

void Writer::PortalSuspended() {
  Empty('s');
}

void Writer::ParameterDescription(const std::vector<uint32_t>& types) {
  Begin('t');
  Int16(static_cast<int16_t>(types.size()));
  for (auto type : types) Int32(static_cast<int32_t>(type));
  End();
}

void Writer::CopyResponse(char type, int8_t format, const std::vector<int16_t>& column_formats) {
  Begin(type);
  Byte(static_cast<char>(format));
  Int16(static_cast<int16_t>(column_formats.size()));
  for (auto f : column_formats) Int16(f);
  End();
}

void Writer::CopyInResponse(int8_t format, const std::vector<int16_t>& column_formats) {
  CopyResponse('G', format, column_formats);
}

void Writer::CopyOutResponse(int8_t format, const std::vector<int16_t>& column_formats) {
  CopyResponse('H', format, column_formats);
}

void Writer::CopyData(std::string_view data) {
  Begin('d');
  Bytes(data);
  End();
}

void Writer::CopyDone() {
  Empty('c');
}

}  // namespace duckstore::pgwire
