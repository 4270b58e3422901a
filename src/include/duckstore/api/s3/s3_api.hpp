// The S3-compatible API (docs/design/s3.md): path style under `path_prefix` ("/s3/<bucket>/<key>"), and
// virtual-host style when the Host header is "<bucket>.<domain>" (path "/<key>") or path style at the root
// when it is "<domain>" itself.
#pragma once

#include <chrono>
#include <string>

#include "duckstore/api/http/router.hpp"
#include "duckstore/api/s3/handlers.hpp"

namespace duckstore::s3 {

struct S3Options {
  std::string path_prefix = "/s3";
  std::string domain = "s3.localhost";
  std::chrono::seconds max_skew{900};
};

void AddS3Routes(http::Router& router, S3Services services, const S3Options& options);

// The bucket named by a Host header value under `domain`: "" for the domain itself, nullopt when the host
// is not under the domain. Case-insensitive; the port is ignored.
std::optional<std::string> BucketFromHost(std::string_view host, std::string_view domain);

}  // namespace duckstore::s3
