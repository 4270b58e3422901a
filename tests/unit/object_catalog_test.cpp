// The object store's metadata in the catalog: buckets, objects, upserts and key-ordered listings.
#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "duckstore/common/error.hpp"
#include "duckstore/storage/catalog/catalog.hpp"
#include "duckstore/storage/catalog/sqlite_catalog.hpp"
#include "duckstore/storage/catalog/sqlite_db.hpp"
#include "test_util.hpp"

namespace duckstore {
namespace {

using testing::TempDir;

constexpr const char* kAt = "2026-01-01T00:00:00.000Z";

Project MakeProject(const std::string& id) {
  Project p;
  p.id = id;
  p.name = "Project " + id;
  p.created_at = p.updated_at = kAt;
  return p;
}

ObjectBucket MakeBucket(const std::string& name, std::optional<std::string> project_id = std::nullopt) {
  return ObjectBucket{name, std::move(project_id), kAt};
}

StoredObject MakeObject(const std::string& bucket, const std::string& key, const std::string& blob = "") {
  StoredObject o;
  o.bucket = bucket;
  o.key = key;
  o.blob = blob.empty() ? "/blobs/" + key : blob;
  o.size = static_cast<int64_t>(key.size());
  o.etag = "5eb63bbbe01eeed093cb22bb8f5acdc3";
  o.created_at = kAt;
  return o;
}

std::vector<std::string> Keys(const std::vector<StoredObject>& objects) {
  std::vector<std::string> keys;
  for (const auto& o : objects) keys.push_back(o.key);
  return keys;
}

std::vector<std::string> Names(const std::vector<ObjectBucket>& buckets) {
  std::vector<std::string> names;
  for (const auto& b : buckets) names.push_back(b.name);
  return names;
}

class ObjectCatalogTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::unique_ptr<Catalog> catalog_ = OpenSqliteCatalog((dir_ / "catalog.db").string());
};

TEST_F(ObjectCatalogTest, BucketCrudAndConflict) {
  catalog_->CreateProject(MakeProject("p1"));
  EXPECT_FALSE(catalog_->GetObjectBucket("data").has_value());
  catalog_->CreateObjectBucket(MakeBucket("data", "p1"));
  catalog_->CreateObjectBucket(MakeBucket("admin-files"));

  auto data = catalog_->GetObjectBucket("data");
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(data->project_id, "p1");
  EXPECT_EQ(data->created_at, kAt);
  auto admin = catalog_->GetObjectBucket("admin-files");
  ASSERT_TRUE(admin.has_value());
  EXPECT_FALSE(admin->project_id.has_value());

  // Names are unique server-wide, whoever owns the bucket.
  EXPECT_DUCKSTORE_ERROR(catalog_->CreateObjectBucket(MakeBucket("data")), ErrorKind::kConflict,
                         "bucket_exists");
  EXPECT_EQ(catalog_->GetObjectBucket("data")->project_id, "p1");

  catalog_->DeleteObjectBucket("data");
  EXPECT_FALSE(catalog_->GetObjectBucket("data").has_value());
  EXPECT_TRUE(catalog_->DeleteObjectBucket("data").empty());  // a missing bucket is a no-op
}

TEST_F(ObjectCatalogTest, ListBucketsAllOrByProject) {
  catalog_->CreateProject(MakeProject("p1"));
  catalog_->CreateProject(MakeProject("p2"));
  catalog_->CreateObjectBucket(MakeBucket("c", "p1"));
  catalog_->CreateObjectBucket(MakeBucket("a", "p1"));
  catalog_->CreateObjectBucket(MakeBucket("b", "p2"));
  catalog_->CreateObjectBucket(MakeBucket("d"));

  EXPECT_EQ(Names(catalog_->ListObjectBuckets(std::nullopt)), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(Names(catalog_->ListObjectBuckets("p1")), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(Names(catalog_->ListObjectBuckets("p2")), (std::vector<std::string>{"b"}));
  EXPECT_TRUE(catalog_->ListObjectBuckets("p3").empty());
}

TEST_F(ObjectCatalogTest, ObjectCrudRoundTripsEveryField) {
  catalog_->CreateObjectBucket(MakeBucket("b"));
  StoredObject o = MakeObject("b", "dir/file.csv", "/data/objects/abc");
  o.size = 11;
  o.content_type = "text/csv";
  o.metadata = {{"owner", "me"}, {"source", "s3"}};
  o.checksum = {"CRC32C", "COMPOSITE", "yZRlqg==-2"};
  EXPECT_TRUE(catalog_->PutObject(o).empty());  // nothing replaced

  auto stored = catalog_->GetObject("b", "dir/file.csv");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->bucket, "b");
  EXPECT_EQ(stored->key, "dir/file.csv");
  EXPECT_EQ(stored->blob, "/data/objects/abc");
  EXPECT_EQ(stored->size, 11);
  EXPECT_EQ(stored->etag, "5eb63bbbe01eeed093cb22bb8f5acdc3");
  EXPECT_EQ(stored->content_type, "text/csv");
  EXPECT_EQ(stored->metadata, (nlohmann::json{{"owner", "me"}, {"source", "s3"}}));
  EXPECT_EQ(stored->created_at, kAt);
  EXPECT_EQ(stored->checksum.algorithm, "CRC32C");
  EXPECT_EQ(stored->checksum.type, "COMPOSITE");
  EXPECT_EQ(stored->checksum.value, "yZRlqg==-2");
  EXPECT_FALSE(catalog_->GetObject("b", "dir/file").has_value());
  EXPECT_FALSE(catalog_->GetObject("other", "dir/file.csv").has_value());

  auto removed = catalog_->DeleteObject("b", "dir/file.csv");
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(removed->blob, "/data/objects/abc");
  EXPECT_FALSE(catalog_->GetObject("b", "dir/file.csv").has_value());
  EXPECT_FALSE(catalog_->DeleteObject("b", "dir/file.csv").has_value());
}

TEST_F(ObjectCatalogTest, PutObjectIntoMissingBucketIsNotFound) {
  EXPECT_DUCKSTORE_ERROR(catalog_->PutObject(MakeObject("nope", "k")), ErrorKind::kNotFound,
                         "bucket_not_found");
}

TEST_F(ObjectCatalogTest, PutObjectReplacesAndReturnsThePreviousBlob) {
  catalog_->CreateObjectBucket(MakeBucket("b"));
  catalog_->PutObject(MakeObject("b", "k", "/blobs/one"));
  StoredObject second = MakeObject("b", "k", "/blobs/two");
  second.size = 99;
  second.etag = "other";
  second.content_type = "application/json";
  second.metadata = {{"v", "2"}};
  second.created_at = "2026-02-01T00:00:00.000Z";
  EXPECT_EQ(catalog_->PutObject(second), std::vector<std::string>{"/blobs/one"});

  auto stored = catalog_->GetObject("b", "k");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->blob, "/blobs/two");
  EXPECT_EQ(stored->size, 99);
  EXPECT_EQ(stored->etag, "other");
  EXPECT_EQ(stored->content_type, "application/json");
  EXPECT_EQ(stored->metadata, (nlohmann::json{{"v", "2"}}));
  EXPECT_EQ(stored->created_at, "2026-02-01T00:00:00.000Z");
  EXPECT_EQ(catalog_->ListObjects("b", "", "", 10).size(), 1u);

  EXPECT_EQ(catalog_->PutObject(MakeObject("b", "k", "/blobs/three")),
            std::vector<std::string>{"/blobs/two"});
}

TEST_F(ObjectCatalogTest, AMultipartObjectKeepsEveryPartBlob) {
  catalog_->CreateObjectBucket(MakeBucket("b"));
  StoredObject parts = MakeObject("b", "k", "/blobs/p1");
  parts.part_sizes = {5, 5, 2};
  parts.next_blobs = {"/blobs/p2", "/blobs/p3"};
  parts.size = 12;
  catalog_->PutObject(parts);
  EXPECT_EQ(catalog_->GetObject("b", "k")->next_blobs, (std::vector<std::string>{"/blobs/p2", "/blobs/p3"}));
  auto referenced = catalog_->ListReferencedBlobs();
  std::sort(referenced.begin(), referenced.end());
  EXPECT_EQ(referenced, (std::vector<std::string>{"/blobs/p1", "/blobs/p2", "/blobs/p3"}));
  // Replacing it hands back every blob for unlinking; so does deleting the bucket.
  EXPECT_EQ(catalog_->PutObject(MakeObject("b", "k", "/blobs/one")),
            (std::vector<std::string>{"/blobs/p1", "/blobs/p2", "/blobs/p3"}));
  catalog_->PutObject(parts);
  auto dropped = catalog_->DeleteObjectBucket("b");
  std::sort(dropped.begin(), dropped.end());
  EXPECT_EQ(dropped, (std::vector<std::string>{"/blobs/p1", "/blobs/p2", "/blobs/p3"}));
}

TEST(ObjectRangesTest, SplitsARangeOverThePartBlobs) {
  StoredObject object;
  object.blob = "a";
  object.next_blobs = {"b", "c"};
  object.part_sizes = {5, 5, 2};
  auto ranges = ObjectRanges(object, 3, 8);
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[0].path, "a");
  EXPECT_EQ(ranges[0].offset, 3u);
  EXPECT_EQ(ranges[0].length, 2u);
  EXPECT_EQ(ranges[1].path, "b");
  EXPECT_EQ(ranges[1].offset, 0u);
  EXPECT_EQ(ranges[1].length, 5u);
  EXPECT_EQ(ranges[2].path, "c");
  EXPECT_EQ(ranges[2].length, 1u);
  ranges = ObjectRanges(object, 10, 2);  // the last blob only
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].path, "c");
  EXPECT_EQ(ranges[0].offset, 0u);
  EXPECT_EQ(ObjectRanges(object, 0, 0).size(), 0u);
  EXPECT_THROW(ObjectRanges(object, 6, 7), Error);
  StoredObject single;
  single.blob = "s";
  single.size = 9;
  ranges = ObjectRanges(single, 4, 5);
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].offset, 4u);
}

TEST_F(ObjectCatalogTest, PutObjectRollsBackWithTheTransaction) {
  catalog_->CreateObjectBucket(MakeBucket("b"));
  catalog_->PutObject(MakeObject("b", "k", "/blobs/one"));
  EXPECT_THROW(catalog_->InTransaction([&] {
    catalog_->PutObject(MakeObject("b", "k", "/blobs/two"));
    throw std::runtime_error("upload failed after the row");
  }),
               std::runtime_error);
  EXPECT_EQ(catalog_->GetObject("b", "k")->blob, "/blobs/one");
}

class ObjectListingTest : public ObjectCatalogTest {
 protected:
  void SetUp() override {
    catalog_->CreateObjectBucket(MakeBucket("b"));
    catalog_->CreateObjectBucket(MakeBucket("other"));
    for (const char* key : {"a", "a/", "a/b", "a/b/c", "a/c", "ab", "abc", "b", "dir/\xC3\xA9t\xC3\xA9.csv",
                            "dir/z.csv", "\xE2\x82\xAC", "x\xFF", "x\xFF\xFF", "y"}) {
      catalog_->PutObject(MakeObject("b", key));
    }
    catalog_->PutObject(MakeObject("other", "a/b"));
  }
  std::vector<std::string> List(const std::string& prefix, const std::string& start_after = "",
                                int64_t limit = 100) {
    return Keys(catalog_->ListObjects("b", prefix, start_after, limit));
  }
};

TEST_F(ObjectListingTest, EverythingInByteOrder) {
  // Byte order: '/' (0x2F) before letters, multi-byte UTF-8 (0xC3, 0xE2) and 0xFF after ASCII ('z').
  EXPECT_EQ(List(""), (std::vector<std::string>{"a", "a/", "a/b", "a/b/c", "a/c", "ab", "abc", "b",
                                                "dir/z.csv", "dir/\xC3\xA9t\xC3\xA9.csv", "x\xFF",
                                                "x\xFF\xFF", "y", "\xE2\x82\xAC"}));
}

TEST_F(ObjectListingTest, PrefixThatIsAPrefixOfOtherKeys) {
  EXPECT_EQ(List("a"), (std::vector<std::string>{"a", "a/", "a/b", "a/b/c", "a/c", "ab", "abc"}));
  EXPECT_EQ(List("a/"), (std::vector<std::string>{"a/", "a/b", "a/b/c", "a/c"}));
  EXPECT_EQ(List("a/b"), (std::vector<std::string>{"a/b", "a/b/c"}));
  EXPECT_EQ(List("ab"), (std::vector<std::string>{"ab", "abc"}));
  EXPECT_EQ(List("abcd"), (std::vector<std::string>{}));
  EXPECT_EQ(List("c"), (std::vector<std::string>{}));
}

TEST_F(ObjectListingTest, UnicodeAndHighBytePrefixes) {
  EXPECT_EQ(List("dir/\xC3"), (std::vector<std::string>{"dir/\xC3\xA9t\xC3\xA9.csv"}));
  EXPECT_EQ(List("dir/"), (std::vector<std::string>{"dir/z.csv", "dir/\xC3\xA9t\xC3\xA9.csv"}));
  EXPECT_EQ(List("\xE2\x82"), (std::vector<std::string>{"\xE2\x82\xAC"}));
  // Prefixes ending in 0xFF have no simple successor: the bound must skip past them, not wrap around.
  EXPECT_EQ(List("x\xFF"), (std::vector<std::string>{"x\xFF", "x\xFF\xFF"}));
  EXPECT_EQ(List("x\xFF\xFF"), (std::vector<std::string>{"x\xFF\xFF"}));
  EXPECT_EQ(List("x"), (std::vector<std::string>{"x\xFF", "x\xFF\xFF"}));
  EXPECT_EQ(List("\xFF"), (std::vector<std::string>{}));
}

TEST_F(ObjectListingTest, StartAfterAndLimitPage) {
  EXPECT_EQ(List("", "", 3), (std::vector<std::string>{"a", "a/", "a/b"}));
  EXPECT_EQ(List("", "a/b", 3), (std::vector<std::string>{"a/b/c", "a/c", "ab"}));
  // start_after needs not be a stored key.
  EXPECT_EQ(List("", "aa", 2), (std::vector<std::string>{"ab", "abc"}));
  // start_after before the prefix starts at the prefix; after the prefix's range gives nothing.
  EXPECT_EQ(List("a/", "a", 10), (std::vector<std::string>{"a/", "a/b", "a/b/c", "a/c"}));
  EXPECT_EQ(List("a/", "a/", 10), (std::vector<std::string>{"a/b", "a/b/c", "a/c"}));
  EXPECT_EQ(List("a/", "a/b/c", 10), (std::vector<std::string>{"a/c"}));
  EXPECT_EQ(List("a/", "b", 10), (std::vector<std::string>{}));
  EXPECT_EQ(List("", "\xE2\x82\xAC", 10), (std::vector<std::string>{}));
  EXPECT_EQ(List("", "", 0), (std::vector<std::string>{}));

  // Paging by the last key visits every key of the prefix exactly once.
  std::vector<std::string> all;
  std::string after;
  for (;;) {
    auto page = List("a", after, 2);
    if (page.empty()) break;
    all.insert(all.end(), page.begin(), page.end());
    after = page.back();
  }
  EXPECT_EQ(all, List("a"));
}

TEST_F(ObjectListingTest, BucketsDoNotMix) {
  EXPECT_EQ(Keys(catalog_->ListObjects("other", "", "", 100)), (std::vector<std::string>{"a/b"}));
  EXPECT_TRUE(catalog_->ListObjects("missing", "", "", 100).empty());
}

TEST_F(ObjectCatalogTest, DeleteBucketCascadesObjectsAndReturnsTheirBlobs) {
  catalog_->CreateObjectBucket(MakeBucket("b"));
  catalog_->CreateObjectBucket(MakeBucket("keep"));
  catalog_->PutObject(MakeObject("b", "k2", "/blobs/2"));
  catalog_->PutObject(MakeObject("b", "k1", "/blobs/1"));
  catalog_->PutObject(MakeObject("keep", "k1", "/blobs/3"));

  EXPECT_EQ(catalog_->DeleteObjectBucket("b"), (std::vector<std::string>{"/blobs/1", "/blobs/2"}));
  EXPECT_FALSE(catalog_->GetObject("b", "k1").has_value());
  EXPECT_TRUE(catalog_->ListObjects("b", "", "", 10).empty());
  EXPECT_TRUE(catalog_->GetObject("keep", "k1").has_value());

  // The name is free again, without leftovers.
  catalog_->CreateObjectBucket(MakeBucket("b"));
  EXPECT_TRUE(catalog_->ListObjects("b", "", "", 10).empty());
}

TEST_F(ObjectCatalogTest, DeleteProjectCascadesItsBucketsAndObjects) {
  catalog_->CreateProject(MakeProject("p1"));
  catalog_->CreateProject(MakeProject("p2"));
  catalog_->CreateObjectBucket(MakeBucket("p1-data", "p1"));
  catalog_->CreateObjectBucket(MakeBucket("p2-data", "p2"));
  catalog_->CreateObjectBucket(MakeBucket("stack"));
  for (const char* bucket : {"p1-data", "p2-data", "stack"}) catalog_->PutObject(MakeObject(bucket, "k"));

  catalog_->DeleteProject("p1");
  EXPECT_FALSE(catalog_->GetObjectBucket("p1-data").has_value());
  EXPECT_FALSE(catalog_->GetObject("p1-data", "k").has_value());
  EXPECT_TRUE(catalog_->ListObjectBuckets("p1").empty());
  EXPECT_TRUE(catalog_->GetObject("p2-data", "k").has_value());
  EXPECT_TRUE(catalog_->GetObject("stack", "k").has_value());
  EXPECT_EQ(Names(catalog_->ListObjectBuckets(std::nullopt)), (std::vector<std::string>{"p2-data", "stack"}));
}

// The usage totals the metrics read follow every write: insert, replace with another size, delete, a
// bucket's drop; buckets of no project are left out, and an empty project bucket counts zero.
TEST_F(ObjectCatalogTest, UsagePerProjectFollowsEveryWrite) {
  auto usage = [this] {
    std::vector<std::tuple<std::string, int64_t, int64_t>> rows;
    for (const auto& u : catalog_->ObjectUsageByProject())
      rows.emplace_back(u.project_id, u.objects, u.bytes);
    return rows;
  };
  using Rows = std::vector<std::tuple<std::string, int64_t, int64_t>>;
  catalog_->CreateProject(MakeProject("p1"));
  catalog_->CreateProject(MakeProject("p2"));
  catalog_->CreateObjectBucket(MakeBucket("a", "p1"));
  catalog_->CreateObjectBucket(MakeBucket("b", "p1"));
  catalog_->CreateObjectBucket(MakeBucket("c", "p2"));
  catalog_->CreateObjectBucket(MakeBucket("stack"));
  EXPECT_EQ(usage(), (Rows{{"p1", 0, 0}, {"p2", 0, 0}}));

  catalog_->PutObject(MakeObject("a", "one"));     // 3 bytes (the key's length)
  catalog_->PutObject(MakeObject("b", "three"));   // 5
  catalog_->PutObject(MakeObject("stack", "xx"));  // not a project's
  EXPECT_EQ(usage(), (Rows{{"p1", 2, 8}, {"p2", 0, 0}}));

  auto bigger = MakeObject("a", "one");
  bigger.size = 100;
  catalog_->PutObject(bigger);  // replaced: one object still, its new size
  EXPECT_EQ(usage(), (Rows{{"p1", 2, 105}, {"p2", 0, 0}}));

  catalog_->DeleteObject("b", "three");
  catalog_->DeleteObject("b", "missing");
  EXPECT_EQ(usage(), (Rows{{"p1", 1, 100}, {"p2", 0, 0}}));

  catalog_->PutObject(MakeObject("c", "four"));
  catalog_->DeleteObjectBucket("a");
  EXPECT_EQ(usage(), (Rows{{"p1", 0, 0}, {"p2", 1, 4}}));
  catalog_->DeleteProject("p2");
  EXPECT_EQ(usage(), (Rows{{"p1", 0, 0}}));
}

// A catalog written before migration 13 gets its usage counted from the objects it already holds.
TEST_F(ObjectCatalogTest, UsageOfObjectsWrittenBeforeMigration13IsCounted) {
  catalog_->CreateProject(MakeProject("p1"));
  catalog_->CreateObjectBucket(MakeBucket("a", "p1"));
  catalog_->CreateObjectBucket(MakeBucket("empty", "p1"));
  catalog_->PutObject(MakeObject("a", "one"));
  catalog_->PutObject(MakeObject("a", "three"));
  catalog_.reset();
  {
    SqliteDb db((dir_ / "catalog.db").string());
    db.Exec(
        "DELETE FROM schema_migrations WHERE version = 13; DROP TRIGGER object_usage_bucket; "
        "DROP TRIGGER object_usage_insert; DROP TRIGGER object_usage_delete; DROP TRIGGER "
        "object_usage_update; "
        "DROP TABLE object_usage;");
  }
  catalog_ = OpenSqliteCatalog((dir_ / "catalog.db").string());
  auto usage = catalog_->ObjectUsageByProject();
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(std::make_tuple(usage[0].project_id, usage[0].objects, usage[0].bytes),
            std::make_tuple(std::string("p1"), int64_t{2}, int64_t{8}));
  catalog_->PutObject(MakeObject("empty", "x"));
  EXPECT_EQ(catalog_->ObjectUsageByProject()[0].objects, 3);
}

TEST_F(ObjectCatalogTest, BucketOfAMissingProjectIsRejected) {
  EXPECT_DUCKSTORE_ERROR(catalog_->CreateObjectBucket(MakeBucket("b", "nope")), ErrorKind::kNotFound,
                         "project_not_found");
  EXPECT_FALSE(catalog_->GetObjectBucket("b").has_value());
}

// Blob paths are stored relative to the data directory (the catalog file's directory), so a moved data
// directory keeps finding its blobs; rows of older versions that hold absolute paths are converted.
TEST(ObjectCatalogBlobPaths, StoredRelativeAndFollowTheDataDirectory) {
  TempDir root;
  auto before = root / "before";
  std::filesystem::create_directories(before);
  std::string blob = (before / "projects" / "p1" / "blobs" / "ab12").string();
  {
    auto catalog = OpenSqliteCatalog((before / "catalog.db").string());
    catalog->CreateProject(MakeProject("p1"));
    catalog->CreateObjectBucket(MakeBucket("data", "p1"));
    catalog->PutObject(MakeObject("data", "a.csv", blob));
    catalog->PutObject(MakeObject("data", "outside", "/elsewhere/blob"));
    EXPECT_EQ(catalog->GetObject("data", "a.csv")->blob, blob);
  }
  {
    SqliteDb db((before / "catalog.db").string());
    auto rows = db.Prepare("SELECT blob FROM objects ORDER BY key");
    ASSERT_TRUE(rows.Step());
    EXPECT_EQ(rows.Text(0), "projects/p1/blobs/ab12");
    ASSERT_TRUE(rows.Step());
    EXPECT_EQ(rows.Text(0), "/elsewhere/blob");
    // What an older version wrote: an absolute path below the data directory, in a catalog that has not
    // been converted yet.
    db.Prepare("DELETE FROM settings WHERE key = 'catalog.blob_paths_relative'").Run();
    db.Prepare(
          "INSERT INTO objects (bucket, key, blob, size, etag, content_type, metadata, created_at) "
          "VALUES ('data', 'legacy', ?, 1, 'e', '', '{}', ?)")
        .Bind(1, (before / "projects" / "p1" / "blobs" / "cd34").string())
        .Bind(2, std::string(kAt))
        .Run();
  }
  {
    auto catalog = OpenSqliteCatalog((before / "catalog.db").string());  // converts the legacy row
  }
  auto after = root / "after";
  std::filesystem::rename(before, after);
  auto catalog = OpenSqliteCatalog((after / "catalog.db").string());
  EXPECT_EQ(catalog->GetObject("data", "a.csv")->blob,
            (after / "projects" / "p1" / "blobs" / "ab12").string());
  EXPECT_EQ(catalog->GetObject("data", "legacy")->blob,
            (after / "projects" / "p1" / "blobs" / "cd34").string());
  EXPECT_EQ(catalog->GetObject("data", "outside")->blob, "/elsewhere/blob");
  auto referenced = catalog->ListReferencedBlobs();
  EXPECT_NE(std::find(referenced.begin(), referenced.end(),
                      (after / "projects" / "p1" / "blobs" / "ab12").string()),
            referenced.end());
}

}  // namespace
}  // namespace duckstore
