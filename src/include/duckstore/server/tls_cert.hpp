// The PostgreSQL listener's TLS certificate when none is configured: a self-signed certificate (its own CA,
// so clients verify it with sslrootcert=<the .crt> and sslmode=verify-full) generated once into the data
// directory's secrets, key and certificate 0600. Names: localhost, 127.0.0.1, ::1 and the --host address.
#pragma once

#include <filesystem>
#include <string>

namespace duckstore {

struct TlsFiles {
  std::filesystem::path cert;
  std::filesystem::path key;
};

// Returns the files in `dir` (pg-server.crt, pg-server.key), creating them when missing.
TlsFiles LoadOrCreateSelfSignedCertificate(const std::filesystem::path& dir, const std::string& host);

}  // namespace duckstore
