#include "duckstore/api/pgwire/channel.hpp"

#include <sys/socket.h>

#include <algorithm>

namespace duckstore::pgwire {

namespace asio = boost::asio;

Channel::Channel(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {
  boost::system::error_code ec;
  auto endpoint = socket_.remote_endpoint(ec);
  peer_ = ec ? "unknown" : endpoint.address().to_string();
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

Channel::~Channel() = default;

size_t Channel::ReadSome(char* out, size_t size) {
  boost::system::error_code ec;
  size_t n =
      tls_ ? tls_->read_some(asio::buffer(out, size), ec) : socket_.read_some(asio::buffer(out, size), ec);
  return ec ? 0 : n;
}

void Channel::Write(std::string_view data) {
  if (tls_) {
    asio::write(*tls_, asio::buffer(data.data(), data.size()));
  } else {
    asio::write(socket_, asio::buffer(data.data(), data.size()));
  }
}

void Channel::StartTls(asio::ssl::context& context) {
  tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(socket_, context);
  tls_->handshake(asio::ssl::stream_base::server);
}

// The OS calls, not the Asio object's: another thread may be inside a read or write on it.
void Channel::StopReading() {
  ::shutdown(socket_.native_handle(), SHUT_RD);
}

void Channel::Close() {
  ::shutdown(socket_.native_handle(), SHUT_RDWR);
}

std::optional<Frame> Wire::Read(bool startup) {
  if (consumed_ > 0) {
    in_.erase(0, consumed_);
    consumed_ = 0;
  }
  size_t needed = 0;
  while (true) {
    if (auto frame = ScanFrame(in_, startup, limits_, &needed)) {
      consumed_ = frame->size;
      return frame;
    }
    // Grow towards a large frame step by step: its length alone does not make us allocate all of it.
    size_t want = std::clamp(needed - in_.size(), kReadBytes, kReadBytes * 16);
    size_t at = in_.size();
    in_.resize(at + want);
    size_t n = channel_.ReadSome(in_.data() + at, want);
    in_.resize(at + n);
    if (n == 0) {
      if (!in_.empty()) throw ProtocolError("the connection closed inside a message");
      return std::nullopt;
    }
  }
}

bool Wire::HasBuffered() const {
  std::string_view rest = std::string_view(in_).substr(consumed_);
  try {
    return ScanFrame(rest, false, limits_).has_value();
  } catch (const ProtocolError&) {
    return true;  // the next Read reports it
  }
}

void Wire::Flush() {
  if (out_.buffer().empty()) return;
  channel_.Write(out_.buffer());
  out_.Clear();
}

}  // namespace duckstore::pgwire
