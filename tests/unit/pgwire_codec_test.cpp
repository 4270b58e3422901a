// The PostgreSQL protocol codec: every frontend message parsed from its bytes, every backend message
// compared with its bytes as the protocol documentation lays them out, and the limits.
#include <gtest/gtest.h>

#include "duckstore/api/pgwire/codec.hpp"

namespace duckstore::pgwire {
namespace {

using namespace std::string_literals;

std::string Hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// A frontend message built with the writer (type, length, body).
template <typename F>
std::string Build(char type, F body) {
  Writer w;
  w.Begin(type);
  body(w);
  w.End();
  return w.buffer();
}

Message ParseOne(const std::string& bytes) {
  auto frame = ScanFrame(bytes, false, Limits{});
  EXPECT_TRUE(frame.has_value());
  EXPECT_EQ(frame->size, bytes.size());
  return ParseMessage(*frame);
}

template <typename F>
void ExpectMalformed(char type, F body) {
  EXPECT_THROW(ParseOne(Build(type, body)), ProtocolError);
}

std::string StartupBytes(std::string_view body) {
  Writer w;
  w.Int32(static_cast<int32_t>(body.size() + 4));
  w.Bytes(body);
  return w.buffer();
}

StartupPacket ParseStartupBytes(const std::string& bytes) {
  auto frame = ScanFrame(bytes, true, Limits{});
  EXPECT_TRUE(frame.has_value());
  return ParseStartup(frame->body);
}

TEST(PgCodec, StartupMessage) {
  auto bytes = StartupBytes("\x00\x03\x00\x00user\0alice\0database\0ws1\0\0"s);
  auto packet = std::get<StartupMessage>(ParseStartupBytes(bytes));
  EXPECT_EQ(packet.version, kProtocol30);
  ASSERT_EQ(packet.parameters.size(), 2u);
  EXPECT_EQ(packet.parameters[0], (std::pair<std::string, std::string>{"user", "alice"}));
  EXPECT_EQ(packet.parameters[1], (std::pair<std::string, std::string>{"database", "ws1"}));
}

TEST(PgCodec, StartupOfUnknownVersionKeepsItsVersion) {
  auto packet = std::get<StartupMessage>(ParseStartupBytes(StartupBytes("\x00\x02\x00\x00whatever"s)));
  EXPECT_EQ(packet.version, 2u << 16);
  EXPECT_TRUE(packet.parameters.empty());
}

TEST(PgCodec, SslGssAndCancelRequests) {
  EXPECT_TRUE(std::holds_alternative<SslRequest>(ParseStartupBytes(StartupBytes("\x04\xd2\x16\x2f"s))));
  EXPECT_TRUE(std::holds_alternative<GssEncRequest>(ParseStartupBytes(StartupBytes("\x04\xd2\x16\x30"s))));
  auto cancel = std::get<CancelRequest>(
      ParseStartupBytes(StartupBytes("\x04\xd2\x16\x2e\x00\x00\x30\x39\xff\xff\xff\xfe"s)));
  EXPECT_EQ(cancel.pid, 12345);
  EXPECT_EQ(cancel.secret, -2);
  EXPECT_THROW(ParseStartupBytes(StartupBytes("\x04\xd2\x16\x2fX"s)), ProtocolError);
}

TEST(PgCodec, StartupWithoutTerminatorIsRefused) {
  EXPECT_THROW(ParseStartupBytes(StartupBytes("\x00\x03\x00\x00user\0alice\0"s)), ProtocolError);
  EXPECT_THROW(ParseStartupBytes(StartupBytes("\x00\x03\x00\x00user\0alice"s)), ProtocolError);
}

TEST(PgCodec, StartupLimits) {
  Writer w;
  w.Int32(static_cast<int32_t>(kMaxStartupBytes + 1));
  try {
    ScanFrame(w.buffer(), true, Limits{});
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.sqlstate(), "54000");
  }
  EXPECT_THROW(ScanFrame("\x00\x00\x00\x07"s, true, Limits{}), ProtocolError);
}

TEST(PgCodec, ScanNeedsMoreBytes) {
  auto bytes = Build('Q', [](Writer& w) { w.CString("SELECT 1"); });
  size_t needed = 0;
  EXPECT_FALSE(ScanFrame(std::string_view(bytes).substr(0, 3), false, Limits{}, &needed));
  EXPECT_EQ(needed, 5u);
  EXPECT_FALSE(ScanFrame(std::string_view(bytes).substr(0, 7), false, Limits{}, &needed));
  EXPECT_EQ(needed, bytes.size());
  // Two messages in one buffer: the first is returned with its size.
  auto two = bytes + Build('S', [](Writer&) {});
  auto frame = ScanFrame(two, false, Limits{});
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->size, bytes.size());
  EXPECT_EQ(frame->type, 'Q');
}

TEST(PgCodec, MessageLimits) {
  Limits limits;
  limits.max_message_bytes = 100;
  limits.max_copy_data_bytes = 1000;
  Writer w;
  w.Byte('Q');
  w.Int32(101);
  EXPECT_THROW(ScanFrame(w.buffer(), false, limits), ProtocolError);  // before any body byte arrived
  w.Clear();
  w.Byte('d');
  w.Int32(1000);
  EXPECT_FALSE(ScanFrame(w.buffer(), false, limits));  // CopyData has its own limit
  w.Clear();
  w.Byte('d');
  w.Int32(1001);
  EXPECT_THROW(ScanFrame(w.buffer(), false, limits), ProtocolError);
  w.Clear();
  w.Byte('Q');
  w.Int32(3);  // less than the length field itself
  EXPECT_THROW(ScanFrame(w.buffer(), false, limits), ProtocolError);
}

TEST(PgCodec, Query) {
  auto q = std::get<Query>(ParseOne(Build('Q', [](Writer& w) { w.CString("SELECT 1; SELECT 2"); })));
  EXPECT_EQ(q.sql, "SELECT 1; SELECT 2");
  ExpectMalformed('Q', [](Writer& w) { w.Bytes("SELECT 1"); });
  ExpectMalformed('Q', [](Writer& w) { w.Bytes("SELECT 1\0x"s); });
}

TEST(PgCodec, Parse) {
  auto p = std::get<Parse>(ParseOne(Build('P', [](Writer& w) {
    w.CString("s1");
    w.CString("SELECT $1, $2");
    w.Int16(2);
    w.Int32(23);
    w.Int32(0);
  })));
  EXPECT_EQ(p.statement, "s1");
  EXPECT_EQ(p.sql, "SELECT $1, $2");
  EXPECT_EQ(p.parameter_types, (std::vector<uint32_t>{23, 0}));
  ExpectMalformed('P', [](Writer& w) {
    w.CString("");
    w.CString("x");
    w.Int16(-1);
  });
  ExpectMalformed('P', [](Writer& w) {
    w.CString("");
    w.CString("x");
    w.Int16(3);
    w.Int32(23);
  });
}

TEST(PgCodec, Bind) {
  auto b = std::get<Bind>(ParseOne(Build('B', [](Writer& w) {
    w.CString("p1");
    w.CString("s1");
    w.Int16(1);
    w.Int16(1);
    w.Int16(3);
    w.Int32(4);
    w.Bytes("\x00\x00\x00\x2a"s);
    w.Int32(-1);
    w.Int32(0);
    w.Int16(2);
    w.Int16(0);
    w.Int16(1);
  })));
  EXPECT_EQ(b.portal, "p1");
  EXPECT_EQ(b.statement, "s1");
  EXPECT_EQ(b.parameter_formats, (std::vector<int16_t>{1}));
  ASSERT_EQ(b.parameters.size(), 3u);
  EXPECT_EQ(*b.parameters[0], "\x00\x00\x00\x2a"s);
  EXPECT_FALSE(b.parameters[1].has_value());
  EXPECT_EQ(*b.parameters[2], "");
  EXPECT_EQ(b.result_formats, (std::vector<int16_t>{0, 1}));
  // A parameter length past the end of the message.
  ExpectMalformed('B', [](Writer& w) {
    w.CString("");
    w.CString("");
    w.Int16(0);
    w.Int16(1);
    w.Int32(100);
    w.Bytes("abc");
  });
  ExpectMalformed('B', [](Writer& w) {
    w.CString("");
    w.CString("");
    w.Int16(0);
    w.Int16(1);
    w.Int32(-2);
    w.Int16(0);
  });
}

TEST(PgCodec, FormatConvention) {
  EXPECT_EQ(FormatOf({}, 2, 3), 0);
  EXPECT_EQ(FormatOf({1}, 2, 3), 1);
  EXPECT_EQ(FormatOf({0, 1, 0}, 1, 3), 1);
  EXPECT_THROW(FormatOf({0, 1}, 1, 3), ProtocolError);
  EXPECT_THROW(FormatOf({2}, 0, 1), ProtocolError);
}

TEST(PgCodec, DescribeExecuteClose) {
  auto d = std::get<Describe>(ParseOne(Build('D', [](Writer& w) {
    w.Byte('P');
    w.CString("p1");
  })));
  EXPECT_EQ(d.kind, 'P');
  EXPECT_EQ(d.name, "p1");
  ExpectMalformed('D', [](Writer& w) {
    w.Byte('X');
    w.CString("");
  });
  auto e = std::get<Execute>(ParseOne(Build('E', [](Writer& w) {
    w.CString("p1");
    w.Int32(50);
  })));
  EXPECT_EQ(e.portal, "p1");
  EXPECT_EQ(e.max_rows, 50);
  auto c = std::get<Close>(ParseOne(Build('C', [](Writer& w) {
    w.Byte('S');
    w.CString("s1");
  })));
  EXPECT_EQ(c.kind, 'S');
  EXPECT_EQ(c.name, "s1");
}

TEST(PgCodec, EmptyMessages) {
  EXPECT_TRUE(std::holds_alternative<Sync>(ParseOne(Build('S', [](Writer&) {}))));
  EXPECT_TRUE(std::holds_alternative<Flush>(ParseOne(Build('H', [](Writer&) {}))));
  EXPECT_TRUE(std::holds_alternative<Terminate>(ParseOne(Build('X', [](Writer&) {}))));
  EXPECT_TRUE(std::holds_alternative<CopyDone>(ParseOne(Build('c', [](Writer&) {}))));
  ExpectMalformed('S', [](Writer& w) { w.Byte('x'); });
}

TEST(PgCodec, CopyMessages) {
  auto d = std::get<CopyData>(ParseOne(Build('d', [](Writer& w) { w.Bytes("1\tx\n\0"s); })));
  EXPECT_EQ(d.data, "1\tx\n\0"s);
  auto f = std::get<CopyFail>(ParseOne(Build('f', [](Writer& w) { w.CString("aborted by user"); })));
  EXPECT_EQ(f.message, "aborted by user");
}

TEST(PgCodec, FunctionCallAndUnknownType) {
  EXPECT_TRUE(std::holds_alternative<FunctionCall>(ParseOne(Build('F', [](Writer& w) { w.Int32(1); }))));
  EXPECT_THROW(ParseOne(Build('Z', [](Writer&) {})), ProtocolError);
}

TEST(PgCodec, SaslMessages) {
  auto bytes = Build('p', [](Writer& w) {
    w.CString("SCRAM-SHA-256");
    w.Int32(5);
    w.Bytes("n,,xy");
  });
  auto p = std::get<AuthenticationData>(ParseOne(bytes));  // points into `bytes`
  auto initial = ParseSaslInitialResponse(p.data);
  EXPECT_EQ(initial.mechanism, "SCRAM-SHA-256");
  EXPECT_EQ(*initial.data, "n,,xy");
  Writer w;
  w.CString("SCRAM-SHA-256");
  w.Int32(-1);
  EXPECT_FALSE(ParseSaslInitialResponse(w.buffer()).data.has_value());
  w.Clear();
  w.CString("SCRAM-SHA-256");
  w.Int32(10);
  EXPECT_THROW(ParseSaslInitialResponse(w.buffer()), ProtocolError);
}

TEST(PgCodecWriter, Authentication) {
  Writer w;
  w.AuthenticationOk();
  EXPECT_EQ(Hex(w.buffer()), "520000000800000000");
  w.Clear();
  w.AuthenticationSasl({"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"});
  EXPECT_EQ(w.buffer(), "R\x00\x00\x00\x2a\x00\x00\x00\x0aSCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0"s);
  w.Clear();
  w.AuthenticationSaslContinue("r=abc");
  EXPECT_EQ(w.buffer(), "R\x00\x00\x00\x0d\x00\x00\x00\x0br=abc"s);
  w.Clear();
  w.AuthenticationSaslFinal("v=xyz");
  EXPECT_EQ(w.buffer(), "R\x00\x00\x00\x0d\x00\x00\x00\x0cv=xyz"s);
}

TEST(PgCodecWriter, SessionStart) {
  Writer w;
  w.ParameterStatus("server_version", "15.0");
  EXPECT_EQ(w.buffer(),
            "S\x00\x00\x00\x18server_version\x00"
            "15.0\0"s);
  w.Clear();
  w.BackendKeyData(7, -1);
  EXPECT_EQ(Hex(w.buffer()), "4b0000000c00000007ffffffff");
  w.Clear();
  w.ReadyForQuery('T');
  EXPECT_EQ(Hex(w.buffer()), "5a0000000554");
  w.Clear();
  w.NegotiateProtocolVersion(0, {"_pq_.x"});
  EXPECT_EQ(w.buffer(), "v\x00\x00\x00\x13\x00\x00\x00\x00\x00\x00\x00\x01_pq_.x\0"s);
}

TEST(PgCodecWriter, RowDescriptionAndDataRow) {
  Writer w;
  w.RowDescription({{"id", 0, 0, 23, 4, -1, 1}});
  EXPECT_EQ(
      w.buffer(),
      "T\x00\x00\x00\x1b\x00\x01id\0\x00\x00\x00\x00\x00\x00\x00\x00\x00\x17\x00\x04\xff\xff\xff\xff\x00\x01"s);
  w.Clear();
  w.BeginDataRow(2);
  w.Field("ab");
  w.NullField();
  w.End();
  EXPECT_EQ(Hex(w.buffer()), "44000000100002000000026162ffffffff");
}

TEST(PgCodecWriter, Completion) {
  Writer w;
  w.CommandComplete("SELECT 3");
  EXPECT_EQ(w.buffer(), "C\x00\x00\x00\x0dSELECT 3\0"s);
  w.Clear();
  w.EmptyQueryResponse();
  w.ParseComplete();
  w.BindComplete();
  w.CloseComplete();
  w.NoData();
  w.PortalSuspended();
  w.CopyDone();
  EXPECT_EQ(Hex(w.buffer()),
            "49000000043100000004320000000433000000046e00000004730000000463000000"
            "04");
}

TEST(PgCodecWriter, ErrorAndNotice) {
  Writer w;
  Notice notice;
  notice.sqlstate = "42601";
  notice.message = "syntax error";
  notice.hint = "h";
  notice.position = 8;
  w.ErrorResponse(notice);
  EXPECT_EQ(w.buffer(), "E\x00\x00\x00\x2eSERROR\0VERROR\0C42601\0Msyntax error\0Hh\0P8\0\0"s);
  w.Clear();
  notice.severity = "NOTICE";
  notice.hint.clear();
  notice.position = 0;
  notice.detail = "d";
  w.NoticeResponse(notice);
  EXPECT_EQ(w.buffer(), "N\x00\x00\x00\x2dSNOTICE\0VNOTICE\0C42601\0Msyntax error\0Dd\0\0"s);
}

TEST(PgCodecWriter, StringsNeverCarryZeroBytes) {
  Writer w;
  w.CommandComplete("a\0b"s);
  EXPECT_EQ(w.buffer(),
            "C\x00\x00\x00\x06"
            "a\0"s);
}

TEST(PgCodecWriter, ParameterDescriptionAndCopy) {
  Writer w;
  w.ParameterDescription({23, 25});
  EXPECT_EQ(Hex(w.buffer()), "740000000e00020000001700000019");
  w.Clear();
  w.CopyInResponse(0, {0, 0});
  EXPECT_EQ(Hex(w.buffer()), "470000000b00000200000000");
  w.Clear();
  w.CopyOutResponse(1, {1});
  EXPECT_EQ(Hex(w.buffer()),
            "480000000901000100"
            "01");
  w.Clear();
  w.CopyData("1\n");
  EXPECT_EQ(Hex(w.buffer()), "6400000006310a");
}

}  // namespace
}  // namespace duckstore::pgwire
