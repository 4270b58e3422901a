// The HTTP server's reading of request bodies, shared by its plain and TLS connections (server.cpp is the
// only user): "100 Continue", and StreamBodyReader, which a streamed-body handler pulls the body through.
// Templates over the connection's stream type (beast::tcp_stream, or beast::ssl_stream over one); deadlines
// are set on the lowest layer, the TCP stream, whatever is above it.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <future>

#include "duckstore/api/http/message.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

using RequestParser = bhttp::request_parser<bhttp::buffer_body>;

// The code of the error a stalled request body fails with (kTimeout); doors give it their own status.
inline constexpr char kBodyReadTimeoutCode[] = "body_read_timeout";

// Beast reads a body through the connection buffer, at most 64 KiB and at most the buffer's free capacity
// per socket read. The capacity left over from reading the header is a few hundred bytes, and each socket
// read costs a coroutine resumption and a timer re-arm: reserve the full 64 KiB before streaming a body.
constexpr size_t kSocketReadBytes = size_t{64} * 1024;

// "100 Continue": the client that sent "Expect: 100-continue" may send the body now.
template <typename Stream>
asio::awaitable<beast::error_code> WriteContinue(Stream& stream, std::chrono::seconds send_timeout) {
  bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, 11};
  beast::get_lowest_layer(stream).expires_after(send_timeout);
  auto [ec, n] = co_await bhttp::async_write(stream, proceed, asio::as_tuple(asio::use_awaitable));
  beast::get_lowest_layer(stream).expires_never();
  co_return ec;
}

inline Error BodyReadTimeout(std::chrono::seconds timeout) {
  return Error(ErrorKind::kTimeout, kBodyReadTimeoutCode,
               "the request body arrived slower than 64 KiB per " + std::to_string(timeout.count()) + " s");
}

// Pulls the rest of a body for a handler running on a worker thread, while the session coroutine waits for
// that handler. Each Read runs the socket reads on the connection's I/O executor (so the stream's timer
// applies) and waits for them: each kSocketReadBytes of the body must arrive within `timeout` of the
// previous ones, else the read fails (a deadline per socket read would let a byte a second hold a worker).
// A client that sent "Expect: 100-continue" waits for "100 Continue" before sending the body: it is sent on
// the first read (within `send_timeout`), so a handler that refuses the request before reading
// (authentication, a missing bucket) answers with its final status and the body is never sent
// (RFC 9110 10.1.1).
template <typename Stream>
class StreamBodyReader final : public BodyReader {
 public:
  // `received` counts the body bytes read, for the request metrics.
  StreamBodyReader(asio::io_context& io, Stream& stream, beast::flat_buffer& buffer, RequestParser& parser,
                   std::chrono::seconds timeout, bool send_continue, std::chrono::seconds send_timeout,
                   uint64_t& received)
      : io_(io),
        stream_(stream),
        buffer_(buffer),
        parser_(parser),
        timeout_(timeout),
        send_continue_(send_continue),
        send_timeout_(send_timeout),
        received_(received) {}

  size_t Read(char* out, size_t size) override {
    if (parser_.is_done() || size == 0) return 0;
    auto done = asio::co_spawn(stream_.get_executor(), ReadSome(out, size), asio::use_future);
    // A stopped I/O context never completes the read: give up then, so shutdown can join the workers.
    while (done.wait_for(std::chrono::milliseconds(200)) != std::future_status::ready) {
      if (io_.stopped()) throw Error(ErrorKind::kCancelled, "server_stopping", "the server is shutting down");
    }
    return done.get();
  }

 private:
  // Fills `out` until it is full or the body ends.
  asio::awaitable<size_t> ReadSome(char* out, size_t size) {
    if (send_continue_) {
      send_continue_ = false;
      if (co_await WriteContinue(stream_, send_timeout_))
        throw Error(ErrorKind::kInvalidArgument, "body_read_failed", "sending 100 Continue failed");
    }
    buffer_.reserve(buffer_.size() + kSocketReadBytes);
    size_t got = 0;
    // Fill the whole buffer per hand-off: a thread hand-off per socket read_some (often a few KiB) costs
    // more than the copy on a loaded machine.
    while (got < size && !parser_.is_done()) {
      size_t wanted = size - got;
      parser_.get().body().data = out + got;
      parser_.get().body().size = wanted;
      if (!armed_ || since_armed_ >= kSocketReadBytes) {
        deadline_ = std::chrono::steady_clock::now() + timeout_;
        armed_ = true;
        since_armed_ = 0;
      }
      beast::get_lowest_layer(stream_).expires_at(deadline_);
      auto [ec, n] =
          co_await bhttp::async_read_some(stream_, buffer_, parser_, asio::as_tuple(asio::use_awaitable));
      beast::get_lowest_layer(stream_).expires_never();
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec == beast::error::timeout) throw BodyReadTimeout(timeout_);
      if (ec) {
        throw Error(ErrorKind::kInvalidArgument, "body_read_failed",
                    "reading the request body failed: " + ec.message());
      }
      size_t moved = wanted - parser_.get().body().size;
      got += moved;
      since_armed_ += moved;
    }
    received_ += got;
    co_return got;
  }

  asio::io_context& io_;
  Stream& stream_;
  beast::flat_buffer& buffer_;
  RequestParser& parser_;
  std::chrono::seconds timeout_;
  bool send_continue_;
  std::chrono::seconds send_timeout_;
  uint64_t& received_;
  bool armed_ = false;
  std::chrono::steady_clock::time_point deadline_;
  size_t since_armed_ = 0;  // body bytes received since the deadline was set
};

}  // namespace duckstore::http
