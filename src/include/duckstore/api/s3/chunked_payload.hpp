// Decodes an aws-chunked body signed with STREAMING-AWS4-HMAC-SHA256-PAYLOAD, checking each chunk's
// signature (chained from the request's seed signature) as the chunk ends.
//
// Wire form: "<hex size>;chunk-signature=<64 hex>\r\n<size bytes>\r\n" repeated, ending with a chunk of size
// 0. Data is handed out as it arrives (memory stays bounded by the read buffer); a chunk whose signature
// does not match throws signature_does_not_match once its last byte has been read, so consumers must
// only publish what they read after Read() returned 0 (end of a fully verified body).
#pragma once

#include <string>

#include "duckstore/api/http/message.hpp"
#include "duckstore/api/s3/sigv4.hpp"

namespace duckstore::s3 {

class ChunkedPayloadReader final : public http::BodyReader {
 public:
  // `decoded_length`: x-amz-decoded-content-length, checked against the decoded total at the end.
  ChunkedPayloadReader(http::BodyReader& inner, const SignedRequest& signed_request, uint64_t decoded_length);
  ~ChunkedPayloadReader() override;

  size_t Read(char* buffer, size_t size) override;

 private:
  struct Hash;
  void ReadChunkHeader();
  void FinishChunk();
  bool Fill();  // appends more raw bytes to pending_; false at the end of the raw body

  http::BodyReader& inner_;
  const SignedRequest& signed_request_;
  uint64_t decoded_length_;
  uint64_t decoded_total_ = 0;
  std::string previous_signature_;
  std::string pending_;  // raw bytes read but not consumed yet
  size_t pending_pos_ = 0;
  uint64_t chunk_remaining_ = 0;
  std::string chunk_signature_;
  bool in_chunk_ = false;
  bool done_ = false;
  std::unique_ptr<Hash> hash_;  // SHA-256 of the current chunk
};

}  // namespace duckstore::s3
