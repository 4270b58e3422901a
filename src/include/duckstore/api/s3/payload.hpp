// A request's payload as the S3 handlers read it: the raw body, or the aws-chunked decoding of it
// (ChunkedPayloadReader), and the content checksum the request claims for it (docs/design/s3.md,
// "Checksums"): an x-amz-checksum-<algorithm> header, or x-amz-trailer naming the trailing header that
// will carry it, with x-amz-sdk-checksum-algorithm naming the algorithm either way.
//
// The checksum is computed while the content streams (no second pass) and compared once the payload has
// been read to its end, before the caller publishes anything:
//   invalid_request (InvalidRequest): more than one checksum header, a value that is not base64 of the
//     algorithm's size, an algorithm header without a value or a trailer, a declared trailer that is missing;
//   bad_digest (BadDigest): the content does not match.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "duckstore/api/http/message.hpp"
#include "duckstore/api/s3/chunked_payload.hpp"
#include "duckstore/api/s3/sigv4.hpp"
#include "duckstore/common/checksum.hpp"

namespace duckstore::s3 {

// A checksum and the algorithm that made it (raw bytes).
struct Checksum {
  ChecksumAlgorithm algorithm = ChecksumAlgorithm::kCrc32;
  std::string value;
};

// What a request says about its content's checksum.
struct ChecksumClaim {
  ChecksumAlgorithm algorithm = ChecksumAlgorithm::kCrc32;
  std::optional<std::string> expected;  // raw, from the header; nullopt: in the trailer
  std::string trailer;                  // the x-amz-trailer header name carrying it, when so
};

// The claim of `request`, nullopt when it makes none. Throws invalid_request as described above.
std::optional<ChecksumClaim> ChecksumClaimOf(const http::Request& request);

// Throws bad_digest unless `computed` is what `claim` expects; the expected value comes from the trailing
// headers when the claim names a trailer (invalid_request when it is missing or malformed).
void VerifyChecksum(const ChecksumClaim& claim, const std::string& computed,
                    const std::vector<std::pair<std::string, std::string>>& trailers);

// The decoded payload of a request. Throws missing_content_length when an aws-chunked request signed
// chunk by chunk lacks x-amz-decoded-content-length.
class Payload final : public http::BodyReader {
 public:
  Payload(http::Request& request, const SignedRequest& signature);
  ~Payload() override;
  size_t Read(char* buffer, size_t size) override;
  // The trailing headers of an aws-chunked payload, once Read() returned 0; empty otherwise.
  const std::vector<std::pair<std::string, std::string>>& trailers() const;

 private:
  class Buffered;
  http::BodyReader* source_ = nullptr;
  std::unique_ptr<http::BodyReader> buffered_;
  std::unique_ptr<ChunkedPayloadReader> chunked_;
};

}  // namespace duckstore::s3
