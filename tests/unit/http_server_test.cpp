// The HTTP server against hostile and broken peers, over real sockets: header and body read deadlines, the
// connection cap, accept backoff when the process is out of file descriptors, and answers to malformed
// requests (issue 15, defects 1 and 6).
#include "duckstore/api/http/server.hpp"

#include <fcntl.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "duckstore/api/rest/rest_support.hpp"
#include "raw_socket.hpp"

namespace duckstore::http {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using testing::Clock;
using testing::Socket;
using testing::StatusOf;

const EntryPoint kDeclared{"test", "route", Credentials::kNone, Access::kRead, TargetFrom::kNone};

// Captures what the process logs while it lives.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  size_t LinesContaining(std::string_view text) {
    spdlog::default_logger()->flush();
    size_t count = 0;
    std::string line;
    std::istringstream lines(stream_.str());
    while (std::getline(lines, line)) count += line.find(text) != std::string::npos;
    return count;
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream stream_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options) {
    options.port = 0;
    options.io_threads = 1;
    options.workers = 2;
    router_.Add("GET", "/ok", kDeclared, [](Request&) { return Response::Json(200, "{}"); });
    router_.Add("POST", "/buffered", kDeclared, [](Request& r) { return Response::Json(200, r.body); });
    router_.Add(
        "POST", "/streamed", kDeclared,
        [](Request& r) {
          char buffer[1 << 16];
          while (r.body_reader->Read(buffer, sizeof(buffer)) > 0) {
          }
          return Response::Json(200, "{}");
        },
        RouteOptions{.stream_body = true});
    server_ = std::make_unique<Server>(options, router_, rest::RenderError);
    server_->Start();
  }

  uint16_t port() const { return server_->port(); }

  // Sends `request` on a new connection; returns the response and whether the server closed afterwards.
  std::pair<std::string, bool> Exchange(const std::string& request) {
    Socket socket(port());
    EXPECT_TRUE(socket.Connect());
    socket.Send(request);
    bool closed = false;
    std::string response = socket.ReadUntilClosed(5s, &closed);
    return {response, closed};
  }

  Router router_;
  std::unique_ptr<Server> server_;
};

TEST_F(HttpServerTest, HalfSentHeaderIsClosedAfterTheHeaderTimeout) {
  Start({.header_read_timeout = 1s});
  Socket trickle(port());
  ASSERT_TRUE(trickle.Connect());
  Socket silent(port());
  ASSERT_TRUE(silent.Connect());
  auto started = Clock::now();
  trickle.Send("GET /ok HTTP/1.1\r\nHost: a\r\n");
  for (int i = 0; i < 3; ++i) {  // still sending, but the header is never finished
    std::this_thread::sleep_for(300ms);
    trickle.Send("X-A: b\r\n");
  }
  bool closed = false;
  EXPECT_EQ(trickle.ReadUntilClosed(5s, &closed), "");
  EXPECT_TRUE(closed);
  EXPECT_LT(Clock::now() - started, 4s);
  EXPECT_EQ(silent.ReadUntilClosed(5s, &closed), "");
  EXPECT_TRUE(closed);
}

TEST_F(HttpServerTest, ConnectionsBeyondTheCapWaitUntilOneCloses) {
  Start({.max_connections = 2});
  auto first = std::make_unique<Socket>(port());
  Socket second(port());
  for (Socket* s : {first.get(), &second}) {  // two kept-alive connections fill the cap
    ASSERT_TRUE(s->Connect());
    s->Send("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_EQ(StatusOf(s->ReadResponse(5s)), 200);
  }
  Socket third(port());
  ASSERT_TRUE(third.Connect());  // completes in the kernel's backlog
  third.Send("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(third.ReadResponse(500ms), "");
  first.reset();
  EXPECT_EQ(StatusOf(third.ReadResponse(5s)), 200);
}

// Lowers the process's descriptor limit to what is open now (no new descriptor can be made) until destroyed.
class NoFreeDescriptors {
 public:
  NoFreeDescriptors() {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    int probe = ::open("/dev/null", O_RDONLY);  // the lowest free descriptor number
    ::close(probe);
    rlimit lowered = saved_;
    lowered.rlim_cur = static_cast<rlim_t>(probe);
    ::setrlimit(RLIMIT_NOFILE, &lowered);
  }
  ~NoFreeDescriptors() { ::setrlimit(RLIMIT_NOFILE, &saved_); }

 private:
  rlimit saved_{};
};

double CpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

TEST_F(HttpServerTest, AcceptBacksOffWithoutSpinningOrFloodingTheLogWhenOutOfDescriptors) {
  CapturedLog log;
  Start({});
  Socket a(port());
  Socket b(port());
  {
    NoFreeDescriptors exhausted;
    ASSERT_TRUE(a.Connect());  // the kernel completes them; the server's accept fails with EMFILE
    ASSERT_TRUE(b.Connect());
    double cpu_before = CpuSeconds();
    std::this_thread::sleep_for(2s);
    EXPECT_LT(CpuSeconds() - cpu_before, 0.5);  // a retry loop without backoff burns a core
    EXPECT_EQ(log.LinesContaining("accept failed"), 1u);
  }
  // Once descriptors are free again the waiting connections are served.
  for (Socket* s : {&a, &b}) {
    s->Send("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_EQ(StatusOf(s->ReadResponse(5s)), 200);
  }
}

TEST_F(HttpServerTest, MalformedRequestsAreAnsweredThenClosed) {
  Start({});
  struct Case {
    std::string request;
    int status;
    const char* code;
  };
  std::vector<Case> cases = {
      {"GET /ok HTTP/1.1\r\nHost: a\r\nX-Bad: a\0b\r\n\r\n"s, 400, "malformed_request"},
      {"GET /ok HTTP/1.1\r\nHost: a\r\nX-Bad: a\rb\r\n\r\n", 400, "malformed_request"},
      {"NOT HTTP AT ALL\r\n\r\n", 400, "malformed_request"},
      {"POST /buffered HTTP/1.1\r\nHost: a\r\nContent-Length: ten\r\n\r\n", 400, "malformed_request"},
      {"GET /" + std::string(20'000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", 414, "uri_too_long"},
      {"GET /" + std::string(100'000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", 414, "uri_too_long"},
      {"GET /ok HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(100'000, 'b') + "\r\n\r\n", 431,
       "header_too_large"},
  };
  for (const auto& c : cases) {
    auto [response, closed] = Exchange(c.request);
    SCOPED_TRACE(c.request.substr(0, 60));
    EXPECT_EQ(StatusOf(response), c.status) << response.substr(0, 300);
    EXPECT_NE(response.find(c.code), std::string::npos) << response.substr(0, 300);
    EXPECT_TRUE(closed);
  }
  // A well-formed request still works.
  EXPECT_EQ(StatusOf(Exchange("GET /ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").first), 200);
}

// The stream's deadline closes the socket, so the request fails (logged 408 body_read_timeout, as nginx
// logs its 408) and the connection is closed: what is proven is that neither a connection nor a worker
// is held.
TEST_F(HttpServerTest, TruncatedBodiesTimeOut) {
  Start({.body_read_timeout = 1s});
  for (const char* route : {"/buffered", "/streamed"}) {
    SCOPED_TRACE(route);
    auto started = Clock::now();
    auto [response, closed] = Exchange(std::string("POST ") + route +
                                       " HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789");
    EXPECT_TRUE(closed);
    EXPECT_LT(Clock::now() - started, 4s);
  }
  // The workers are free: a normal request is served at once.
  EXPECT_EQ(StatusOf(Exchange("GET /ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").first), 200);
}

TEST_F(HttpServerTest, ABodyTrickledByteByByteCannotHoldAWorker) {
  Start({.body_read_timeout = 1s});
  Socket socket(port());
  ASSERT_TRUE(socket.Connect());
  socket.Send("POST /streamed HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n");
  auto started = Clock::now();
  bool closed = false;
  while (!closed && Clock::now() - started < 5s) {
    socket.Send("x");  // progress on every socket read, but far below 64 KiB per second
    socket.ReadUntilClosed(200ms, &closed);
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(Clock::now() - started, 3s);
}

}  // namespace
}  // namespace duckstore::http
