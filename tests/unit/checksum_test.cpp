// S3 checksums: published check values (the CRC catalogue's "123456789", FIPS 180 "abc", AWS's aws-chunked
// trailer example), incremental updates, FULL_OBJECT combination and COMPOSITE derivation, base64 rules.
#include <gtest/gtest.h>

#include "duckstore/common/checksum.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore {
namespace {

std::string Hex(ChecksumAlgorithm algorithm, std::string_view data) {
  return HexEncode(ComputeChecksum(algorithm, data));
}

TEST(ChecksumTest, CatalogueCheckValues) {
  EXPECT_EQ(Hex(ChecksumAlgorithm::kCrc32, "123456789"), "cbf43926");
  EXPECT_EQ(Hex(ChecksumAlgorithm::kCrc32c, "123456789"), "e3069283");
  EXPECT_EQ(Hex(ChecksumAlgorithm::kCrc64Nvme, "123456789"), "ae8b14860a799888");
  EXPECT_EQ(Hex(ChecksumAlgorithm::kSha1, "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Hex(ChecksumAlgorithm::kSha256, "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  for (ChecksumAlgorithm algorithm : kAllChecksumAlgorithms) {
    EXPECT_EQ(ComputeChecksum(algorithm, "").size(), ChecksumBytes(algorithm));
  }
  EXPECT_EQ(Base64Encode(ComputeChecksum(ChecksumAlgorithm::kCrc32, "")), "AAAAAA==");
  EXPECT_EQ(Base64Encode(ComputeChecksum(ChecksumAlgorithm::kCrc64Nvme, "")), "AAAAAAAAAAA=");
}

TEST(ChecksumTest, AwsTrailerExample) {
  // AWS's "Signature calculations for trailing headers" example uploads 66560 'a's with this trailer.
  std::string payload(66560, 'a');
  EXPECT_EQ(Base64Encode(ComputeChecksum(ChecksumAlgorithm::kCrc32c, payload)), "sOO8/Q==");
}

TEST(ChecksumTest, IncrementalEqualsOneShot) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data += static_cast<char>((i * 7919) & 0xff);
  for (ChecksumAlgorithm algorithm : kAllChecksumAlgorithms) {
    Checksummer checksummer(algorithm);
    for (size_t at = 0, piece = 1; at < data.size(); at += piece, piece = piece * 3 + 1) {
      piece = std::min(piece, data.size() - at);
      checksummer.Update(data.data() + at, piece);
    }
    EXPECT_EQ(checksummer.Finish(), ComputeChecksum(algorithm, data)) << ChecksumName(algorithm);
  }
}

TEST(ChecksumTest, FullObjectCombinesParts) {
  std::string data;
  for (int i = 0; i < 50000; ++i) data += static_cast<char>((i * 31 + 7) & 0xff);
  for (ChecksumAlgorithm algorithm :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme}) {
    std::string whole = ComputeChecksum(algorithm, data);
    for (size_t split : {size_t{0}, size_t{1}, size_t{4096}, size_t{33333}, data.size()}) {
      std::string a = ComputeChecksum(algorithm, std::string_view(data).substr(0, split));
      std::string b = ComputeChecksum(algorithm, std::string_view(data).substr(split));
      EXPECT_EQ(CombineCrc(algorithm, a, b, data.size() - split), whole) << ChecksumName(algorithm) << split;
    }
    // Three parts, folded left to right as a multipart completion does.
    std::string running = ComputeChecksum(algorithm, std::string_view(data).substr(0, 10000));
    running = CombineCrc(algorithm, running,
                         ComputeChecksum(algorithm, std::string_view(data).substr(10000, 25000)), 25000);
    running = CombineCrc(algorithm, running, ComputeChecksum(algorithm, std::string_view(data).substr(35000)),
                         data.size() - 35000);
    EXPECT_EQ(running, whole);
  }
}

TEST(ChecksumTest, CompositeIsChecksumOfPartChecksums) {
  std::string p1 = ComputeChecksum(ChecksumAlgorithm::kSha256, "part one");
  std::string p2 = ComputeChecksum(ChecksumAlgorithm::kSha256, "part two");
  EXPECT_EQ(CompositeChecksum(ChecksumAlgorithm::kSha256, {p1, p2}),
            ComputeChecksum(ChecksumAlgorithm::kSha256, p1 + p2));
}

TEST(ChecksumTest, NamesAndTypes) {
  EXPECT_EQ(ParseChecksumAlgorithm("crc64nvme"), ChecksumAlgorithm::kCrc64Nvme);
  EXPECT_EQ(ParseChecksumAlgorithm("CRC32C"), ChecksumAlgorithm::kCrc32c);
  EXPECT_FALSE(ParseChecksumAlgorithm("md5"));
  EXPECT_EQ(ChecksumHeaderSuffix(ChecksumAlgorithm::kSha256), "sha256");
  EXPECT_EQ(DefaultChecksumType(ChecksumAlgorithm::kCrc64Nvme), ChecksumType::kFullObject);
  EXPECT_EQ(DefaultChecksumType(ChecksumAlgorithm::kCrc32), ChecksumType::kComposite);
  EXPECT_FALSE(ChecksumTypeAllowed(ChecksumAlgorithm::kSha1, ChecksumType::kFullObject));
  EXPECT_FALSE(ChecksumTypeAllowed(ChecksumAlgorithm::kCrc64Nvme, ChecksumType::kComposite));
  EXPECT_TRUE(ChecksumTypeAllowed(ChecksumAlgorithm::kCrc32c, ChecksumType::kFullObject));
  EXPECT_EQ(ParseChecksumType("full_object"), ChecksumType::kFullObject);
}

TEST(ChecksumTest, StrictBase64) {
  EXPECT_EQ(DecodeChecksum(ChecksumAlgorithm::kCrc32, "sOO8/Q=="), std::string("\xb0\xe3\xbc\xfd", 4));
  EXPECT_FALSE(DecodeChecksum(ChecksumAlgorithm::kCrc32, "sOO8/Q="));       // bad padding
  EXPECT_FALSE(DecodeChecksum(ChecksumAlgorithm::kCrc32, "sOO8/R=="));      // stray bits
  EXPECT_FALSE(DecodeChecksum(ChecksumAlgorithm::kCrc32, "sOO8/Q==x"));     // trailing garbage
  EXPECT_FALSE(DecodeChecksum(ChecksumAlgorithm::kCrc64Nvme, "sOO8/Q=="));  // wrong size
  EXPECT_EQ(Base64Decode(""), std::string());
}

}  // namespace
}  // namespace duckstore
