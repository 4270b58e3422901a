// The TLS server context of a listener (the HTTP door's HTTPS, the PostgreSQL door's SSLRequest), so both
// doors offer the same protocol versions: TLS 1.2 and later (SSL and TLS 1.0/1.1 refused), OpenSSL's
// defaults otherwise.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <memory>

namespace duckstore::api {

// A context serving the PEM certificate chain at `cert` with the private key at `key`. Throws
// Error(kInvalidArgument, "invalid_config") naming the file when either cannot be loaded.
std::unique_ptr<boost::asio::ssl::context> MakeServerTlsContext(const std::filesystem::path& cert,
                                                                const std::filesystem::path& key);

}  // namespace duckstore::api
