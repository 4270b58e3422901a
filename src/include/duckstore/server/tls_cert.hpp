// A TLS listener's certificate when none is configured: a self-signed certificate (its own CA, so clients
// verify it by trusting the .crt: psql's sslrootcert=<the .crt> sslmode=verify-full, curl's --cacert)
// generated once into the data directory's secrets, key and certificate 0600. Names: localhost, 127.0.0.1,
// ::1 and the --host address. Each door has its own (pg-server for PostgreSQL, http-server for HTTPS).
#pragma once

#include <filesystem>
#include <string>

namespace duckstore {

struct TlsFiles {
  std::filesystem::path cert;
  std::filesystem::path key;
};

// Returns the files `<stem>.crt` and `<stem>.key` in `dir`, creating them when missing.
TlsFiles LoadOrCreateSelfSignedCertificate(const std::filesystem::path& dir, const std::string& host,
                                           const std::string& stem);

}  // namespace duckstore
