// The object store service over a real catalog and real blob files: writes, listings with delimiters,
// copies, staging for imports, files, the start-up sweep, and the multipart service's part copies and
// upload listings.
#include "duckstore/services/files/object_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "duckstore/common/error.hpp"
#include "duckstore/services/files/files.hpp"
#include "duckstore/services/files/multipart.hpp"
#include "duckstore/storage/catalog/sqlite_catalog.hpp"
#include "test_util.hpp"

namespace duckstore {
namespace {

using testing::TempDir;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// An object's content, read through its ranges as every reader does.
std::string ReadContent(const StoredObject& object) {
  std::string content;
  for (const auto& range : ObjectRanges(object, 0, static_cast<uint64_t>(object.size)))
    content += ReadAll(range.path).substr(range.offset, range.length);
  return content;
}

class ObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Project p;
    p.id = "p1";
    p.name = "P";
    p.created_at = p.updated_at = NowTimestamp();
    catalog_->CreateProject(p);
    bucket_ = store_.CreateBucket("data", "p1");
  }

  StoredObject Put(const std::string& key, const std::string& content, ObjectAttributes attributes = {},
                   const WriteCondition& condition = {}) {
    auto writer = store_.OpenWriter(bucket_, attributes.digests());
    writer->Append(content.data(), content.size());
    return store_.CommitWrite(*writer, bucket_, key, attributes, condition);
  }

  UploadPart PutPart(MultipartService& multipart, const MultipartUpload& upload, int64_t number,
                     const std::string& content) {
    auto writer = multipart.OpenPartWriter(bucket_, {.md5 = true});
    writer->Append(content.data(), content.size());
    return multipart.CommitPart(*writer, upload, number, std::nullopt, std::nullopt);
  }

  size_t BlobCount() {
    size_t blobs = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir_ / "projects/p1/objects")) {
      if (entry.is_regular_file()) ++blobs;
    }
    return blobs;
  }

  std::vector<std::string> Keys(const ObjectListing& listing) {
    std::vector<std::string> keys;
    for (const auto& o : listing.objects) keys.push_back(o.key);
    return keys;
  }

  TempDir dir_;
  std::unique_ptr<Catalog> catalog_ = OpenSqliteCatalog((dir_ / "catalog.db").string());
  ObjectStore store_{*catalog_, dir_.path(), 1 << 20};
  ObjectBucket bucket_;
};

TEST(BucketNames, FollowS3Rules) {
  EXPECT_TRUE(IsValidBucketName("my-bucket.v2"));
  EXPECT_FALSE(IsValidBucketName("ab"));
  EXPECT_FALSE(IsValidBucketName("Upper"));
  EXPECT_FALSE(IsValidBucketName("-start"));
  EXPECT_FALSE(IsValidBucketName("a..b"));
  EXPECT_FALSE(IsValidBucketName("a.-b"));
  EXPECT_FALSE(IsValidBucketName("192.168.0.1"));
  EXPECT_FALSE(IsValidBucketName("under_score"));
}

TEST_F(ObjectStoreTest, WriteReadOverwriteDelete) {
  auto first = Put("a/b.txt", "hello", {.content_type = "text/plain", .metadata = {{"k", "v"}}});
  EXPECT_EQ(first.etag, "5d41402abc4b2a76b9719d911017c592");  // md5("hello")
  EXPECT_TRUE(first.blob.starts_with((dir_ / "projects/p1/objects").string()));
  auto got = store_.Get("data", "a/b.txt");
  EXPECT_EQ(ReadAll(got.blob), "hello");
  EXPECT_EQ(got.content_type, "text/plain");
  EXPECT_EQ(got.metadata["k"], "v");

  auto second = Put("a/b.txt", "bye");
  EXPECT_FALSE(std::filesystem::exists(first.blob)) << "the replaced blob is unlinked";
  EXPECT_EQ(ReadAll(store_.Get("data", "a/b.txt").blob), "bye");

  EXPECT_TRUE(store_.Delete("data", "a/b.txt"));
  EXPECT_FALSE(std::filesystem::exists(second.blob));
  EXPECT_FALSE(store_.Delete("data", "a/b.txt"));
  EXPECT_THROW(store_.Get("data", "a/b.txt"), Error);
}

TEST_F(ObjectStoreTest, ChecksumMismatchPublishesNothing) {
  try {
    Put("k", "hello", {.expected_md5 = std::string(32, '0')});
    FAIL() << "expected bad_digest";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "bad_digest");
  }
  EXPECT_FALSE(store_.Find("data", "k").has_value());
  EXPECT_EQ(BlobCount(), 0u);
}

TEST_F(ObjectStoreTest, ConditionalWritesHoldOrPublishNothing) {
  auto kind_of = [&](const std::string& content, const WriteCondition& condition) {
    try {
      Put("k", content, {}, condition);
      return std::string("published");
    } catch (const Error& e) {
      return e.code();
    }
  };
  EXPECT_EQ(kind_of("a", {.if_match = "*"}), "object_not_found");  // If-Match needs an object
  EXPECT_EQ(kind_of("first", {.if_none_match = true}), "published");
  std::string etag = store_.Get("data", "k").etag;
  EXPECT_EQ(kind_of("second", {.if_none_match = true}), "precondition_failed");
  EXPECT_EQ(kind_of("third", {.if_match = std::string(32, '0')}), "precondition_failed");
  EXPECT_EQ(ReadAll(store_.Get("data", "k").blob), "first");
  EXPECT_EQ(BlobCount(), 1u) << "refused writes leave no blob";
  EXPECT_EQ(kind_of("fourth", {.if_match = etag}), "published");
  EXPECT_EQ(ReadAll(store_.Get("data", "k").blob), "fourth");
  EXPECT_EQ(kind_of("fifth", {.if_match = "*"}), "published");
}

TEST_F(ObjectStoreTest, RacingConditionalCreatesHaveOneWinner) {
  constexpr int kWriters = 8;
  std::atomic<int> published{0}, refused{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      try {
        Put("race", "writer " + std::to_string(i), {}, {.if_none_match = true});
        ++published;
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::kPreconditionFailed) ++refused;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(published.load(), 1);
  EXPECT_EQ(refused.load(), kWriters - 1);
  EXPECT_TRUE(ReadAll(store_.Get("data", "race").blob).starts_with("writer "));
  EXPECT_EQ(BlobCount(), 1u);
}

TEST_F(ObjectStoreTest, SignedPayloadHashIsCheckedOnlyWhenGiven) {
  // md5("hello") / sha256("hello")
  auto good = Put("k", "hello",
                  {.expected_sha256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"});
  EXPECT_EQ(good.etag, "5d41402abc4b2a76b9719d911017c592");
  try {
    Put("k", "other", {.expected_sha256 = std::string(64, '0')});
    FAIL() << "expected content_sha256_mismatch";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "content_sha256_mismatch");
  }
  EXPECT_EQ(ReadAll(store_.Get("data", "k").blob), "hello");
  // A writer that was not asked for SHA-256 cannot vouch for one.
  auto writer = store_.OpenWriter(bucket_);
  writer->Append("hello", 5);
  EXPECT_DUCKSTORE_ERROR(
      store_.CommitWrite(*writer, bucket_, "k2", {.expected_sha256 = std::string(64, '0')}),
      ErrorKind::kInternal, "internal_error");
}

TEST_F(ObjectStoreTest, MultipartPartCopiesAndUploadListingsWithDelimiter) {
  MultipartService multipart(*catalog_, store_, /*min_part_bytes=*/1);
  Put("src", "0123456789");
  auto upload = multipart.Create(bucket_, "joined", {});
  auto part = multipart.CopyPart(bucket_, upload, 1, store_.Get("data", "src"), 2, 5);
  EXPECT_EQ(part.size, 5);
  EXPECT_EQ(part.etag, "adcaec3805aa912c0d0b14a81bedb6ff");  // md5("23456")
  EXPECT_EQ(ReadAll(part.blob), "23456");
  auto whole = multipart.CopyPart(bucket_, upload, 2, store_.Get("data", "src"), 0, 10);
  auto object = multipart.Complete(bucket_, upload, {{1, part.etag}, {2, whole.etag}});
  EXPECT_EQ(ReadContent(object), "234560123456789");
  EXPECT_TRUE(object.etag.ends_with("-2"));

  for (const char* key : {"a", "d/1", "d/2", "e/x/1", "f"}) multipart.Create(bucket_, key, {});
  auto top = multipart.ListUploads("data", "", "/", "", "", 10);
  std::vector<std::string> keys;
  for (const auto& u : top.uploads) keys.push_back(u.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "f"}));
  EXPECT_EQ(top.common_prefixes, (std::vector<std::string>{"d/", "e/"}));
  EXPECT_FALSE(top.truncated);
  // Pages of two: [a, d/], then from the rolled-up "d/" on: [e/, f].
  auto first = multipart.ListUploads("data", "", "/", "", "", 2);
  EXPECT_TRUE(first.truncated);
  EXPECT_EQ(first.next_key_marker, "d/");
  EXPECT_EQ(first.next_upload_id_marker, "");
  auto second = multipart.ListUploads("data", "", "/", first.next_key_marker, "", 2);
  EXPECT_EQ(second.common_prefixes, (std::vector<std::string>{"e/"}));
  ASSERT_EQ(second.uploads.size(), 1u);
  EXPECT_EQ(second.uploads[0].key, "f");
  EXPECT_FALSE(second.truncated);
  auto nested = multipart.ListUploads("data", "e/", "/", "", "", 10);
  EXPECT_TRUE(nested.uploads.empty());
  EXPECT_EQ(nested.common_prefixes, (std::vector<std::string>{"e/x/"}));
}

TEST_F(ObjectStoreTest, ListingRollsUpCommonPrefixesAndPages) {
  for (const char* key : {"a.txt", "dir/1", "dir/2", "dir/sub/3", "other/x", "z.txt"}) Put(key, key);
  auto all = store_.List("data", "", "/", "", 1000);
  EXPECT_EQ(Keys(all), (std::vector<std::string>{"a.txt", "z.txt"}));
  EXPECT_EQ(all.common_prefixes, (std::vector<std::string>{"dir/", "other/"}));
  EXPECT_FALSE(all.truncated);

  // Pages of two entries (objects and prefixes count alike), continuing from the returned marker.
  std::vector<std::string> seen;
  std::string after;
  int pages = 0;
  while (true) {
    auto page = store_.List("data", "", "/", after, 2);
    ++pages;
    for (const auto& o : page.objects) seen.push_back(o.key);
    for (const auto& p : page.common_prefixes) seen.push_back(p);
    if (!page.truncated) break;
    after = page.next_start_after;
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"a.txt", "dir/", "other/", "z.txt"}));
  EXPECT_EQ(pages, 2);

  auto inside = store_.List("data", "dir/", "/", "", 1000);
  EXPECT_EQ(Keys(inside), (std::vector<std::string>{"dir/1", "dir/2"}));
  EXPECT_EQ(inside.common_prefixes, (std::vector<std::string>{"dir/sub/"}));
  EXPECT_EQ(store_.ListAll("data", "dir/").size(), 3u);
}

TEST_F(ObjectStoreTest, CopyIsIndependentOfTheSource) {
  Put("src", "content", {.content_type = "text/csv"});
  auto copy = store_.Copy("data", "src", bucket_, "dst", std::nullopt);
  EXPECT_EQ(copy.content_type, "text/csv");
  EXPECT_NE(copy.blob, store_.Get("data", "src").blob);
  store_.Delete("data", "src");
  EXPECT_EQ(ReadAll(store_.Get("data", "dst").blob), "content");
}

TEST_F(ObjectStoreTest, StandardHeadersAndPartSizesFollowCopiesUnlessReplaced) {
  nlohmann::json headers = {{"cache-control", "max-age=60"}, {"content-language", "cs"}};
  ObjectAttributes attributes;
  attributes.headers = headers;
  attributes.part_sizes = {3, 4};
  Put("src", "content", attributes);
  EXPECT_EQ(store_.Get("data", "src").headers, headers);
  EXPECT_EQ(store_.Get("data", "src").part_sizes, (std::vector<int64_t>{3, 4}));
  auto copy = store_.Copy("data", "src", bucket_, "copy", std::nullopt);
  EXPECT_EQ(store_.Get("data", "copy").headers, headers);
  EXPECT_EQ(copy.part_sizes, (std::vector<int64_t>{3, 4}));  // the same content and ETag
  ObjectAttributes replaced;
  replaced.headers = {{"expires", "Thu, 01 Dec 2030 16:00:00 GMT"}};
  store_.Copy("data", "src", bucket_, "replaced", replaced);
  EXPECT_EQ(store_.Get("data", "replaced").headers, replaced.headers);
  EXPECT_EQ(Put("plain", "x").part_sizes, std::vector<int64_t>{});
}

TEST_F(ObjectStoreTest, BucketCorsIsStoredAndRemoved) {
  EXPECT_TRUE(store_.GetBucket("data").cors.is_null());
  nlohmann::json cors = {{"rules", nlohmann::json::array({{{"allowed_methods", {"GET"}}}})}};
  store_.SetBucketCors("data", cors);
  EXPECT_EQ(store_.GetBucket("data").cors, cors);
  store_.SetBucketCors("data", nullptr);
  EXPECT_TRUE(store_.GetBucket("data").cors.is_null());
  EXPECT_EQ(testing::CaptureError([&] { store_.SetBucketCors("nope", cors); }).code(), "bucket_not_found");
}

TEST_F(ObjectStoreTest, RetriedCompletionWithTheSamePartsIsAnsweredFromItsRecord) {
  MultipartService multipart(*catalog_, store_, /*min_part_bytes=*/1);
  ObjectAttributes attributes;
  attributes.headers = {{"content-disposition", "attachment"}};
  auto upload = multipart.Create(bucket_, "joined", attributes);
  auto one = PutPart(multipart, upload, 1, "abc");
  auto three = PutPart(multipart, upload, 3, "defgh");
  std::vector<CompletedPart> parts = {{1, one.etag, {}}, {3, three.etag, {}}};
  auto object = multipart.Complete(bucket_, upload, parts);
  EXPECT_EQ(object.part_sizes, (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(store_.Get("data", "joined").headers, attributes.headers);
  EXPECT_FALSE(multipart.Find("data", "joined", upload.id).has_value());

  auto replayed = multipart.Replay("data", "joined", upload.id, parts);
  EXPECT_EQ(replayed.etag, object.etag);
  auto code = [&](const std::string& key, const std::vector<CompletedPart>& listed) {
    return testing::CaptureError([&] { multipart.Replay("data", key, upload.id, listed); }).code();
  };
  EXPECT_EQ(code("joined", {{1, one.etag, {}}}), "upload_not_found");  // another part list
  EXPECT_EQ(code("other", parts), "upload_not_found");
  // Past the retention the record no longer answers.
  CompletedUpload old = *catalog_->GetCompletedUpload(upload.id);
  old.completed_at = NowTimestamp(-MultipartService::kCompletedRetentionSeconds - 1);
  catalog_->RecordCompletedUpload(old);
  EXPECT_EQ(code("joined", parts), "upload_not_found");
  EXPECT_EQ(catalog_->ForgetCompletedUploads(NowTimestamp(-MultipartService::kCompletedRetentionSeconds)), 1);
  EXPECT_FALSE(catalog_->GetCompletedUpload(upload.id).has_value());
}

TEST_F(ObjectStoreTest, AMultipartObjectIsItsPartsBlobsForEveryReader) {
  MultipartService multipart(*catalog_, store_, /*min_part_bytes=*/1);
  auto upload = multipart.Create(bucket_, "big", {});
  auto one = PutPart(multipart, upload, 1, "abc");
  auto two = PutPart(multipart, upload, 2, "defg");
  auto unused = PutPart(multipart, upload, 3, "zz");
  auto object = multipart.Complete(bucket_, upload, {{1, one.etag, {}}, {2, two.etag, {}}});
  EXPECT_EQ(object.blob, one.blob) << "completing copies nothing";
  EXPECT_EQ(object.next_blobs, std::vector<std::string>{two.blob});
  EXPECT_FALSE(std::filesystem::exists(unused.blob)) << "a part not listed goes";
  EXPECT_EQ(ReadContent(store_.Get("data", "big")), "abcdefg");

  auto copy = store_.Copy("data", "big", bucket_, "copy", std::nullopt);
  EXPECT_EQ(copy.next_blobs.size(), 1u) << "a copy links every blob";
  EXPECT_EQ(ReadContent(copy), "abcdefg");
  auto target = multipart.Create(bucket_, "ranged", {});
  EXPECT_EQ(ReadAll(multipart.CopyPart(bucket_, target, 1, object, 2, 3).blob), "cde");
  {
    auto staged = store_.StageForProject("p1", {object});
    EXPECT_EQ(ReadAll(staged.paths()[0]), "abcdefg") << "DuckDB reads one concatenated file";
  }
  store_.SweepLeftovers();
  EXPECT_EQ(ReadContent(store_.Get("data", "big")), "abcdefg") << "the sweep counts every blob";
  store_.Delete("data", "big");
  EXPECT_FALSE(std::filesystem::exists(one.blob));
  EXPECT_FALSE(std::filesystem::exists(two.blob));
  EXPECT_EQ(ReadContent(store_.Get("data", "copy")), "abcdefg");
}

TEST_F(ObjectStoreTest, StagingLinksAdminObjectsIntoTheProjectUntilReleased) {
  auto shared = store_.CreateBucket("stack-files", std::nullopt);
  auto writer = store_.OpenWriter(shared);
  writer->Append("x,y\n", 4);
  auto admin_object = store_.CommitWrite(*writer, shared, "exports/1.csv", {});
  EXPECT_TRUE(admin_object.blob.starts_with((dir_ / "objects").string()));
  auto own = Put("own.csv", "a\n");
  std::string linked;
  {
    auto staged = store_.StageForProject("p1", {own, admin_object});
    ASSERT_EQ(staged.paths().size(), 2u);
    EXPECT_EQ(staged.paths()[0], own.blob) << "a project's own objects are read in place";
    linked = staged.paths()[1];
    EXPECT_TRUE(linked.starts_with((dir_ / "projects/p1/staging").string()));
    EXPECT_EQ(ReadAll(linked), "x,y\n");
  }
  EXPECT_FALSE(std::filesystem::exists(linked));
  EXPECT_TRUE(std::filesystem::exists(admin_object.blob));
}

TEST_F(ObjectStoreTest, SweepRemovesInterruptedWritesAndUnreferencedBlobs) {
  auto kept = Put("kept.csv", "a\n");
  auto writer = store_.OpenWriter(bucket_);
  writer->Append("partial", 7);
  std::string temp = writer->temp_path();
  std::filesystem::create_directories(dir_ / "projects/p1/staging/leftover");
  // A blob renamed into place whose catalog row was never committed (crash between the two steps).
  auto orphan = dir_ / "projects/p1/objects/0123456789abcdef";
  std::ofstream(orphan) << "lost";
  store_.SweepLeftovers();
  EXPECT_FALSE(std::filesystem::exists(temp));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "projects/p1/staging/leftover"));
  EXPECT_FALSE(std::filesystem::exists(orphan));
  EXPECT_EQ(ReadAll(kept.blob), "a\n");
}

TEST_F(ObjectStoreTest, BucketDeletionNeedsEmptinessOrForce) {
  auto object = Put("k", "v");
  EXPECT_THROW(store_.DeleteBucket("data", false), Error);
  store_.DeleteBucket("data", true);
  EXPECT_FALSE(std::filesystem::exists(object.blob));
  EXPECT_THROW(store_.GetBucket("data"), Error);
}

TEST_F(ObjectStoreTest, FilesAreObjectsWithNamesAndTags) {
  OperationLog ops(*catalog_);
  FileService files(*catalog_, store_, ops);
  std::string content = "id,name\n1,a\n";
  size_t offset = 0;
  auto read = [&](char* buffer, size_t size) {
    size_t n = std::min(size, content.size() - offset);
    std::memcpy(buffer, content.data() + offset, n);
    offset += n;
    return n;
  };
  auto uploaded = files.Upload("p1", NewFile{"data.csv", {"in", "daily"}, {}}, read);
  EXPECT_EQ(uploaded.object.size, static_cast<int64_t>(content.size()));
  EXPECT_EQ(uploaded.object.bucket, store_.ProjectFilesBucket("p1").name);
  Put("via-s3.csv", "x\n");
  auto registered = files.Register("p1", NewFile{"s3.csv", {"in"}, {}}, "data", "via-s3.csv");

  EXPECT_EQ(files.List("p1", {"in"}, {}).total, 2);
  auto daily = files.List("p1", {"in", "daily"}, {});
  ASSERT_EQ(daily.items.size(), 1u);
  EXPECT_EQ(daily.items[0].file.id, uploaded.file.id);

  files.Delete("p1", registered.file.id);
  EXPECT_TRUE(store_.Find("data", "via-s3.csv").has_value()) << "a registered object outlives its file";
  files.Delete("p1", uploaded.file.id);
  EXPECT_FALSE(store_.Find(uploaded.object.bucket, uploaded.object.key).has_value());
  // Deleting the object deletes a file that names it.
  auto again = files.Register("p1", NewFile{"s3.csv", {}, {}}, "data", "via-s3.csv");
  store_.Delete("data", "via-s3.csv");
  EXPECT_THROW(files.Get("p1", again.file.id), Error);
}

}  // namespace
}  // namespace duckstore
