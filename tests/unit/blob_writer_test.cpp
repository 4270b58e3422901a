// BlobWriter: streamed content lands under a random name with the right hashes, or nowhere at all.
#include "duckstore/storage/objects/blob_writer.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "duckstore/common/error.hpp"
#include "test_util.hpp"

namespace duckstore {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr const char* kHelloMd5 = "5eb63bbbe01eeed093cb22bb8f5acdc3";
constexpr const char* kHelloSha256 = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

size_t CountFiles(const fs::path& dir) {
  if (!fs::exists(dir)) return 0;
  size_t count = 0;
  for (const auto& entry : fs::directory_iterator(dir)) count += entry.is_regular_file() ? 1 : 0;
  return count;
}

void Append(BlobWriter& writer, const std::string& data) {
  writer.Append(data.data(), data.size());
}

class BlobWriterTest : public ::testing::Test {
 protected:
  fs::path Objects() const { return dir_ / "objects"; }
  fs::path Tmp() const { return Objects() / ".tmp"; }
  TempDir dir_;
};

TEST_F(BlobWriterTest, CommitWritesContentAndHashes) {
  BlobWriter writer(Objects(), 1024, {.md5 = true, .sha256 = true});
  std::string temp = writer.temp_path();
  EXPECT_EQ(fs::path(temp).parent_path(), Tmp());
  EXPECT_TRUE(fs::exists(temp));
  Append(writer, "hello");
  Append(writer, "");
  Append(writer, " world");
  EXPECT_EQ(writer.size(), 11);

  BlobInfo info = writer.Commit();
  EXPECT_EQ(fs::path(info.path).parent_path(), Objects());
  EXPECT_EQ(fs::path(info.path).filename().string().size(), 32u);  // a random hex id, not a key
  EXPECT_EQ(info.size, 11);
  EXPECT_EQ(info.md5, kHelloMd5);
  EXPECT_EQ(info.sha256, kHelloSha256);
  EXPECT_EQ(ReadFile(info.path), "hello world");
  // The temp file became the blob: nothing is left in .tmp.
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_EQ(CountFiles(Tmp()), 0u);
  EXPECT_EQ(CountFiles(Objects()), 1u);
}

TEST_F(BlobWriterTest, EmptyContent) {
  BlobWriter writer(Objects(), 0, {.md5 = true, .sha256 = true});
  BlobInfo info = writer.Commit();
  EXPECT_EQ(info.size, 0);
  EXPECT_EQ(info.md5, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(info.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ReadFile(info.path), "");
}

TEST_F(BlobWriterTest, LargeContentInChunks) {
  std::string chunk(64 * 1024, 'x');
  for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<char>(i * 31 % 251);
  BlobWriter writer(Objects(), 100 * 1024 * 1024);
  for (int i = 0; i < 20; ++i) Append(writer, chunk);
  BlobInfo info = writer.Commit();
  EXPECT_EQ(info.size, 20 * 64 * 1024);
  EXPECT_EQ(fs::file_size(info.path), 20u * 64 * 1024);
  std::string content = ReadFile(info.path);
  EXPECT_EQ(content.substr(64 * 1024 * 7, chunk.size()), chunk);
}

TEST_F(BlobWriterTest, ComputesOnlyTheDigestsAskedFor) {
  BlobWriter md5_only(Objects(), 1024);  // the default: the ETag, nothing else
  Append(md5_only, "hello world");
  BlobInfo a = md5_only.Commit();
  EXPECT_EQ(a.md5, kHelloMd5);
  EXPECT_EQ(a.sha256, "");

  BlobWriter none(Objects(), 1024, {.md5 = false});
  Append(none, "hello world");
  BlobInfo b = none.Commit();
  EXPECT_EQ(b.md5, "");
  EXPECT_EQ(b.sha256, "");
  EXPECT_EQ(ReadFile(b.path), "hello world");
}

TEST_F(BlobWriterTest, AppendFileCopiesRangesWithAndWithoutDigests) {
  std::string source = (dir_ / "source").string();
  {
    std::ofstream out(source, std::ios::binary);
    out << "xxhello worldyy";
  }
  for (BlobDigests digests : {BlobDigests{.md5 = false}, BlobDigests{.md5 = true, .sha256 = true}}) {
    BlobWriter writer(Objects(), 1024, digests);
    writer.AppendFile(source, 2, 5);
    Append(writer, " ");
    writer.AppendFile(source, 8, 5);
    BlobInfo info = writer.Commit();
    EXPECT_EQ(ReadFile(info.path), "hello world");
    EXPECT_EQ(info.size, 11);
    if (digests.md5) {
      EXPECT_EQ(info.md5, kHelloMd5);
      EXPECT_EQ(info.sha256, kHelloSha256);
    }
  }
}

TEST_F(BlobWriterTest, AppendFileBeyondTheEndFailsAndLeavesNoFile) {
  std::string source = (dir_ / "short").string();
  {
    std::ofstream out(source, std::ios::binary);
    out << "abc";
  }
  for (bool md5 : {false, true}) {
    BlobWriter writer(Objects(), 1024, {.md5 = md5});
    EXPECT_DUCKSTORE_ERROR(writer.AppendFile(source, 1, 5), ErrorKind::kInternal, "internal_error");
    EXPECT_FALSE(fs::exists(writer.temp_path()));
    EXPECT_DUCKSTORE_ERROR(writer.Commit(), ErrorKind::kInternal, "internal_error");
  }
  BlobWriter limited(Objects(), 2);
  EXPECT_DUCKSTORE_ERROR(limited.AppendFile(source, 0, 3), ErrorKind::kPayloadTooLarge, "entity_too_large");
  EXPECT_EQ(CountFiles(Objects()), 0u);
}

TEST_F(BlobWriterTest, EachWriterGetsItsOwnNames) {
  BlobWriter first(Objects(), 10);
  BlobWriter second(Objects(), 10);
  EXPECT_NE(first.temp_path(), second.temp_path());
  Append(first, "a");
  Append(second, "b");
  BlobInfo a = first.Commit();
  BlobInfo b = second.Commit();
  EXPECT_NE(a.path, b.path);
  EXPECT_EQ(ReadFile(a.path), "a");
  EXPECT_EQ(ReadFile(b.path), "b");
}

TEST_F(BlobWriterTest, ExactlyMaxSizeIsAccepted) {
  BlobWriter writer(Objects(), 11);
  Append(writer, "hello world");
  EXPECT_EQ(writer.Commit().size, 11);
}

TEST_F(BlobWriterTest, ExceedingMaxSizeIsPayloadTooLargeAndLeavesNoFile) {
  BlobWriter writer(Objects(), 10);
  Append(writer, "hello");
  EXPECT_DUCKSTORE_ERROR(Append(writer, " world"), ErrorKind::kPayloadTooLarge, "entity_too_large");
  EXPECT_FALSE(fs::exists(writer.temp_path()));
  EXPECT_EQ(CountFiles(Tmp()), 0u);
  // The writer is unusable afterwards: a truncated blob can never be committed.
  EXPECT_DUCKSTORE_ERROR(Append(writer, "x"), ErrorKind::kInternal, "internal_error");
  EXPECT_DUCKSTORE_ERROR(writer.Commit(), ErrorKind::kInternal, "internal_error");
  EXPECT_EQ(CountFiles(Objects()), 0u);
}

TEST_F(BlobWriterTest, AbandonedWriterRemovesItsTempFile) {
  std::string temp;
  {
    BlobWriter writer(Objects(), 1024);
    Append(writer, "partial upload");
    temp = writer.temp_path();
    EXPECT_TRUE(fs::exists(temp));
  }
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_EQ(CountFiles(Tmp()), 0u);
  EXPECT_EQ(CountFiles(Objects()), 0u);
}

TEST_F(BlobWriterTest, CommitTwiceThrows) {
  BlobWriter writer(Objects(), 1024);
  Append(writer, "x");
  BlobInfo info = writer.Commit();
  EXPECT_THROW(writer.Commit(), Error);
  EXPECT_THROW(Append(writer, "y"), Error);
  // The committed blob survives the writer.
  EXPECT_EQ(ReadFile(info.path), "x");
}

TEST_F(BlobWriterTest, UncreatableDirectoryIsInternal) {
  std::ofstream(dir_ / "file") << "not a directory";
  EXPECT_DUCKSTORE_ERROR(BlobWriter(dir_ / "file" / "objects", 10), ErrorKind::kInternal, "internal_error");
}

}  // namespace
}  // namespace duckstore
