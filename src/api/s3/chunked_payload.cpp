#include "duckstore/api/s3/chunked_payload.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

#include "duckstore/api/s3/text.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore::s3 {
namespace {

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
                                           std::optional<uint64_t> decoded_length)
    : ahead_(inner),
      signed_request_(signed_request),
      decoded_length_(decoded_length),
      previous_signature_(signed_request.seed_signature),
      hash_(std::make_unique<Hash>()) {}

ChunkedPayloadReader::~ChunkedPayloadReader() = default;

bool ChunkedPayloadReader::signed_chunks() const {
  return signed_request_.payload != PayloadMode::kStreamingUnsignedTrailer;
}

std::optional<std::string> ChunkedPayloadReader::ReadLine() {
  size_t end;
  while ((end = ahead_.bytes.find("\r\n", ahead_.pos)) == std::string::npos) {
    if (ahead_.bytes.size() - ahead_.pos > kMaxChunkHeader)
      throw BadChunk("chunk header or trailer too long");
    if (!ahead_.Fill()) {
      if (ahead_.pos == ahead_.bytes.size()) return std::nullopt;
      // The end of the body closes the last line (clients omit the trailer's final CRLF).
      std::string rest = ahead_.bytes.substr(ahead_.pos);
      ahead_.pos = ahead_.bytes.size();
      return rest;
    }
  }
  std::string line = ahead_.bytes.substr(ahead_.pos, end - ahead_.pos);
  ahead_.pos = end + 2;
  return line;
}

void ChunkedPayloadReader::ReadChunkHeader() {
  std::optional<std::string> next = ReadLine();
  if (!next) throw InvalidArgument("incomplete_body", "the body ended before its final chunk");
  const std::string& line = *next;
  size_t field = line.find(';');
  if (signed_chunks()) {
    field = line.find(kSignatureField);
    if (field == std::string::npos) throw BadChunk("chunk header without signature");
    chunk_signature_ = line.substr(field + kSignatureField.size());
    if (chunk_signature_.size() != 64) throw BadChunk("chunk signature must be 64 hex digits");
  }
  std::string_view digits = std::string_view(line).substr(0, field);
  if (digits.empty() || digits.size() > 16) throw BadChunk("chunk size is not hexadecimal");
  uint64_t size = 0;
  for (char c : digits) {
    int digit = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
    if (digit < 0) throw BadChunk("chunk size is not hexadecimal");
    size = size * 16 + static_cast<uint64_t>(digit);
  }
  chunk_remaining_ = size;
  in_chunk_ = true;
  if (signed_chunks()) hash_->Reset();
}

// After a chunk's data (and its CRLF): the signature check.
void ChunkedPayloadReader::FinishChunk() {
  in_chunk_ = false;
  if (signed_chunks()) {
    std::string expected =
        HexEncode(HmacSha256(signed_request_.signing_key,
                             ChunkStringToSign(signed_request_, previous_signature_, hash_->FinalHex())));
    if (!ConstantTimeEquals(expected, chunk_signature_)) {
      throw Error(ErrorKind::kPermissionDenied, "signature_does_not_match",
                  "the signature of a chunk of the payload does not match");
    }
    previous_signature_ = expected;
  }
}

void ChunkedPayloadReader::ReadTrailer() {
  bool trailer_expected = signed_request_.payload != PayloadMode::kStreamingSigned;
  std::optional<std::string> trailer_signature;
  std::vector<std::pair<std::string, std::string>> lines;
  size_t total = 0;
  while (std::optional<std::string> next = ReadLine()) {
    const std::string& line = *next;
    total += line.size();
    if (total > kMaxChunkHeader) throw BadChunk("trailer too long");
    if (line.empty()) continue;
    if (!trailer_expected) throw BadChunk("data after the final chunk");
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) throw BadChunk("malformed trailing header");
    std::string name = AsciiLower(line.substr(0, colon));
    std::string value(TrimBlanks(std::string_view(line).substr(colon + 1)));
    if (name == "x-amz-trailer-signature") {
      trailer_signature = value;
    } else {
      lines.emplace_back(std::move(name), std::move(value));
    }
  }
  std::sort(lines.begin(), lines.end());
  if (signed_request_.payload == PayloadMode::kStreamingSignedTrailer) {
    if (!trailer_signature) {
      throw Error(ErrorKind::kPermissionDenied, "signature_does_not_match",
                  "the trailing headers carry no x-amz-trailer-signature");
    }
    std::string canonical;
    for (const auto& [name, value] : lines) canonical += name + ':' + value + '\n';
    std::string expected = HexEncode(HmacSha256(
        signed_request_.signing_key, TrailerStringToSign(signed_request_, previous_signature_, canonical)));
    if (!ConstantTimeEquals(expected, *trailer_signature)) {
      throw Error(ErrorKind::kPermissionDenied, "signature_does_not_match",
                  "the signature of the trailing headers does not match");
    }
  }
  trailers_ = std::move(lines);
}

size_t ChunkedPayloadReader::Read(char* buffer, size_t size) {
  while (!done_) {
    if (!in_chunk_) {
      ReadChunkHeader();
      if (chunk_remaining_ == 0) {
        FinishChunk();
        ReadTrailer();
        if (decoded_length_ && decoded_total_ != *decoded_length_) {
          throw InvalidArgument("incomplete_body",
                                "the decoded body length does not match x-amz-decoded-content-length");
        }
        done_ = true;
        return 0;
      }
    }
    if (chunk_remaining_ == 0) {
      while (ahead_.bytes.size() - ahead_.pos < 2) {
        if (!ahead_.Fill()) throw InvalidArgument("incomplete_body", "the body ended inside a chunk");
      }
      if (ahead_.bytes.compare(ahead_.pos, 2, "\r\n") != 0) throw BadChunk("chunk data not followed by CRLF");
      ahead_.pos += 2;
      FinishChunk();
      continue;
    }
    size_t want = static_cast<size_t>(std::min<uint64_t>(chunk_remaining_, size));
    size_t got;
    if (ahead_.pos < ahead_.bytes.size()) {
      got = std::min(want, ahead_.bytes.size() - ahead_.pos);
      std::memcpy(buffer, ahead_.bytes.data() + ahead_.pos, got);
      ahead_.pos += got;
    } else {
      got = ahead_.source.Read(buffer, want);  // straight from the connection: no copy for large chunks
      if (got == 0) throw InvalidArgument("incomplete_body", "the body ended inside a chunk");
    }
    if (signed_chunks()) hash_->Update(buffer, got);
    chunk_remaining_ -= got;
    decoded_total_ += got;
    if (decoded_length_ && decoded_total_ > *decoded_length_) {
      throw InvalidArgument("incomplete_body",
                            "the decoded body is longer than x-amz-decoded-content-length");
    }
    return got;
  }
  return 0;
}

}  // namespace duckstore::s3
