#include "duckstore/api/pgwire/server.hpp"

#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "duckstore/api/pgwire/channel.hpp"
#include "duckstore/api/pgwire/errors.hpp"
#include "duckstore/api/pgwire/protocol.hpp"
#include "duckstore/api/pgwire/startup.hpp"
#include "duckstore/api/tls_context.hpp"
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
      tls_ = api::MakeServerTlsContext(options_.tls_cert, options_.tls_key);
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
    auto& registry = sessions_.registry();
    registry.StopReadingAll();
    std::unique_lock lock(mutex_);
    if (!idle_.wait_for(lock, options_.shutdown_timeout, [this] { return connections_ == 0; })) {
      spdlog::warn("pgwire: interrupting {} session(s) still running at the shutdown deadline", connections_);
      lock.unlock();
      registry.InterruptAndCloseAll();
      lock.lock();
      idle_.wait(lock, [this] { return connections_ == 0; });
    }
  }

  uint16_t port() const { return port_; }

 private:
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
    auto& registry = sessions_.registry();
    int32_t secret = RandomInt32();
    // The registry (services/workspaces/session_registry) holds the connection: CancelRequest, listing,
    // ending it from the REST door or when its workspace goes. Channel's stop and close are OS calls that
    // any thread may make.
    int32_t pid = registry.Register(
        {secret, channel.peer(), [&channel] { channel.StopReading(); }, [&channel] { channel.Close(); }});
    bool over_capacity = false;
    {
      std::lock_guard lock(mutex_);
      over_capacity = connections_ > options_.max_sessions;
    }
    if (stopping_) channel.StopReading();  // accepted just as Stop began: do not wait for this one
    std::unique_ptr<SqlSession> session;
    // The session (which leaves the registry's list as it is destroyed) goes before the connection.
    ScopeExit unregister([&] {
      session.reset();
      registry.Unregister(pid);
      std::lock_guard lock(mutex_);
      --connections_;
      idle_.notify_all();
    });
    try {
      if (over_capacity)
        throw Error(ErrorKind::kUnavailable, "too_many_connections", "sorry, too many clients already");
      auto started = RunStartup(wire, settings_, sessions_, throttle_);
      if (!started) return;
      if (started->cancel) {
        registry.Cancel(started->cancel->pid, started->cancel->secret);
        return;
      }
      session = std::move(started->session);
      SendSessionStart(wire, started->login, pid, secret);
      sessions_.List(pid, *session);
      Protocol(wire, *session).Run();
      if (auto reason = session->activity().ended()) {
        SendFatal(wire, *reason);
      } else if (stopping_) {
        SendFatal(wire, SqlSessionRegistry::AdminShutdown());
      }
    } catch (const boost::system::system_error&) {
      // The peer went away mid-write.
    } catch (const std::exception& e) {
      // Ended from outside: the reason, whatever the interrupted work threw (a read cut short, ...).
      std::optional<Error> reason;
      if (session) reason = session->activity().ended();
      if (reason) {
        SendFatal(wire, *reason);
      } else {
        SendFatal(wire, e);
      }
    }
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
