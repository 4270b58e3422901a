// One client connection of the PostgreSQL listener: a TCP socket that may switch to TLS after SSLRequest
// (Channel), and framed messages over it (Wire). Blocking I/O: each connection has its own thread, as a
// PostgreSQL backend has its own process, so a long statement never holds up another session.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "duckstore/api/pgwire/codec.hpp"

namespace duckstore::pgwire {

class Channel {
 public:
  explicit Channel(boost::asio::ip::tcp::socket socket);
  ~Channel();

  // Bytes read into `out` (at least one); 0 when the peer closed or the channel was shut down.
  size_t ReadSome(char* out, size_t size);
  // Throws boost::system::system_error when the peer is gone.
  void Write(std::string_view data);
  // The TLS handshake after the 'S' answer to SSLRequest; throws on failure.
  void StartTls(boost::asio::ssl::context& context);
  bool tls() const { return tls_ != nullptr; }
  const std::string& peer() const { return peer_; }
  // Any thread: a blocked or later read returns 0; writes still go out (graceful ends).
  void StopReading();
  // Any thread: ends the connection both ways.
  void Close();

 private:
  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
  std::string peer_;
};

class Wire {
 public:
  Wire(Channel& channel, const Limits& limits) : channel_(channel), limits_(limits) {}

  // The next frame (a startup packet when `startup`), nullopt when the peer closed. The frame's body stays
  // valid until the next Read. Throws ProtocolError for invalid or oversized frames.
  std::optional<Frame> Read(bool startup);
  // Whether a complete frame is already buffered (pipelined messages need no flush in between).
  bool HasBuffered() const;
  Writer& out() { return out_; }
  void Flush();
  // Flushes when the output grew past a batch (row streaming).
  void FlushIfLarge() {
    if (out_.buffer().size() >= kBatchBytes) Flush();
  }
  Channel& channel() { return channel_; }

 private:
  static constexpr size_t kBatchBytes = size_t{256} * 1024;
  static constexpr size_t kReadBytes = size_t{64} * 1024;

  Channel& channel_;
  const Limits& limits_;
  std::string in_;
  size_t consumed_ = 0;  // bytes of in_ already returned as frames
  Writer out_;
};

}  // namespace duckstore::pgwire
