// MultipartCatalog on SQLite: tables multipart_uploads and upload_parts (an upload's parts go with it by
// foreign key).
#include "duckstore/storage/catalog/sqlite_catalog_parts.hpp"

namespace duckstore {
namespace {

MultipartUpload ReadUpload(RowReader& row) {
  return MultipartUpload{row.Text(), row.Text(), row.Text(),        row.Text(),
                         row.Json(), row.Text(), ReadChecksum(row), row.Json()};
}

CompletedUpload ReadCompleted(RowReader& row) {
  return CompletedUpload{row.Text(), row.Text(),        row.Text(), row.Text(),
                         row.Text(), ReadChecksum(row), row.Text()};
}

UploadPart ReadPart(RowReader& row) {
  return UploadPart{row.Text(), row.Int(), row.Blob(), row.Int(), row.Text(), row.Text(), ReadChecksum(row)};
}

constexpr RowMapping<MultipartUpload> kUploads{
    {"multipart_uploads",
     "id, bucket, key, content_type, metadata, created_at, checksum_algorithm, checksum_type, checksum, "
     "headers"},
    ReadUpload};
constexpr RowMapping<UploadPart> kParts{
    {"upload_parts",
     "upload_id, part_number, blob, size, etag, created_at, checksum_algorithm, checksum_type, checksum"},
    ReadPart};
constexpr RowMapping<CompletedUpload> kCompleted{
    {"completed_uploads",
     "id, bucket, key, etag, parts_digest, checksum_algorithm, checksum_type, checksum, completed_at"},
    ReadCompleted};

}  // namespace

void SqliteMultipartCatalog::CreateMultipartUpload(const MultipartUpload& u) {
  auto lock = db_.Lock();
  if (!db_.Exists("SELECT 1 FROM object_buckets WHERE name = ?", u.bucket)) {
    throw NotFound("bucket_not_found", "bucket '" + u.bucket + "' not found");
  }
  db_.Insert(kUploads, u.id, u.bucket, u.key, u.content_type, u.metadata, u.created_at, u.checksum.algorithm,
             u.checksum.type, u.checksum.value, u.headers);
}

std::optional<MultipartUpload> SqliteMultipartCatalog::GetMultipartUpload(const std::string& id) {
  return db_.One(kUploads, "id = ?", id);
}

std::vector<MultipartUpload> SqliteMultipartCatalog::ListMultipartUploads(const std::string& bucket,
                                                                          const std::string& prefix,
                                                                          const std::string& key_marker,
                                                                          const std::string& upload_id_marker,
                                                                          int64_t limit) {
  if (limit <= 0) return {};
  auto lock = db_.Lock();
  // The position after which to list: (key_marker, created_at of the marker upload, its id), or after
  // every upload of key_marker when there is no (known) upload id marker.
  std::optional<MultipartUpload> marker;
  if (!upload_id_marker.empty()) {
    marker = GetMultipartUpload(upload_id_marker);
    if (marker && marker->key != key_marker) marker.reset();
  }
  // The conditions vary, so their values are bound here in the order they are added.
  std::optional<std::string> upper = PrefixUpperBound(prefix);
  std::string where = std::string("bucket = ? AND key >= ?") + (upper ? " AND key < ?" : "");
  std::vector<std::string> values = {bucket, prefix};
  if (upper) values.push_back(*upper);
  if (marker) {
    where += " AND (key, created_at, id) > (?, ?, ?)";
    values.insert(values.end(), {marker->key, marker->created_at, marker->id});
  } else if (!key_marker.empty()) {
    where += " AND key > ?";
    values.push_back(key_marker);
  }
  auto stmt = db_.db().Prepare(SelectSql(kUploads, where, "ORDER BY key, created_at, id LIMIT ?"));
  int index = 1;
  for (const auto& value : values) stmt.Bind(index++, value);
  stmt.Bind(index, limit);
  return db_.ReadAll(stmt, kUploads);
}

std::optional<std::string> SqliteMultipartCatalog::PutUploadPart(const UploadPart& p) {
  auto lock = db_.Lock();
  if (!GetMultipartUpload(p.upload_id)) {
    throw NotFound("upload_not_found", "multipart upload '" + p.upload_id + "' not found");
  }
  auto previous = db_.Blob("SELECT blob FROM upload_parts WHERE upload_id = ? AND part_number = ?",
                           p.upload_id, p.part_number);
  db_.Upsert(kParts, "upload_id, part_number", p.upload_id, p.part_number, db_.blobs().Encode(p.blob), p.size,
             p.etag, p.created_at, p.checksum.algorithm, p.checksum.type, p.checksum.value);
  return previous;
}

std::vector<UploadPart> SqliteMultipartCatalog::ListUploadParts(const std::string& upload_id,
                                                                int64_t after_part_number, int64_t limit) {
  return db_.All(kParts, "upload_id = ? AND part_number > ?", "ORDER BY part_number LIMIT ?", upload_id,
                 after_part_number, limit);
}

std::optional<std::vector<std::string>> SqliteMultipartCatalog::DeleteMultipartUpload(const std::string& id) {
  auto lock = db_.Lock();
  if (!GetMultipartUpload(id)) return std::nullopt;
  auto blobs = db_.Blobs("SELECT blob FROM upload_parts WHERE upload_id = ? ORDER BY part_number", id);
  db_.Delete(kUploads, "id = ?", id);
  return blobs;
}

void SqliteMultipartCatalog::RecordCompletedUpload(const CompletedUpload& c) {
  db_.Upsert(kCompleted, "id", c.id, c.bucket, c.key, c.etag, c.parts_digest, c.checksum.algorithm,
             c.checksum.type, c.checksum.value, c.completed_at);
}

std::optional<CompletedUpload> SqliteMultipartCatalog::GetCompletedUpload(const std::string& id) {
  return db_.One(kCompleted, "id = ?", id);
}

int64_t SqliteMultipartCatalog::ForgetCompletedUploads(const std::string& before) {
  return db_.Delete(kCompleted, "completed_at < ?", before);
}

}  // namespace duckstore
