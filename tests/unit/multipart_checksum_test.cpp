// The multipart checksum rules: what an upload may declare, and the completed object's checksum derived
// from its parts' (FULL_OBJECT combined, COMPOSITE of the part checksums), against checksums of the whole
// content computed directly.
#include "duckstore/services/files/multipart_checksum.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "duckstore/common/checksum.hpp"
#include "duckstore/common/error.hpp"
#include "test_util.hpp"

namespace duckstore {
namespace {

UploadPart Part(int64_t number, const std::string& content, const std::string& algorithm) {
  UploadPart part;
  part.part_number = number;
  part.size = static_cast<int64_t>(content.size());
  part.checksum = {algorithm, "", Base64Encode(ComputeChecksum(*ParseChecksumAlgorithm(algorithm), content))};
  return part;
}

TEST(MultipartChecksum, DeclarationsFollowS3) {
  EXPECT_EQ(DeclaredUploadChecksum("", "").algorithm, "");
  StoredChecksum crc = DeclaredUploadChecksum("crc32", "");
  EXPECT_EQ(crc.algorithm, "CRC32");
  EXPECT_EQ(crc.type, "COMPOSITE");
  EXPECT_EQ(DeclaredUploadChecksum("CRC64NVME", "").type, "FULL_OBJECT");
  EXPECT_EQ(DeclaredUploadChecksum("CRC32C", "FULL_OBJECT").type, "FULL_OBJECT");
  EXPECT_EQ(testing::CaptureError([] { DeclaredUploadChecksum("MD5", ""); }).code(), "invalid_request");
  EXPECT_EQ(testing::CaptureError([] { DeclaredUploadChecksum("", "COMPOSITE"); }).code(), "invalid_request");
  EXPECT_EQ(testing::CaptureError([] { DeclaredUploadChecksum("SHA256", "FULL_OBJECT"); }).code(),
            "invalid_request");
  EXPECT_EQ(testing::CaptureError([] { DeclaredUploadChecksum("CRC64NVME", "COMPOSITE"); }).code(),
            "invalid_request");
}

TEST(MultipartChecksum, FullObjectIsTheChecksumOfTheWholeContent) {
  std::string a(100000, 'a'), b = "the tail";
  for (const char* name : {"CRC32", "CRC32C", "CRC64NVME"}) {
    UploadPart first = Part(1, a, name), second = Part(2, b, name);
    StoredChecksum whole = CompletedObjectChecksum({name, "FULL_OBJECT", ""}, {&first, &second}, {{}, {}});
    EXPECT_EQ(whole.value, Base64Encode(ComputeChecksum(*ParseChecksumAlgorithm(name), a + b))) << name;
    EXPECT_EQ(whole.type, "FULL_OBJECT");
  }
}

TEST(MultipartChecksum, CompositeIsTheChecksumOfThePartChecksums) {
  UploadPart first = Part(1, "one", "SHA1"), second = Part(2, "two", "SHA1");
  std::string raw = *Base64Decode(first.checksum.value) + *Base64Decode(second.checksum.value);
  StoredChecksum whole = CompletedObjectChecksum({"SHA1", "COMPOSITE", ""}, {&first, &second}, {});
  EXPECT_EQ(whole.value, Base64Encode(ComputeChecksum(ChecksumAlgorithm::kSha1, raw)) + "-2");
}

TEST(MultipartChecksum, PartsMustCarryAndMatchTheirChecksums) {
  UploadPart crc = Part(1, "one", "CRC32"), sha = Part(2, "two", "SHA1");
  EXPECT_EQ(testing::CaptureError([&] {
              CompletedObjectChecksum({"CRC32", "COMPOSITE", ""}, {&crc, &sha}, {});
            }).code(),
            "invalid_part");
  StoredChecksum wrong{"CRC32", "", Base64Encode(ComputeChecksum(ChecksumAlgorithm::kCrc32, "other"))};
  EXPECT_EQ(testing::CaptureError([&] { CompletedObjectChecksum({}, {&crc}, {wrong}); }).code(),
            "invalid_part");
  EXPECT_EQ(CompletedObjectChecksum({}, {&crc}, {crc.checksum}).algorithm, "") << "no declared algorithm";
}

TEST(MultipartChecksum, FileRangesAreChecksummedAsTheirBytes) {
  testing::TempDir dir;
  std::string path = (dir / "blob").string();
  std::string other = (dir / "other").string();
  std::ofstream(path, std::ios::binary) << "0123456789";
  std::ofstream(other, std::ios::binary) << "abcdef";
  EXPECT_EQ(FileRangeChecksum("CRC32C", {{path, 2, 5}}),
            Base64Encode(ComputeChecksum(ChecksumAlgorithm::kCrc32c, "23456")));
  // A range over two part blobs is one checksum of the joined bytes.
  EXPECT_EQ(FileRangeChecksum("CRC32C", {{path, 8, 2}, {other, 0, 3}}),
            Base64Encode(ComputeChecksum(ChecksumAlgorithm::kCrc32c, "89abc")));
  EXPECT_EQ(testing::CaptureError([&] {
              FileRangeChecksum("CRC32", {{(dir / "gone").string(), 0, 1}});
            }).code(),
            "blob_missing");
}

}  // namespace
}  // namespace duckstore
