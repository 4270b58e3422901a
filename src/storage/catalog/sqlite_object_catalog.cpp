// ObjectCatalog on SQLite: tables object_buckets and objects. Deleting a bucket cascades to its objects and
// multipart uploads (foreign keys), so it also collects the upload parts' blobs.
#include "duckstore/storage/catalog/sqlite_catalog_parts.hpp"

namespace duckstore {
namespace {

ObjectBucket ReadBucket(RowReader& row) {
  return ObjectBucket{row.Text(), row.OptionalText(), row.Text(), row.OptionalJson()};
}

StoredObject ReadObject(RowReader& row) {
  return StoredObject{row.Text(),
                      row.Text(),
                      row.Blob(),
                      row.Int(),
                      row.Text(),
                      row.Text(),
                      row.Json(),
                      row.Text(),
                      ReadChecksum(row),
                      row.Json(),
                      row.Json().get<std::vector<int64_t>>(),
                      row.BlobList()};
}

constexpr RowMapping<ObjectBucket> kBuckets{{"object_buckets", "name, project_id, created_at, cors"},
                                            ReadBucket};
constexpr RowMapping<StoredObject> kObjects{
    {"objects",
     "bucket, key, blob, size, etag, content_type, metadata, created_at, checksum_algorithm, checksum_type, "
     "checksum, headers, part_sizes, next_blobs"},
    ReadObject};

// Every blob of every object as (bucket, key, blob): `blob` and, for a multipart object, each of next_blobs,
// in content order. A subquery the statements below filter; SQLite pushes their WHERE into both arms.
constexpr char kObjectBlobs[] =
    "(SELECT bucket, key, blob FROM objects UNION ALL SELECT o.bucket, o.key, j.value FROM objects o, "
    "json_each(o.next_blobs) j)";

}  // namespace

void SqliteObjectCatalog::CreateObjectBucket(const ObjectBucket& b) {
  auto lock = db_.Lock();
  // Checked first: the foreign key's violation would otherwise read as a taken name.
  if (b.project_id && !db_.Exists("SELECT 1 FROM projects WHERE id = ?", *b.project_id)) {
    throw NotFound("project_not_found", "project '" + *b.project_id + "' not found");
  }
  db_.InsertUnique(kBuckets, "bucket_exists", "bucket '" + b.name + "' already exists", b.name, b.project_id,
                   b.created_at, NullableJson(b.cors));
}

std::optional<ObjectBucket> SqliteObjectCatalog::GetObjectBucket(const std::string& name) {
  return db_.One(kBuckets, "name = ?", name);
}

std::vector<ObjectBucket> SqliteObjectCatalog::ListObjectBuckets(
    const std::optional<std::string>& project_id) {
  if (project_id) return db_.All(kBuckets, "project_id = ?", "ORDER BY name", *project_id);
  return db_.All(kBuckets, "", "ORDER BY name");
}

std::vector<std::string> SqliteObjectCatalog::DeleteObjectBucket(const std::string& name) {
  // The select and the delete see the same rows: the connection is ours while the lock is held.
  auto lock = db_.Lock();
  auto blobs = db_.Blobs(std::string("SELECT blob FROM ") + kObjectBlobs +
                             " WHERE bucket = ?1 UNION ALL SELECT p.blob FROM upload_parts p JOIN "
                             "multipart_uploads u ON u.id = p.upload_id WHERE u.bucket = ?1",
                         name);
  db_.Delete(kBuckets, "name = ?", name);
  return blobs;
}

void SqliteObjectCatalog::SetObjectBucketCors(const std::string& name, const nlohmann::json& cors) {
  if (db_.Run("UPDATE object_buckets SET cors = ? WHERE name = ?", NullableJson(cors), name) == 0)
    throw NotFound("bucket_not_found", "bucket '" + name + "' not found");
}

std::vector<std::string> SqliteObjectCatalog::ListReferencedBlobs() {
  return db_.Blobs(std::string("SELECT blob FROM ") + kObjectBlobs +
                   " UNION ALL SELECT blob FROM upload_parts");
}

std::vector<ObjectUsage> SqliteObjectCatalog::ObjectUsageByProject() {
  auto lock = db_.Lock();
  auto stmt = db_.db().Prepare(
      "SELECT b.project_id, SUM(u.objects), SUM(u.bytes) FROM object_usage u JOIN object_buckets b ON "
      "b.name = u.bucket WHERE b.project_id IS NOT NULL GROUP BY b.project_id ORDER BY b.project_id");
  std::vector<ObjectUsage> usage;
  while (stmt.Step()) usage.push_back({stmt.Text(0), stmt.Int(1), stmt.Int(2)});
  return usage;
}

std::vector<std::string> SqliteObjectCatalog::PutObject(const StoredObject& o) {
  auto lock = db_.Lock();
  if (!GetObjectBucket(o.bucket)) throw NotFound("bucket_not_found", "bucket '" + o.bucket + "' not found");
  auto previous = db_.Blobs(std::string("SELECT blob FROM ") + kObjectBlobs + " WHERE bucket = ? AND key = ?",
                            o.bucket, o.key);
  nlohmann::json next_blobs = nlohmann::json::array();
  for (const auto& blob : o.next_blobs) next_blobs.push_back(db_.blobs().Encode(blob));
  db_.Upsert(kObjects, "bucket, key", o.bucket, o.key, db_.blobs().Encode(o.blob), o.size, o.etag,
             o.content_type, o.metadata, o.created_at, o.checksum.algorithm, o.checksum.type,
             o.checksum.value, o.headers, nlohmann::json(o.part_sizes), next_blobs);
  return previous;
}

std::optional<StoredObject> SqliteObjectCatalog::GetObject(const std::string& bucket,
                                                           const std::string& key) {
  return db_.One(kObjects, "bucket = ? AND key = ?", bucket, key);
}

std::optional<StoredObject> SqliteObjectCatalog::DeleteObject(const std::string& bucket,
                                                              const std::string& key) {
  auto lock = db_.Lock();
  auto removed = GetObject(bucket, key);
  if (removed) db_.Delete(kObjects, "bucket = ? AND key = ?", bucket, key);
  return removed;
}

std::vector<StoredObject> SqliteObjectCatalog::ListObjects(const std::string& bucket,
                                                           const std::string& prefix,
                                                           const std::string& start_after, int64_t limit) {
  if (limit <= 0) return {};
  // One lower bound (the larger of the prefix and start_after) and an optional upper bound, so that
  // SQLite seeks the primary key index instead of filtering the bucket. std::string compares bytes as
  // unsigned, like SQLite's BINARY collation.
  bool after = !start_after.empty() && start_after >= prefix;
  const std::string& lower = after ? start_after : prefix;
  std::string where = std::string("bucket = ? AND key ") + (after ? ">" : ">=") + " ?";
  std::optional<std::string> upper = PrefixUpperBound(prefix);
  if (upper)
    return db_.All(kObjects, where + " AND key < ?", "ORDER BY key LIMIT ?", bucket, lower, *upper, limit);
  return db_.All(kObjects, where, "ORDER BY key LIMIT ?", bucket, lower, limit);
}

}  // namespace duckstore
