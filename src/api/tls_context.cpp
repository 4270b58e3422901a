#include "duckstore/api/tls_context.hpp"

#include "duckstore/common/error.hpp"

namespace duckstore::api {

std::unique_ptr<boost::asio::ssl::context> MakeServerTlsContext(const std::filesystem::path& cert,
                                                                const std::filesystem::path& key) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code error;
  context->use_certificate_chain_file(cert.string(), error);
  if (error) {
    throw InvalidArgument("invalid_config",
                          "cannot load the TLS certificate " + cert.string() + ": " + error.message());
  }
  context->use_private_key_file(key.string(), ssl::context::pem, error);
  if (error) {
    throw InvalidArgument("invalid_config",
                          "cannot load the TLS private key " + key.string() + ": " + error.message());
  }
  return context;
}

}  // namespace duckstore::api
