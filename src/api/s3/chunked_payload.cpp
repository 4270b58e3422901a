#include "duckstore/api/s3/chunked_payload.hpp"

#include <openssl/evp.h>

#include <cstring>

#include "duckstore/common/error.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore::s3 {
namespace {

constexpr size_t kReadBytes = 256 * 1024;
constexpr size_t kMaxChunkHeader = 4096;
constexpr std::string_view kSignatureField = ";chunk-signature=";

Error BadChunk(const std::string& message) {
  return InvalidArgument("invalid_chunk", "malformed aws-chunked body: " + message);
}

}  // namespace

struct ChunkedPayloadReader::Hash {
  Hash() : context(EVP_MD_CTX_new()) {
    if (!context) throw Internal("digest init failed");
  }
  ~Hash() { EVP_MD_CTX_free(context); }
  void Reset() {
    if (EVP_DigestInit_ex(context, EVP_sha256(), nullptr) != 1) throw Internal("digest init failed");
  }
  void Update(const char* data, size_t size) {
    if (EVP_DigestUpdate(context, data, size) != 1) throw Internal("digest failed");
  }
  std::string FinalHex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context, digest, &length) != 1) throw Internal("digest failed");
    return HexEncode(std::string_view(reinterpret_cast<char*>(digest), length));
  }
  EVP_MD_CTX* context;
};

ChunkedPayloadReader::ChunkedPayloadReader(http::BodyReader& inner, const SignedRequest& signed_request,
                                           uint64_t decoded_length)
    : inner_(inner),
      signed_request_(signed_request),
      decoded_length_(decoded_length),
      previous_signature_(signed_request.seed_signature),
      hash_(std::make_unique<Hash>()) {}

ChunkedPayloadReader::~ChunkedPayloadReader() = default;

bool ChunkedPayloadReader::Fill() {
  if (pending_pos_ > 0) {
    pending_.erase(0, pending_pos_);
    pending_pos_ = 0;
  }
  size_t old_size = pending_.size();
  pending_.resize(old_size + kReadBytes);
  size_t got = inner_.Read(pending_.data() + old_size, kReadBytes);
  pending_.resize(old_size + got);
  return got > 0;
}

void ChunkedPayloadReader::ReadChunkHeader() {
  size_t end;
  while ((end = pending_.find("\r\n", pending_pos_)) == std::string::npos) {
    if (pending_.size() - pending_pos_ > kMaxChunkHeader) throw BadChunk("chunk header too long");
    if (!Fill()) throw InvalidArgument("incomplete_body", "the body ended inside a chunk header");
  }
  std::string_view line(pending_.data() + pending_pos_, end - pending_pos_);
  pending_pos_ = end + 2;
  size_t field = line.find(kSignatureField);
  if (field == std::string_view::npos || field == 0 || field > 16)
    throw BadChunk("chunk header without signature");
  uint64_t size = 0;
  for (char c : line.substr(0, field)) {
    int digit = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
    if (digit < 0) throw BadChunk("chunk size is not hexadecimal");
    size = size * 16 + static_cast<uint64_t>(digit);
  }
  chunk_signature_ = std::string(line.substr(field + kSignatureField.size()));
  if (chunk_signature_.size() != 64) throw BadChunk("chunk signature must be 64 hex digits");
  chunk_remaining_ = size;
  in_chunk_ = true;
  hash_->Reset();
}

// After a chunk's data: its CRLF, then the signature check; a zero-size chunk ends the body.
void ChunkedPayloadReader::FinishChunk() {
  while (pending_.size() - pending_pos_ < 2) {
    if (!Fill()) throw InvalidArgument("incomplete_body", "the body ended inside a chunk");
  }
  if (pending_.compare(pending_pos_, 2, "\r\n") != 0) throw BadChunk("chunk data not followed by CRLF");
  pending_pos_ += 2;
  std::string expected =
      HexEncode(HmacSha256(signed_request_.signing_key,
                           ChunkStringToSign(signed_request_, previous_signature_, hash_->FinalHex())));
  if (!ConstantTimeEquals(expected, chunk_signature_)) {
    throw Error(ErrorKind::kPermissionDenied, "signature_does_not_match",
                "the signature of a chunk of the payload does not match");
  }
  previous_signature_ = expected;
  in_chunk_ = false;
}

size_t ChunkedPayloadReader::Read(char* buffer, size_t size) {
  while (!done_) {
    if (!in_chunk_) {
      ReadChunkHeader();
      if (chunk_remaining_ == 0) {
        FinishChunk();
        if (decoded_total_ != decoded_length_) {
          throw InvalidArgument("incomplete_body",
                                "the decoded body length does not match x-amz-decoded-content-length");
        }
        done_ = true;
        return 0;
      }
    }
    if (chunk_remaining_ == 0) {
      FinishChunk();
      continue;
    }
    size_t want = static_cast<size_t>(std::min<uint64_t>(chunk_remaining_, size));
    size_t got;
    if (pending_pos_ < pending_.size()) {
      got = std::min(want, pending_.size() - pending_pos_);
      std::memcpy(buffer, pending_.data() + pending_pos_, got);
      pending_pos_ += got;
    } else {
      got = inner_.Read(buffer, want);  // straight from the connection: no copy for large chunks
      if (got == 0) throw InvalidArgument("incomplete_body", "the body ended inside a chunk");
    }
    hash_->Update(buffer, got);
    chunk_remaining_ -= got;
    decoded_total_ += got;
    if (decoded_total_ > decoded_length_) {
      throw InvalidArgument("incomplete_body",
                            "the decoded body is longer than x-amz-decoded-content-length");
    }
    return got;
  }
  return 0;
}

}  // namespace duckstore::s3
