// Content checksums as S3 defines them (docs/design/s3.md, "Checksums"): CRC32, CRC32C, CRC64NVME, SHA1 and
// SHA256, computed incrementally while a body streams, plus the two ways S3 derives a multipart object's
// checksum from its parts' checksums: FULL_OBJECT (the CRC of the whole content, combined from the parts'
// CRCs and sizes without reading the content again) and COMPOSITE (the checksum of the concatenated part
// checksums, written "<base64>-<part count>").
//
// Values are raw big-endian bytes (4 for the CRC32s, 8 for CRC64NVME, 20 for SHA1, 32 for SHA256); S3
// carries them base64-encoded. The hashing is done by libraries: ISA-L (CRC32, CRC32C, SIMD) and OpenSSL
// (SHA1, SHA256); CRC64NVME, which no Debian library provides, is crc64nvme.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "duckstore/common/base64.hpp"  // S3 carries checksums base64-encoded

namespace duckstore {

enum class ChecksumAlgorithm { kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256 };

// How a multipart object's checksum derives from its parts'.
enum class ChecksumType { kFullObject, kComposite };

inline constexpr ChecksumAlgorithm kAllChecksumAlgorithms[] = {
    ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme,
    ChecksumAlgorithm::kSha1, ChecksumAlgorithm::kSha256};

// "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256": the names S3 uses in headers and XML.
std::string_view ChecksumName(ChecksumAlgorithm algorithm);
// "crc32" ...: the suffix of x-amz-checksum-<name> headers.
std::string ChecksumHeaderSuffix(ChecksumAlgorithm algorithm);
// By name, case-insensitive; nullopt for an unknown name.
std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name);
size_t ChecksumBytes(ChecksumAlgorithm algorithm);
bool IsCrc(ChecksumAlgorithm algorithm);
std::string_view ChecksumTypeName(ChecksumType type);  // "FULL_OBJECT", "COMPOSITE"
std::optional<ChecksumType> ParseChecksumType(std::string_view name);
// The type S3 uses when a multipart upload names none: FULL_OBJECT for CRC64NVME, else COMPOSITE.
ChecksumType DefaultChecksumType(ChecksumAlgorithm algorithm);
// Whether S3 allows `type` with `algorithm` (FULL_OBJECT: the CRCs; COMPOSITE: all but CRC64NVME).
bool ChecksumTypeAllowed(ChecksumAlgorithm algorithm, ChecksumType type);

// Computes one checksum over content handed in pieces.
class Checksummer {
 public:
  explicit Checksummer(ChecksumAlgorithm algorithm);
  ~Checksummer();
  Checksummer(const Checksummer&) = delete;
  Checksummer& operator=(const Checksummer&) = delete;

  void Update(const char* data, size_t size);
  // The raw checksum of everything updated so far; the checksummer is finished afterwards.
  std::string Finish();
  ChecksumAlgorithm algorithm() const { return algorithm_; }

 private:
  struct Digest;
  ChecksumAlgorithm algorithm_;
  uint64_t crc_ = 0;
  std::unique_ptr<Digest> digest_;  // SHA1/SHA256 only
};

// The raw checksum of `data` in one call.
std::string ComputeChecksum(ChecksumAlgorithm algorithm, std::string_view data);

// The CRC of A followed by B, from crc(A), crc(B) and the length of B (raw values; CRC algorithms only).
std::string CombineCrc(ChecksumAlgorithm algorithm, std::string_view crc_a, std::string_view crc_b,
                       uint64_t length_b);
// COMPOSITE: the raw checksum of the concatenated raw part checksums.
std::string CompositeChecksum(ChecksumAlgorithm algorithm, const std::vector<std::string>& part_checksums);

// A checksum as S3 sends it (base64 of exactly ChecksumBytes bytes); nullopt when it is not one.
std::optional<std::string> DecodeChecksum(ChecksumAlgorithm algorithm, std::string_view base64);

}  // namespace duckstore
