// S3 error documents: duckstore::Error (kind + code) translated once into S3's error code, HTTP status and
// XML body (<Error><Code/><Message/>...<RequestId/></Error>, without a namespace, as S3 sends it).
#pragma once

#include <exception>
#include <string>

#include "duckstore/api/http/message.hpp"

namespace duckstore::s3 {

struct S3ErrorCode {
  std::string code;  // e.g. "NoSuchKey"
  int status = 500;
};

// The S3 error code and status of a duckstore error code/kind pair.
S3ErrorCode S3ErrorOf(const std::exception& error);

// The response for an exception that escaped an S3 handler. `resource` is the request path (bucket/key).
http::Response RenderS3Error(const http::Request& request, const std::exception& error);

}  // namespace duckstore::s3
