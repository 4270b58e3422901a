#include "duckstore/api/s3/payload.hpp"

#include <cstring>

#include "duckstore/api/s3/text.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::s3 {
namespace {

constexpr std::string_view kChecksumHeaderPrefix = "x-amz-checksum-";

Error BadRequest(const std::string& message) {
  return InvalidArgument("invalid_request", message);
}

// The algorithm of an "x-amz-checksum-<name>" header name; nullopt for other headers (x-amz-checksum-mode,
// x-amz-checksum-type, x-amz-checksum-algorithm are not values).
std::optional<ChecksumAlgorithm> AlgorithmOfHeader(std::string_view name) {
  if (!name.starts_with(kChecksumHeaderPrefix)) return std::nullopt;
  return ParseChecksumAlgorithm(name.substr(kChecksumHeaderPrefix.size()));
}

std::optional<uint64_t> DecodedLength(const http::Request& request, bool required) {
  const std::string* decoded = request.headers.Find("x-amz-decoded-content-length");
  try {
    if (!decoded) {
      if (!required) return std::nullopt;
      throw std::invalid_argument("");
    }
    size_t used = 0;
    uint64_t length = std::stoull(*decoded, &used);
    if (used != decoded->size()) throw std::invalid_argument("");
    return length;
  } catch (const std::exception&) {
    throw Error(ErrorKind::kInvalidArgument, "missing_content_length",
                "streaming uploads need a valid x-amz-decoded-content-length header");
  }
}

}  // namespace

// A body the server already buffered (a route that was not streamed).
class Payload::Buffered final : public http::BodyReader {
 public:
  explicit Buffered(const std::string& body) : body_(body) {}
  size_t Read(char* buffer, size_t size) override {
    size_t n = std::min(size, body_.size() - position_);
    std::memcpy(buffer, body_.data() + position_, n);
    position_ += n;
    return n;
  }

 private:
  const std::string& body_;
  size_t position_ = 0;
};

std::optional<ChecksumClaim> ChecksumClaimOf(const http::Request& request) {
  std::optional<ChecksumClaim> claim;
  for (const auto& [name, value] : request.headers.all()) {
    auto algorithm = AlgorithmOfHeader(name);
    if (!algorithm) continue;
    if (claim) {
      throw BadRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
    }
    claim = ChecksumClaim{*algorithm, DecodeChecksum(*algorithm, value), ""};
    if (!claim->expected) throw BadRequest("Value for " + name + " header is invalid.");
  }
  if (const std::string* trailer = request.headers.Find("x-amz-trailer")) {
    std::string name = AsciiLower(*trailer);
    auto algorithm = AlgorithmOfHeader(name);
    if (!algorithm) throw BadRequest("The value specified in the x-amz-trailer header is not supported");
    if (claim)
      throw BadRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
    claim = ChecksumClaim{*algorithm, std::nullopt, name};
  }
  if (const std::string* sdk = request.headers.Find("x-amz-sdk-checksum-algorithm")) {
    auto algorithm = ParseChecksumAlgorithm(*sdk);
    if (!algorithm) throw BadRequest("Checksum algorithm provided is unsupported.");
    if (!claim) {
      throw BadRequest(
          "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer "
          "headers were found.");
    }
    if (claim->algorithm != *algorithm) {
      throw BadRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.");
    }
  }
  return claim;
}

void VerifyChecksum(const ChecksumClaim& claim, const std::string& computed,
                    const std::vector<std::pair<std::string, std::string>>& trailers) {
  std::optional<std::string> expected = claim.expected;
  if (!claim.trailer.empty()) {
    for (const auto& [name, value] : trailers) {
      if (name != claim.trailer) continue;
      expected = DecodeChecksum(claim.algorithm, value);
      if (!expected) throw BadRequest("Value for " + name + " trailing header is invalid.");
    }
    if (!expected)
      throw BadRequest("The trailing header " + claim.trailer + " declared in x-amz-trailer is missing.");
  }
  if (expected && *expected != computed) {
    throw InvalidArgument("bad_digest", "The " + std::string(ChecksumName(claim.algorithm)) +
                                            " you specified did not match the calculated checksum.");
  }
}

Payload::Payload(http::Request& request, const SignedRequest& signature) {
  if (request.body_reader) {
    source_ = request.body_reader;
  } else {
    buffered_ = std::make_unique<Buffered>(request.body);
    source_ = buffered_.get();
  }
  if (IsAwsChunked(signature.payload)) {
    // Chunk signatures bind the length; with a trailer, clients of streams of unknown length omit it.
    bool required = signature.payload == PayloadMode::kStreamingSigned;
    chunked_ = std::make_unique<ChunkedPayloadReader>(*source_, signature, DecodedLength(request, required));
  }
}

Payload::~Payload() = default;

size_t Payload::Read(char* buffer, size_t size) {
  return chunked_ ? chunked_->Read(buffer, size) : source_->Read(buffer, size);
}

const std::vector<std::pair<std::string, std::string>>& Payload::trailers() const {
  static const std::vector<std::pair<std::string, std::string>> kNone;
  return chunked_ ? chunked_->trailers() : kNone;
}

}  // namespace duckstore::s3
