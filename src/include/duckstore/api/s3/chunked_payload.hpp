// Decodes an aws-chunked body (Content-Encoding: aws-chunked) in its three forms (SignedRequest::payload):
// - STREAMING-AWS4-HMAC-SHA256-PAYLOAD: "<hex size>;chunk-signature=<64 hex>\r\n<size bytes>\r\n" repeated,
//   ending with a chunk of size 0; each chunk's signature (chained from the request's seed signature) is
//   checked as the chunk ends.
// - STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: the same, then trailing headers ("name:value\r\n" lines, a
//   checksum) and "x-amz-trailer-signature:<64 hex>", chained from the final chunk's signature.
// - STREAMING-UNSIGNED-PAYLOAD-TRAILER: "<hex size>\r\n<size bytes>\r\n" chunks, then the trailing headers.
// Clients differ in the blank lines around the trailer (some send one before it, some none after it): blank
// lines there are skipped, and the body's end closes the trailer.
//
// Data is handed out as it arrives (memory stays bounded by the read buffer); a chunk whose signature does
// not match throws signature_does_not_match once its last byte has been read, so consumers must only
// publish what they read after Read() returned 0 (end of a fully verified body, trailer included).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "duckstore/api/http/message.hpp"
#include "duckstore/api/s3/sigv4.hpp"
#include "duckstore/api/s3/text.hpp"

namespace duckstore::s3 {

class ChunkedPayloadReader final : public http::BodyReader {
 public:
  // `decoded_length`: x-amz-decoded-content-length, checked against the decoded total at the end when given.
  ChunkedPayloadReader(http::BodyReader& inner, const SignedRequest& signed_request,
                       std::optional<uint64_t> decoded_length);
  ~ChunkedPayloadReader() override;

  size_t Read(char* buffer, size_t size) override;

  // The trailing headers (names lower-cased, x-amz-trailer-signature excluded), once Read() returned 0.
  const std::vector<std::pair<std::string, std::string>>& trailers() const { return trailers_; }

 private:
  struct Hash;
  bool signed_chunks() const;
  // The next CRLF-terminated line without the CRLF (the body's end also ends a line); nullopt at the end.
  std::optional<std::string> ReadLine();
  void ReadChunkHeader();
  void FinishChunk();
  void ReadTrailer();  // after the final chunk: trailing headers to the end of the body

  ReadAhead ahead_;  // raw bytes read but not consumed yet
  const SignedRequest& signed_request_;
  std::optional<uint64_t> decoded_length_;
  uint64_t decoded_total_ = 0;
  std::string previous_signature_;
  uint64_t chunk_remaining_ = 0;
  std::string chunk_signature_;
  bool in_chunk_ = false;
  bool done_ = false;
  std::unique_ptr<Hash> hash_;  // SHA-256 of the current chunk (signed chunks only)
  std::vector<std::pair<std::string, std::string>> trailers_;
};

}  // namespace duckstore::s3
