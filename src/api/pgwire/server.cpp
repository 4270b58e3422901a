#include "duckstore/api/pgwire/server.hpp"

#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "duckstore/api/pgwire/channel.hpp"
#include "duckstore/api/pgwire/errors.hpp"
#include "duckstore/api/pgwire/protocol.hpp"
#include "duckstore/api/pgwire/startup.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/log.hpp"
#include "duckstore/common/scope_exit.hpp"

namespace duckstore::pgwire {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t kMaxLoginFailures = 10;
constexpr std::chrono::seconds kLoginFailureWindow{60};

// tls-server-end-point (RFC 5929): the certificate's hash with its signature's digest, SHA-256 for MD5
// and SHA-1 (and for signatures without a digest).
std::string EndPointHash(SSL_CTX* context) {
  X509* cert = SSL_CTX_get0_certificate(context);
  if (!cert) throw Internal("the TLS context has no certificate");
  int digest_nid = NID_undef;
  OBJ_find_sigid_algs(X509_get_signature_nid(cert), &digest_nid, nullptr);
  const EVP_MD* digest = digest_nid == NID_md5 || digest_nid == NID_sha1 || digest_nid == NID_undef
                             ? EVP_sha256()
                             : EVP_get_digestbynid(digest_nid);
  if (!digest) digest = EVP_sha256();
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, digest, hash, &length) != 1) throw Internal("cannot hash the TLS certificate");
  return std::string(reinterpret_cast<char*>(hash), length);
}

int32_t RandomInt32() {
  int32_t value = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof value) != 1)
    throw Internal("no randomness");
  return value;
}

void SendFatal(Wire& wire, const std::exception& error) {
  auto notice = NoticeOf(error);
  notice.severity = "FATAL";
  try {
    wire.out().ErrorResponse(notice);
    wire.Flush();
  } catch (const std::exception&) {
    // The peer is gone; nothing more to tell it.
  }
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, SqlSessionService& sessions)
      : options_(std::move(options)),
        sessions_(sessions),
        acceptor_(io_),
        throttle_(kMaxLoginFailures, kLoginFailureWindow) {}

  void Start() {
    if (!options_.tls_cert.empty()) {
      tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
      tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1);
      tls_->use_certificate_chain_file(options_.tls_cert.string());
      tls_->use_private_key_file(options_.tls_key.string(), asio::ssl::context::pem);
      settings_.tls = tls_.get();
      settings_.tls_end_point = EndPointHash(tls_->native_handle());
    }
    settings_.require_tls = options_.require_tls;
    settings_.mock_key = options_.mock_key;
    tcp::endpoint endpoint(asio::ip::make_address(options_.host), options_.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  void Stop() {
    if (stopping_.exchange(true)) return;
    if (accept_thread_.joinable()) {
      ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // wakes the blocked accept()
      accept_thread_.join();
    }
    std::unique_lock lock(mutex_);
    for (auto& [pid, entry] : entries_) entry->channel->StopReading();
    if (!idle_.wait_for(lock, options_.shutdown_timeout, [this] { return connections_ == 0; })) {
      spdlog::warn("pgwire: interrupting {} session(s) still running at the shutdown deadline", connections_);
      for (auto& [pid, entry] : entries_) {
        if (entry->session) entry->session->Interrupt();
        entry->channel->Close();
      }
      idle_.wait(lock, [this] { return connections_ == 0; });
    }
  }

  uint16_t port() const { return port_; }

 private:
  struct Entry {
    int32_t secret = 0;
    Channel* channel = nullptr;
    SqlSession* session = nullptr;  // set once logged in, cleared before the session ends
  };

  void AcceptLoop() {
    while (!stopping_) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (stopping_) break;
      if (ec) {
        spdlog::warn("pgwire: accept failed: {}", ec.message());
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // e.g. out of descriptors
        continue;
      }
      {
        std::lock_guard lock(mutex_);
        ++connections_;
      }
      std::thread([this, s = std::move(socket)]() mutable { Serve(std::move(s)); }).detach();
    }
  }

  void Serve(tcp::socket socket) {
    Channel channel(std::move(socket));
    Wire wire(channel, options_.limits);
    auto entry = std::make_shared<Entry>();
    entry->channel = &channel;
    entry->secret = RandomInt32();
    std::unique_ptr<SqlSession> session;
    int32_t pid = 0;
    bool over_capacity = false;
    {
      std::lock_guard lock(mutex_);
      pid = next_pid_++;
      over_capacity = connections_ > options_.max_sessions;
      entries_[pid] = entry;
    }
    if (stopping_) channel.StopReading();  // accepted just as Stop began: do not wait for this one
    // Declared after `session`, so it runs first: the entry is gone before the session is destroyed.
    ScopeExit unregister([&] {
      std::lock_guard lock(mutex_);
      entries_.erase(pid);
      --connections_;
      idle_.notify_all();
    });
    try {
      if (over_capacity)
        throw Error(ErrorKind::kUnavailable, "too_many_connections", "sorry, too many clients already");
      auto started = RunStartup(wire, settings_, sessions_, throttle_);
      if (!started) return;
      if (started->cancel) {
        Cancel(*started->cancel);
        return;
      }
      session = std::move(started->session);
      SendSessionStart(wire, started->login, pid, entry->secret);
      {
        std::lock_guard lock(mutex_);
        entry->session = session.get();
      }
      Protocol(wire, *session).Run();
      if (stopping_) {
        SendFatal(wire, Error(ErrorKind::kUnavailable, "admin_shutdown",
                              "terminating connection due to administrator command"));
      }
    } catch (const boost::system::system_error&) {
      // The peer went away mid-write.
    } catch (const std::exception& e) {
      SendFatal(wire, e);
    }
    std::lock_guard lock(mutex_);
    entry->session = nullptr;
  }

  void Cancel(const CancelRequest& cancel) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(cancel.pid);
    // A wrong secret is ignored silently, as PostgreSQL does: the requester learns nothing.
    if (it == entries_.end() || it->second->secret != cancel.secret || !it->second->session) return;
    it->second->session->Interrupt();
  }

  ServerOptions options_;
  SqlSessionService& sessions_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::unique_ptr<asio::ssl::context> tls_;
  StartupSettings settings_;
  LoginThrottle throttle_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_ = false;
  std::thread accept_thread_;
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  size_t connections_ = 0;
  int32_t next_pid_ = 1000;
  std::map<int32_t, std::shared_ptr<Entry>> entries_;
};

Server::Server(ServerOptions options, SqlSessionService& sessions)
    : impl_(std::make_unique<Impl>(std::move(options), sessions)) {}

Server::~Server() {
  impl_->Stop();
}

void Server::Start() {
  impl_->Start();
}

void Server::Stop() {
  impl_->Stop();
}

uint16_t Server::port() const {
  return impl_->port();
}

}  // namespace duckstore::pgwire
