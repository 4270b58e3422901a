// SharingCatalog on SQLite: tables bucket_shares and bucket_links (a share's links go with it by foreign
// key, a link's default-branch grant by trigger).
#include "duckstore/storage/catalog/sqlite_catalog_parts.hpp"

namespace duckstore {
namespace {

BucketShare ReadShare(RowReader& row) {
  return BucketShare{row.Text(), row.Text(), row.Strings(), row.Text()};
}

BucketLink ReadLink(RowReader& row) {
  return BucketLink{row.Text(), row.Text(), row.Text(), row.Text(), row.Text()};
}

constexpr RowMapping<BucketShare> kShares{{"bucket_shares", "project_id, bucket, targets, created_at"},
                                          ReadShare};
constexpr RowMapping<BucketLink> kLinks{
    {"bucket_links", "project_id, bucket, source_project_id, source_bucket, created_at"}, ReadLink};

}  // namespace

void SqliteSharingCatalog::CreateShare(const BucketShare& s) {
  db_.InsertUnique(kShares, "bucket_already_shared", "bucket '" + s.bucket + "' is already shared",
                   s.project_id, s.bucket, s.target_project_ids, s.created_at);
}

std::optional<BucketShare> SqliteSharingCatalog::GetShare(const std::string& project_id,
                                                          const std::string& bucket) {
  return db_.One(kShares, "project_id = ? AND bucket = ?", project_id, bucket);
}

std::vector<BucketShare> SqliteSharingCatalog::ListShares(const std::string& project_id) {
  return db_.All(kShares, "project_id = ?", "ORDER BY bucket", project_id);
}

void SqliteSharingCatalog::DeleteShare(const std::string& project_id, const std::string& bucket) {
  db_.Delete(kShares, "project_id = ? AND bucket = ?", project_id, bucket);
}

void SqliteSharingCatalog::CreateLink(const BucketLink& l) {
  auto lock = db_.Lock();
  if (!GetShare(l.source_project_id, l.source_bucket)) {
    throw NotFound("share_not_found",
                   "bucket '" + l.source_bucket + "' of project '" + l.source_project_id + "' is not shared");
  }
  db_.InsertUnique(kLinks, "bucket_exists", "bucket '" + l.bucket + "' already exists", l.project_id,
                   l.bucket, l.source_project_id, l.source_bucket, l.created_at);
}

std::vector<BucketLink> SqliteSharingCatalog::ListLinks(const std::string& project_id) {
  return db_.All(kLinks, "project_id = ?", "ORDER BY bucket", project_id);
}

std::vector<BucketLink> SqliteSharingCatalog::ListLinksFrom(const std::string& source_project_id,
                                                            const std::string& source_bucket) {
  return db_.All(kLinks, "source_project_id = ? AND source_bucket = ?", "ORDER BY project_id, bucket",
                 source_project_id, source_bucket);
}

void SqliteSharingCatalog::DeleteLink(const std::string& project_id, const std::string& bucket) {
  db_.Delete(kLinks, "project_id = ? AND bucket = ?", project_id, bucket);
}

}  // namespace duckstore
