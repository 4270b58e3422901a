// S3 multipart uploads in the catalog: uploads, part upserts, listings with markers, cascades.
#include <gtest/gtest.h>

#include "duckstore/common/error.hpp"
#include "duckstore/storage/catalog/catalog.hpp"
#include "duckstore/storage/catalog/sqlite_catalog.hpp"
#include "test_util.hpp"

namespace duckstore {
namespace {

using testing::TempDir;

MultipartUpload MakeUpload(const std::string& id, const std::string& key, const std::string& at) {
  MultipartUpload u;
  u.id = id;
  u.bucket = "data";
  u.key = key;
  u.content_type = "text/csv";
  u.metadata = {{"origin", "test"}};
  u.created_at = at;
  u.checksum = {"SHA1", "COMPOSITE", ""};
  return u;
}

UploadPart MakePart(const std::string& upload_id, int64_t number, const std::string& blob) {
  return UploadPart{upload_id,
                    number,
                    blob,
                    5,
                    "etag" + std::to_string(number),
                    "2026-01-01T00:00:00.000Z",
                    StoredChecksum{"SHA1", "", "part" + std::to_string(number)}};
}

std::vector<std::string> Ids(const std::vector<MultipartUpload>& uploads) {
  std::vector<std::string> ids;
  for (const auto& u : uploads) ids.push_back(u.id);
  return ids;
}

class MultipartCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_->CreateObjectBucket(ObjectBucket{"data", std::nullopt, "2026-01-01T00:00:00.000Z"});
  }
  TempDir dir_;
  std::unique_ptr<Catalog> catalog_ = OpenSqliteCatalog((dir_ / "catalog.db").string());
};

TEST_F(MultipartCatalogTest, UploadRoundTripAndMissingBucket) {
  catalog_->CreateMultipartUpload(MakeUpload("u1", "a/b.csv", "2026-01-01T00:00:01.000Z"));
  auto upload = catalog_->GetMultipartUpload("u1");
  ASSERT_TRUE(upload.has_value());
  EXPECT_EQ(upload->key, "a/b.csv");
  EXPECT_EQ(upload->content_type, "text/csv");
  EXPECT_EQ(upload->metadata["origin"], "test");
  EXPECT_EQ(upload->checksum.algorithm, "SHA1");
  EXPECT_EQ(upload->checksum.type, "COMPOSITE");
  EXPECT_FALSE(catalog_->GetMultipartUpload("nope").has_value());

  auto orphan = MakeUpload("u2", "k", "2026-01-01T00:00:01.000Z");
  orphan.bucket = "missing";
  try {
    catalog_->CreateMultipartUpload(orphan);
    FAIL() << "expected bucket_not_found";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "bucket_not_found");
  }
}

TEST_F(MultipartCatalogTest, PartsUpsertAndPage) {
  catalog_->CreateMultipartUpload(MakeUpload("u1", "k", "2026-01-01T00:00:01.000Z"));
  EXPECT_FALSE(catalog_->PutUploadPart(MakePart("u1", 2, "/b/2")).has_value());
  EXPECT_FALSE(catalog_->PutUploadPart(MakePart("u1", 1, "/b/1")).has_value());
  EXPECT_FALSE(catalog_->PutUploadPart(MakePart("u1", 3, "/b/3")).has_value());
  auto replaced = catalog_->PutUploadPart(MakePart("u1", 2, "/b/2bis"));
  ASSERT_TRUE(replaced.has_value());
  EXPECT_EQ(*replaced, "/b/2");

  auto parts = catalog_->ListUploadParts("u1", 0, 10);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].part_number, 1);
  EXPECT_EQ(parts[1].blob, "/b/2bis");
  EXPECT_EQ(parts[1].checksum.algorithm, "SHA1");
  EXPECT_EQ(parts[1].checksum.value, "part2");
  auto page = catalog_->ListUploadParts("u1", 1, 1);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].part_number, 2);

  try {
    catalog_->PutUploadPart(MakePart("missing", 1, "/b/x"));
    FAIL() << "expected upload_not_found";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "upload_not_found");
  }
}

TEST_F(MultipartCatalogTest, ListingOrderPrefixAndMarkers) {
  catalog_->CreateMultipartUpload(MakeUpload("u3", "b", "2026-01-01T00:00:03.000Z"));
  catalog_->CreateMultipartUpload(MakeUpload("u1", "a", "2026-01-01T00:00:02.000Z"));
  catalog_->CreateMultipartUpload(MakeUpload("u2", "a", "2026-01-01T00:00:01.000Z"));
  catalog_->CreateMultipartUpload(MakeUpload("u4", "c/x", "2026-01-01T00:00:01.000Z"));

  EXPECT_EQ(Ids(catalog_->ListMultipartUploads("data", "", "", "", 10)),
            (std::vector<std::string>{"u2", "u1", "u3", "u4"}));
  EXPECT_EQ(Ids(catalog_->ListMultipartUploads("data", "c/", "", "", 10)), (std::vector<std::string>{"u4"}));
  // After the first upload of "a": the second upload of "a", then later keys.
  EXPECT_EQ(Ids(catalog_->ListMultipartUploads("data", "", "a", "u2", 2)),
            (std::vector<std::string>{"u1", "u3"}));
  // A key marker alone skips every upload of that key.
  EXPECT_EQ(Ids(catalog_->ListMultipartUploads("data", "", "a", "", 10)),
            (std::vector<std::string>{"u3", "u4"}));
}

TEST_F(MultipartCatalogTest, DeleteReturnsPartBlobsAndBucketCascade) {
  catalog_->CreateMultipartUpload(MakeUpload("u1", "k", "2026-01-01T00:00:01.000Z"));
  catalog_->PutUploadPart(MakePart("u1", 1, "/b/1"));
  catalog_->PutUploadPart(MakePart("u1", 2, "/b/2"));
  auto blobs = catalog_->DeleteMultipartUpload("u1");
  ASSERT_TRUE(blobs.has_value());
  EXPECT_EQ(*blobs, (std::vector<std::string>{"/b/1", "/b/2"}));
  EXPECT_FALSE(catalog_->GetMultipartUpload("u1").has_value());
  EXPECT_TRUE(catalog_->ListUploadParts("u1", 0, 10).empty());
  EXPECT_FALSE(catalog_->DeleteMultipartUpload("u1").has_value());

  catalog_->CreateMultipartUpload(MakeUpload("u2", "k", "2026-01-01T00:00:01.000Z"));
  catalog_->PutUploadPart(MakePart("u2", 1, "/b/p1"));
  auto removed = catalog_->DeleteObjectBucket("data");
  EXPECT_EQ(removed, (std::vector<std::string>{"/b/p1"}));
  EXPECT_FALSE(catalog_->GetMultipartUpload("u2").has_value());
}

}  // namespace
}  // namespace duckstore
