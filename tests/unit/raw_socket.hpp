// A plain TCP client socket for the HTTP server tests: connect to 127.0.0.1, send, and read with deadlines
// (poll), so a test can tell "closed by the server" from "still open" and time how long that took.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace duckstore::testing {

using Clock = std::chrono::steady_clock;

class Socket {
 public:
  explicit Socket(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)), port_(port) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  bool Connect() {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    return ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }

  void Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent <= 0) return;  // the server closed: what it answered is still readable
      data.remove_prefix(static_cast<size_t>(sent));
    }
  }

  // Reads until the peer closes or `limit` passes; `closed` tells which.
  std::string ReadUntilClosed(std::chrono::milliseconds limit, bool* closed = nullptr) {
    std::string data;
    auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (!Readable(deadline)) break;
      char chunk[4096];
      ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (got <= 0) {
        if (closed) *closed = true;
        return data;
      }
      data.append(chunk, static_cast<size_t>(got));
    }
    if (closed) *closed = false;
    return data;
  }

  // Reads one response whose body is Content-Length framed; empty when none arrives within `limit`.
  std::string ReadResponse(std::chrono::milliseconds limit) {
    std::string data;
    auto deadline = Clock::now() + limit;
    while (Readable(deadline)) {
      char chunk[4096];
      ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (got <= 0) break;
      data.append(chunk, static_cast<size_t>(got));
      size_t end = data.find("\r\n\r\n");
      size_t length_at = data.find("Content-Length: ");
      if (end != std::string::npos && length_at != std::string::npos &&
          data.size() >= end + 4 + std::stoul(data.substr(length_at + 16))) {
        break;
      }
    }
    return data;
  }

 private:
  bool Readable(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd_, POLLIN, 0};
    return left > 0 && ::poll(&p, 1, static_cast<int>(left)) > 0;
  }

  int fd_;
  uint16_t port_;
};

inline int StatusOf(const std::string& response) {
  return response.size() >= 12 && response.starts_with("HTTP/1.1 ") ? std::stoi(response.substr(9, 3)) : 0;
}

}  // namespace duckstore::testing
