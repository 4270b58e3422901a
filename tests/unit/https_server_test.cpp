// The HTTP server with a certificate: HTTPS only. Requests (buffered and streamed bodies, keep-alive) over a
// verified TLS connection, and the limits a TLS peer meets before any request: a handshake never started
// is closed after the header timeout, plaintext gets no HTTP answer.
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <gtest/gtest.h>

#include "duckstore/api/http/server.hpp"
#include "duckstore/api/rest/rest_support.hpp"
#include "duckstore/server/tls_cert.hpp"
#include "raw_socket.hpp"
#include "test_util.hpp"

namespace duckstore::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using namespace std::chrono_literals;
using testing::Clock;
using testing::Socket;

const EntryPoint kDeclared{"test", "route", Credentials::kNone, Access::kRead, TargetFrom::kNone};

class HttpsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    files_ = LoadOrCreateSelfSignedCertificate(dir_.path(), "127.0.0.1", "http-server");
    router_.Add("GET", "/ok", kDeclared, [](Request&) { return Response::Json(200, R"({"ok":true})"); });
    router_.Add(
        "POST", "/echo", kDeclared,
        [](Request& r) {
          std::string body;
          char buffer[1 << 16];
          while (size_t got = r.body_reader->Read(buffer, sizeof(buffer))) body.append(buffer, got);
          return Response::Json(200, body);
        },
        RouteOptions{.stream_body = true});
    ServerOptions options;
    options.port = 0;
    options.io_threads = 1;
    options.workers = 2;
    options.header_read_timeout = 1s;
    options.tls_cert = files_.cert;
    options.tls_key = files_.key;
    server_ = std::make_unique<Server>(options, router_, rest::RenderError);
    server_->Start();
  }

  testing::TempDir dir_;
  TlsFiles files_;
  Router router_;
  std::unique_ptr<Server> server_;
};

TEST_F(HttpsServerTest, ServesRequestsOverAVerifiedConnection) {
  asio::io_context io;
  ssl::context context(ssl::context::tls_client);
  context.load_verify_file(files_.cert.string());
  context.set_verify_mode(ssl::verify_peer);
  ssl::stream<asio::ip::tcp::socket> stream(io, context);
  stream.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
  asio::ip::tcp::resolver resolver(io);
  asio::connect(stream.next_layer(), resolver.resolve("127.0.0.1", std::to_string(server_->port())));
  stream.handshake(ssl::stream_base::client);

  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> get{bhttp::verb::get, "/ok", 11};
  get.set(bhttp::field::host, "127.0.0.1");
  bhttp::write(stream, get);
  bhttp::response<bhttp::string_body> first;
  bhttp::read(stream, buffer, first);
  EXPECT_EQ(first.result_int(), 200u);
  EXPECT_EQ(first.body(), R"({"ok":true})");

  // The same connection again, with a body the handler streams (larger than one TLS record).
  std::string payload(300'000, 'x');
  for (size_t i = 0; i < payload.size(); i += 997) payload[i] = static_cast<char>('a' + i % 26);
  bhttp::request<bhttp::string_body> post{bhttp::verb::post, "/echo", 11};
  post.set(bhttp::field::host, "127.0.0.1");
  post.body() = payload;
  post.prepare_payload();
  bhttp::write(stream, post);
  bhttp::response<bhttp::string_body> second;
  bhttp::read(stream, buffer, second);
  EXPECT_EQ(second.result_int(), 200u);
  EXPECT_EQ(second.body(), payload);
}

TEST_F(HttpsServerTest, AHandshakeNeverStartedIsClosedAfterTheHeaderTimeout) {
  Socket silent(server_->port());
  ASSERT_TRUE(silent.Connect());
  auto started = Clock::now();
  bool closed = false;
  EXPECT_EQ(silent.ReadUntilClosed(5s, &closed), "");
  EXPECT_TRUE(closed);
  EXPECT_LT(Clock::now() - started, 4s);
}

TEST_F(HttpsServerTest, PlaintextGetsNoHttpAnswer) {
  Socket plain(server_->port());
  ASSERT_TRUE(plain.Connect());
  plain.Send("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n");
  bool closed = false;
  std::string answer = plain.ReadUntilClosed(5s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_FALSE(answer.starts_with("HTTP/")) << answer;  // a TLS alert at most
}

}  // namespace
}  // namespace duckstore::http
