#include "duckstore/api/http/server.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <condition_variable>
#include <future>
#include <mutex>

#include "duckstore/api/http/stream_body_reader.hpp"
#include "duckstore/api/tls_context.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/log.hpp"
#include "duckstore/common/metrics/requests.hpp"
#include "duckstore/common/scope_exit.hpp"

namespace duckstore::http {
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr size_t kChunkBytes = 1 << 20;  // file responses and body reads move this much at a time
constexpr size_t kMaxHeaderBytes = size_t{64} * 1024;
// Longest request line (method, target, version). S3 presigned URLs with session tokens reach a few KiB.
constexpr size_t kMaxRequestLineBytes = size_t{16} * 1024;
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr uint64_t kMaxLingerBytes = 64ull << 20;
// While at the connection cap, the accept loop looks this often whether a connection has closed.
constexpr auto kCapPollInterval = std::chrono::milliseconds(20);
constexpr auto kMinAcceptBackoff = std::chrono::milliseconds(10);
constexpr auto kMaxAcceptBackoff = std::chrono::milliseconds(1000);
constexpr auto kWarningInterval = std::chrono::seconds(10);

std::string SanitizeRequestId(const std::string* header) {
  if (header && !header->empty() && header->size() <= 128 &&
      std::all_of(header->begin(), header->end(), [](char c) { return c > 32 && c < 127 && c != '"'; })) {
    return *header;
  }
  return log::NewRequestId();
}

// One served request into the request metrics (common/metrics/requests.hpp).
// `self_recorded`: the door counted the request itself (RouteOptions::self_recorded).
void RecordMetrics(const std::string& door, bool self_recorded, const Request& request,
                   const Response& response, uint64_t received, uint64_t sent,
                   std::chrono::steady_clock::duration elapsed) {
  metrics::RecordBytes(door, received, sent);
  if (self_recorded) return;
  auto outcome = metrics::OutcomeOfStatus(response.status);
  std::string code = response.error_code;
  if (code.empty() && outcome != metrics::Outcome::kOk) code = "http_" + std::to_string(response.status);
  metrics::RecordRequest({door, request.operation, outcome, code, elapsed});
}

// A warning that a misbehaving peer could trigger in a tight loop: logged at most once per interval, with
// the number of occurrences it stands for.
class RateLimitedWarning {
 public:
  explicit RateLimitedWarning(std::string what) : what_(std::move(what)) {}

  void Occurred(const std::string& detail) {
    ++count_;
    auto now = std::chrono::steady_clock::now();
    if (logged_once_ && now - last_logged_ < kWarningInterval) return;
    spdlog::warn("{}: {} ({} times since the last such line)", what_, detail, count_);
    logged_once_ = true;
    last_logged_ = now;
    count_ = 0;
  }

 private:
  std::string what_;
  bool logged_once_ = false;
  std::chrono::steady_clock::time_point last_logged_;
  uint64_t count_ = 0;
};

// How long the accept loop waits after a failed accept: the failures that matter (EMFILE, ENFILE, ENOMEM)
// persist until something else closes a descriptor, so retrying at once would spin a core. The wait
// doubles per consecutive failure up to a second.
class AcceptBackoff {
 public:
  std::chrono::milliseconds Failed() {
    delay_ = delay_.count() == 0 ? kMinAcceptBackoff : std::min(delay_ * 2, kMaxAcceptBackoff);
    return delay_;
  }
  void Succeeded() { delay_ = std::chrono::milliseconds(0); }

 private:
  std::chrono::milliseconds delay_{0};
};

uint32_t DefaultConnectionCap() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 4096;
  return static_cast<uint32_t>(std::max<rlim_t>(limit.rlim_cur / 2, 16));
}

// The answer to a request header that could not be read; nullopt when there is nobody to answer (the
// peer closed, reset or timed out).
struct ProtocolError {
  int status;
  const char* code;
  std::string message;
};

std::optional<ProtocolError> ClassifyHeaderError(const beast::error_code& ec, bool start_line_parsed) {
  if (ec == bhttp::error::header_limit) {
    // The parser consumes what it has parsed from the buffer, so the buffer cannot tell a long request
    // line from long header fields; whether the parser got past the start line can.
    if (!start_line_parsed) {
      return ProtocolError{414, "uri_too_long",
                           "the request line exceeds " + std::to_string(kMaxRequestLineBytes) + " bytes"};
    }
    return ProtocolError{431, "header_too_large",
                         "the request header exceeds " + std::to_string(kMaxHeaderBytes) + " bytes"};
  }
  if (ec.category() != bhttp::make_error_code(bhttp::error::bad_target).category() ||
      ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
    return std::nullopt;
  }
  return ProtocolError{400, "malformed_request", "the request is not valid HTTP/1.1: " + ec.message()};
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router, ErrorRenderer render_error)
      : options_(std::move(options)),
        router_(router),
        render_error_(std::move(render_error)),
        acceptor_(io_),
        workers_(options_.workers) {}

  uint16_t Start() {
    if (!options_.tls_cert.empty()) tls_ = api::MakeServerTlsContext(options_.tls_cert, options_.tls_key);
    tcp::endpoint endpoint(asio::ip::make_address(options_.host), options_.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    uint16_t port = acceptor_.local_endpoint().port();
    max_connections_ = options_.max_connections != 0 ? options_.max_connections : DefaultConnectionCap();
    asio::co_spawn(io_, Accept(), asio::detached);
    for (uint32_t i = 0; i < options_.io_threads; ++i) threads_.emplace_back([this] { io_.run(); });
    return port;
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    asio::post(io_, [this] { acceptor_.close(); });
    {
      std::unique_lock lock(inflight_mutex_);
      inflight_cv_.wait_for(lock, options_.shutdown_timeout, [this] { return inflight_ == 0; });
      if (inflight_ > 0)
        spdlog::warn("shutdown: {} HTTP requests still running after the grace period", inflight_);
    }
    io_.stop();
    for (auto& thread : threads_) thread.join();
    workers_.join();
  }

 private:
  asio::awaitable<void> Accept() {
    asio::steady_timer pause(io_);
    AcceptBackoff backoff;
    RateLimitedWarning accept_failed("accept failed");
    RateLimitedWarning at_cap("HTTP connection cap reached, new connections wait in the backlog");
    for (;;) {
      // At the cap, leave new connections in the kernel's backlog: they hold no descriptor of ours.
      if (connections_ >= max_connections_) at_cap.Occurred(std::to_string(max_connections_) + " open");
      while (connections_ >= max_connections_ && !stopped_) {
        pause.expires_after(kCapPollInterval);
        co_await pause.async_wait(kAsTuple);
      }
      auto [ec, socket] = co_await acceptor_.async_accept(kAsTuple);
      if (ec) {
        if (ec == asio::error::operation_aborted || stopped_) co_return;
        accept_failed.Occurred(ec.message());
        pause.expires_after(backoff.Failed());
        co_await pause.async_wait(kAsTuple);
        continue;
      }
      backoff.Succeeded();
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      ++connections_;
      asio::co_spawn(io_, Session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Session(tcp::socket socket) {
    ScopeExit release([this] { --connections_; });
    std::string remote;
    beast::error_code ignored;
    auto endpoint = socket.remote_endpoint(ignored);
    if (!ignored) remote = endpoint.address().to_string();
    if (!tls_) {
      beast::tcp_stream stream(std::move(socket));
      if (co_await Converse(stream, remote)) {
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        co_await LingeringClose(stream);
      }
      co_return;
    }
    TlsStream stream(std::move(socket), *tls_);
    // The handshake belongs to the first request: it must be done within the header timeout.
    stream.next_layer().expires_after(options_.header_read_timeout);
    auto [handshake] = co_await stream.async_handshake(asio::ssl::stream_base::server, kAsTuple);
    stream.next_layer().expires_never();
    if (handshake) {
      spdlog::debug("TLS handshake with {} failed: {}", remote, handshake.message());
      co_return;
    }
    if (!co_await Converse(stream, remote)) co_return;
    // close_notify, then the peer's (bounded): a peer reading to the end of the stream sees it end cleanly.
    // There is no half-close under TLS, so no lingering read for an unread body either: the rare client
    // still sending one may see a reset instead of the response it was sent.
    stream.next_layer().expires_after(kLingerTimeout);
    co_await stream.async_shutdown(kAsTuple);
  }

  // Serves the requests of one connection; returns whether it ended by our choice (an answer that closes
  // it, shutdown) and should be closed gracefully, rather than by the peer or a timeout.
  template <typename Stream>
  asio::awaitable<bool> Converse(Stream& stream, const std::string& remote) {
    auto& tcp_stream = beast::get_lowest_layer(stream);
    beast::flat_buffer buffer;
    for (bool first = true;; first = false) {
      RequestParser parser;
      parser.header_limit(kMaxHeaderBytes);
      parser.body_limit(boost::none);
      // Wait for the next request's first byte (a new connection gets no idle allowance), then give
      // its header `header_read_timeout` in total: a peer trickling a header cannot hold the connection.
      if (buffer.size() == 0) {
        tcp_stream.expires_after(first ? options_.header_read_timeout : options_.idle_timeout);
        auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kSocketReadBytes), kAsTuple);
        if (ec) co_return false;  // closed or idle too long
        buffer.commit(n);
      }
      tcp_stream.expires_after(options_.header_read_timeout);
      auto [ec, bytes] = co_await bhttp::async_read_header(stream, buffer, parser, kAsTuple);
      tcp_stream.expires_never();
      if (ec) {
        auto error = ClassifyHeaderError(ec, !parser.get().target().empty());
        if (!error) co_return false;  // closed or timed out: nobody to answer
        co_await RejectMalformed(stream, *error, remote);
        co_return true;
      }
      if (parser.get().target().size() > kMaxRequestLineBytes) {
        // A named local: GCC 12 destroys a temporary with a destructor in a co_await expression twice.
        ProtocolError too_long{
            414, "uri_too_long",
            "the request target exceeds " + std::to_string(kMaxRequestLineBytes) + " bytes"};
        co_await RejectMalformed(stream, too_long, remote);
        co_return true;
      }
      bool keep_alive = co_await Serve(stream, buffer, parser, remote);
      if (!keep_alive || stopped_) co_return true;
    }
  }

  // Answers a request that could not be parsed (the connection is closed after it: its framing is lost).
  template <typename Stream>
  asio::awaitable<void> RejectMalformed(Stream& stream, const ProtocolError& error,
                                        const std::string& remote) {
    Request request;
    request.request_id = log::NewRequestId();
    request.remote_address = remote;
    Response response;
    {
      log::ScopedRequestId scoped(request.request_id);  // thread-local: not held across a co_await
      response = render_error_(request, InvalidArgument(error.code, error.message));
      spdlog::info("malformed request from {} -> {}: {}", remote, error.status, error.message);
    }
    response.status = error.status;  // the HTTP codec's own statuses, beyond what an error kind maps to
    response.headers.Set("x-request-id", request.request_id);
    uint64_t sent = 0;  // not counted in the request metrics: a request that does not parse names no route
    co_await Write(stream, response, /*keep_alive=*/false, 11, sent);
  }

  // After answering a request whose body was not read (an upload refused early), the client may still be
  // sending it. Closing at once would reset the connection, and the reset can destroy the response before
  // the client reads it; so, like nginx's lingering_close, discard what still arrives for a short while.
  asio::awaitable<void> LingeringClose(beast::tcp_stream& stream) {
    std::vector<char> scratch(kSocketReadBytes);
    stream.expires_after(kLingerTimeout);
    for (uint64_t discarded = 0; discarded < kMaxLingerBytes;) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kAsTuple);
      if (ec) break;  // end of stream, timeout or error: close now
      discarded += n;
    }
  }

  // Serves one request whose header has been read; returns whether the connection may be reused.
  template <typename Stream>
  asio::awaitable<bool> Serve(Stream& stream, beast::flat_buffer& buffer, RequestParser& parser,
                              const std::string& remote) {
    auto started = std::chrono::steady_clock::now();
    auto& header = parser.get();
    Request request;
    request.method = std::string(header.method_string());
    request.target = std::string(header.target());
    request.remote_address = remote;
    for (const auto& field : header)
      request.headers.Add(std::string(field.name_string()), std::string(field.value()));
    if (parser.content_length()) request.content_length = *parser.content_length();
    request.request_id = SanitizeRequestId(request.headers.Find("x-request-id"));

    Response response;
    bool body_consumed = true;
    // Of the matched route; an unmatched request counts as REST operation "unmatched".
    std::string door = "rest";
    bool self_recorded = false;
    request.operation = "unmatched";
    std::optional<metrics::InFlight> in_flight;
    uint64_t received = 0;
    {
      std::lock_guard lock(inflight_mutex_);
      ++inflight_;
    }
    try {
      auto url = boost::urls::parse_origin_form(request.target);
      if (!url) throw InvalidArgument("invalid_target", "malformed request target");
      request.raw_path = std::string(url->encoded_path());
      request.path = url->path();
      for (auto param : url->params()) request.query.emplace_back(param.key, param.value);
      RouteMatch match =
          router_.Match(request.method, request.raw_path, request.path, request.headers.Get("host"));
      if (!match.handler) {
        if (match.path_matched_other_method) {
          throw Error(ErrorKind::kInvalidArgument, "method_not_allowed",
                      "method " + request.method + " is not allowed on " + request.path);
        }
        throw NotFound("route_not_found", "no such endpoint: " + request.method + " " + request.path);
      }
      door = match.door;
      self_recorded = match.options.self_recorded;
      request.operation = std::move(match.operation);
      in_flight.emplace(door);
      request.path_params = std::move(match.params);
      bool expects_continue =
          beast::iequals(header[bhttp::field::expect], "100-continue") && !parser.is_done();
      StreamBodyReader<Stream> reader(io_, stream, buffer, parser, options_.body_read_timeout,
                                      expects_continue, options_.send_timeout, received);
      if (match.options.stream_body) {
        request.body_reader = &reader;
      } else {
        if (expects_continue && co_await WriteContinue(stream, options_.send_timeout)) {
          throw InvalidArgument("body_read_failed", "sending 100 Continue failed");
        }
        co_await ReadWholeBody(stream, buffer, parser, request.body);
        received = request.body.size();
      }
      const Handler* handler = match.handler;
      response = co_await asio::co_spawn(
          workers_.get_executor(),
          [&]() -> asio::awaitable<Response> {
            log::ScopedRequestId scoped(request.request_id);
            co_return RunHandler(*handler, request);
          },
          asio::use_awaitable);
      body_consumed = parser.is_done();
    } catch (const std::exception& e) {
      log::ScopedRequestId scoped(request.request_id);
      response = render_error_(request, e);
      body_consumed = parser.is_done();
    }
    response.headers.Set("x-request-id", request.request_id);
    bool keep_alive = header.keep_alive() && body_consumed && !stopped_;
    uint64_t sent = 0;
    bool ok = co_await Write(stream, response, keep_alive, header.version(), sent);

    auto elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    RecordMetrics(door, self_recorded, request, response, received, sent, elapsed);
    in_flight.reset();
    {
      log::ScopedRequestId scoped(request.request_id);
      spdlog::info("{} {} -> {} ({:.1f} ms)", request.method, request.path, response.status,
                   static_cast<double>(elapsed.count()) / 1000.0);
    }
    {
      std::lock_guard lock(inflight_mutex_);
      --inflight_;
    }
    inflight_cv_.notify_all();
    co_return ok&& keep_alive;
  }

  Response RunHandler(const Handler& handler, Request& request) {
    try {
      return handler(request);
    } catch (const std::exception& e) {
      return render_error_(request, e);
    }
  }

  template <typename Stream>
  asio::awaitable<void> ReadWholeBody(Stream& stream, beast::flat_buffer& buffer, RequestParser& parser,
                                      std::string& body) {
    if (parser.content_length() && *parser.content_length() > options_.max_body_bytes) {
      throw Error(ErrorKind::kPayloadTooLarge, "body_too_large",
                  "request body exceeds " + std::to_string(options_.max_body_bytes) + " bytes");
    }
    std::vector<char> chunk(kSocketReadBytes);
    buffer.reserve(buffer.size() + kSocketReadBytes);
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      // One deadline per chunk: the body must move kSocketReadBytes per body_read_timeout.
      beast::get_lowest_layer(stream).expires_after(options_.body_read_timeout);
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kAsTuple);
      beast::get_lowest_layer(stream).expires_never();
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec == beast::error::timeout) throw BodyReadTimeout(options_.body_read_timeout);
      if (ec) throw InvalidArgument("body_read_failed", "reading the request body failed: " + ec.message());
      body.append(chunk.data(), chunk.size() - parser.get().body().size);
      if (body.size() > options_.max_body_bytes) {
        throw Error(ErrorKind::kPayloadTooLarge, "body_too_large",
                    "request body exceeds " + std::to_string(options_.max_body_bytes) + " bytes");
      }
    }
  }

  // Writes the response; false when the connection failed. `sent` counts the body bytes written.
  template <typename Stream>
  asio::awaitable<bool> Write(Stream& stream, Response& response, bool keep_alive, unsigned version,
                              uint64_t& sent) {
    bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(response.status), version};
    for (const auto& [name, value] : response.headers.all()) head.insert(name, value);
    head.keep_alive(keep_alive);
    uint64_t length = response.file ? response.file->length : response.body.size();
    if (!response.headers.Find("content-length")) head.content_length(length);
    bool send_body = !response.omit_body && response.status != 204 && response.status != 304;
    bhttp::response_serializer<bhttp::empty_body> serializer{head};
    // A peer that does not read its response must not hold the connection: each write has a deadline.
    beast::get_lowest_layer(stream).expires_after(options_.send_timeout);
    auto [ec, n] = co_await bhttp::async_write_header(stream, serializer, kAsTuple);
    if (ec) co_return false;
    if (!send_body) co_return true;
    if (!response.file) {
      beast::get_lowest_layer(stream).expires_after(options_.send_timeout);
      auto [body_ec, written] = co_await asio::async_write(stream, asio::buffer(response.body), kAsTuple);
      sent = written;
      co_return !body_ec;
    }
    co_return co_await WriteFile(stream, *response.file, sent);
  }

  template <typename Stream>
  asio::awaitable<bool> WriteFile(Stream& stream, const FileBody& file, uint64_t& sent) {
    std::vector<char> chunk(kChunkBytes);
    for (const FileBody::Piece& piece : file.pieces) {
      uint64_t offset = piece.offset;
      uint64_t remaining = piece.length;
      while (remaining > 0) {
        ssize_t got = ::pread(piece.file->fd(), chunk.data(), std::min<uint64_t>(remaining, chunk.size()),
                              static_cast<off_t>(offset));
        if (got <= 0) co_return false;
        beast::get_lowest_layer(stream).expires_after(options_.send_timeout);
        auto [ec, written] = co_await asio::async_write(
            stream, asio::buffer(chunk.data(), static_cast<size_t>(got)), kAsTuple);
        if (ec) co_return false;
        offset += static_cast<uint64_t>(got);
        remaining -= static_cast<uint64_t>(got);
        sent += written;
      }
    }
    co_return true;
  }

  ServerOptions options_;
  std::unique_ptr<asio::ssl::context> tls_;  // null: plain HTTP
  const Router& router_;
  ErrorRenderer render_error_;
  // Declared before io_: sessions destroyed with io_ at shutdown still decrement it.
  std::atomic<uint32_t> connections_{0};
  uint32_t max_connections_ = 0;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::thread_pool workers_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_{false};
  std::mutex inflight_mutex_;
  std::condition_variable inflight_cv_;
  int inflight_ = 0;
};

Server::Server(ServerOptions options, const Router& router, ErrorRenderer render_error)
    : impl_(std::make_unique<Impl>(std::move(options), router, std::move(render_error))) {}

Server::~Server() {
  Stop();
}

void Server::Start() {
  bound_port_ = impl_->Start();
}

void Server::Stop() {
  impl_->Stop();
}

}  // namespace duckstore::http
