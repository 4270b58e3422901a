// The PostgreSQL frontend/backend protocol 3.0, as bytes: framing and parsing of every message a client
// sends, and a writer of every message the server sends. No I/O and no state beyond one message.
//
// Framing: a startup packet is Int32 length (itself included) + body; every later message is Byte1 type +
// Int32 length (itself included, not the type) + body. ScanFrame finds one complete frame at the start of a
// buffer and enforces the limits before a body is buffered: a length below its minimum or above the limit
// throws ProtocolError (SQLSTATE 08P01, or 54000 for "too large"), so a peer can never make the server
// allocate more than the limit. Parsers read bodies strictly: a field running past the body, a missing
// string terminator or trailing bytes throw ProtocolError; the connection is then closed with a FATAL.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace duckstore::pgwire {

inline constexpr uint32_t kProtocol30 = 196608;           // 3 << 16
inline constexpr uint32_t kSslRequestCode = 80877103;     // 1234 << 16 | 5679
inline constexpr uint32_t kGssEncRequestCode = 80877104;  // 1234 << 16 | 5680
inline constexpr uint32_t kCancelRequestCode = 80877102;  // 1234 << 16 | 5678

struct Limits {
  uint32_t max_message_bytes = 64u << 20;     // any message but CopyData (and any startup packet: 10 KiB)
  uint64_t max_copy_data_bytes = 1ull << 30;  // one CopyData message
};
inline constexpr uint32_t kMaxStartupBytes = 10'000;  // PostgreSQL's own limit for startup packets

// A violation of the protocol by the peer; `sqlstate` goes into the FATAL ErrorResponse.
class ProtocolError : public std::runtime_error {
 public:
  explicit ProtocolError(const std::string& message, std::string sqlstate = "08P01")
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// One frame; `type` is 0 for a startup packet. `body` points into the scanned buffer.
struct Frame {
  char type = 0;
  std::string_view body;
  size_t size = 0;  // bytes the frame takes in the buffer (header included)
};

// The frame at the start of `buffer`, or nullopt when the buffer does not hold all of it yet (then at
// least `*needed` bytes are needed in total, when given). Throws ProtocolError for invalid or oversized
// lengths as soon as the header is there.
std::optional<Frame> ScanFrame(std::string_view buffer, bool startup, const Limits& limits,
                               size_t* needed = nullptr);

// --- Startup packets (before authentication) ---
struct StartupMessage {
  uint32_t version = 0;
  std::vector<std::pair<std::string, std::string>> parameters;  // user, database, options, ...
};
struct SslRequest {};
struct GssEncRequest {};
struct CancelRequest {
  int32_t pid = 0;
  int32_t secret = 0;
};
using StartupPacket = std::variant<StartupMessage, SslRequest, GssEncRequest, CancelRequest>;
// A startup packet's body (after its length). Any protocol version parses; the caller decides.
StartupPacket ParseStartup(std::string_view body);

// --- Messages after startup ---
struct Query {
  std::string sql;
};
struct Parse {
  std::string statement;
  std::string sql;
  std::vector<uint32_t> parameter_types;  // 0 = unspecified
};
struct Bind {
  std::string portal;
  std::string statement;
  std::vector<int16_t> parameter_formats;              // none: all text; one: for all; else one per parameter
  std::vector<std::optional<std::string>> parameters;  // nullopt = NULL
  std::vector<int16_t> result_formats;                 // the same convention, per result column
};
struct Describe {
  char kind = 'S';  // 'S' statement, 'P' portal
  std::string name;
};
struct Execute {
  std::string portal;
  int32_t max_rows = 0;  // 0 = all
};
struct Close {
  char kind = 'S';
  std::string name;
};
struct Sync {};
struct Flush {};
struct Terminate {};
struct CopyData {
  std::string_view data;  // points into the frame
};
struct CopyDone {};
struct CopyFail {
  std::string message;
};
struct FunctionCall {};  // the legacy fast-path interface: parsed only to be refused
// 'p': a password, SASLInitialResponse or SASLResponse, depending on the authentication step.
struct AuthenticationData {
  std::string_view data;
};
using Message = std::variant<Query, Parse, Bind, Describe, Execute, Close, Sync, Flush, Terminate, CopyData,
                             CopyDone, CopyFail, FunctionCall, AuthenticationData>;
// Throws ProtocolError for unknown types and malformed bodies.
Message ParseMessage(const Frame& frame);

struct SaslInitialResponse {
  std::string mechanism;
  std::optional<std::string> data;  // absent when the client sent length -1
};
SaslInitialResponse ParseSaslInitialResponse(std::string_view body);

// The format code of column or parameter `index` under the convention of Bind's format lists; throws
// ProtocolError when the list has neither 0, 1 nor `count` entries or names an unknown format.
int16_t FormatOf(const std::vector<int16_t>& formats, size_t index, size_t count);

// --- Backend messages ---
struct FieldDescription {
  std::string name;
  uint32_t table_oid = 0;
  int16_t column = 0;
  uint32_t type_oid = 0;
  int16_t type_size = -1;
  int32_t type_modifier = -1;
  int16_t format = 0;  // 0 text, 1 binary
};

// Fields of ErrorResponse and NoticeResponse.
struct Notice {
  std::string severity = "ERROR";  // ERROR, FATAL, PANIC / WARNING, NOTICE, ...
  std::string sqlstate;
  std::string message;
  std::string detail;
  std::string hint;
  int32_t position = 0;  // 1-based character position in the query; 0 = none
};

// Appends backend messages to a buffer the caller sends. Begin/End and the typed appends also serve to
// build frontend messages in tests.
class Writer {
 public:
  std::string& buffer() { return buffer_; }
  void Clear() { buffer_.clear(); }

  void Begin(char type);
  void End();  // writes the length of the message begun last
  void Byte(char value) { buffer_.push_back(value); }
  void Int16(int16_t value);
  void Int32(int32_t value);
  void CString(std::string_view value);  // the bytes and a terminating zero
  void Bytes(std::string_view value) { buffer_.append(value); }

  void AuthenticationOk();
  void AuthenticationSasl(const std::vector<std::string>& mechanisms);
  void AuthenticationSaslContinue(std::string_view data);
  void AuthenticationSaslFinal(std::string_view data);
  void ParameterStatus(std::string_view name, std::string_view value);
  void BackendKeyData(int32_t pid, int32_t secret);
  void ReadyForQuery(char status);  // 'I' idle, 'T' in a transaction, 'E' in a failed transaction
  void NegotiateProtocolVersion(int32_t newest_minor, const std::vector<std::string>& unknown_options);
  void RowDescription(const std::vector<FieldDescription>& fields);
  // A DataRow is written field by field: BeginDataRow(n), then n Field/NullField, then End().
  void BeginDataRow(int16_t columns);
  void Field(std::string_view value);
  void NullField() { Int32(-1); }
  void CommandComplete(std::string_view tag);
  void EmptyQueryResponse();
  void ErrorResponse(const Notice& notice) { Fields('E', notice); }
  void NoticeResponse(const Notice& notice) { Fields('N', notice); }
  void ParseComplete();
  void BindComplete();
  void CloseComplete();
  void NoData();
  void PortalSuspended();
  void ParameterDescription(const std::vector<uint32_t>& types);
  void CopyInResponse(int8_t format, const std::vector<int16_t>& column_formats);
  void CopyOutResponse(int8_t format, const std::vector<int16_t>& column_formats);
  void CopyData(std::string_view data);
  void CopyDone();

 private:
  void Empty(char type);
  void Fields(char type, const Notice& notice);
  void CopyResponse(char type, int8_t format, const std::vector<int16_t>& column_formats);

  std::string buffer_;
  size_t start_ = 0;  // offset of the message begun last
};

}  // namespace duckstore::pgwire
