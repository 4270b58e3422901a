// Rows of the catalog: the server-wide metadata that is not project data.
// Timestamps are ISO-8601 UTC strings with millisecond precision ("2026-11-22T20:42:47.123Z").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace duckstore {

struct Project {
  std::string id;
  std::string name;
  std::string status = "active";
  nlohmann::json settings = nlohmann::json::object();
  std::string created_at;
  std::string updated_at;
};

// Scopes, from widest to narrowest. Branch scopes are bound to one branch (ApiKey::branch_id).
enum class KeyScope { kProjectAdmin, kBranchAdmin, kBranchRead };
std::string ToString(KeyScope scope);
// Throws Error(kInvalidArgument, "invalid_scope") for an unknown name.
KeyScope ParseKeyScope(const std::string& name);

struct ApiKey {
  std::string id;  // public key id, embedded in the token; unique server-wide
  std::string project_id;
  std::optional<std::string> branch_id;
  KeyScope scope = KeyScope::kProjectAdmin;
  std::string description;
  std::string secret_hash;  // sha256 hex of the secret part of the token; the secret itself is never stored
  std::string created_at;
  std::optional<std::string> expires_at;
  std::optional<std::string> revoked_at;
  std::optional<std::string> last_used_at;
};

struct Branch {
  std::string id;
  std::string project_id;
  std::string name;
  std::string description;
  std::string created_at;
};

struct Operation {
  int64_t id = 0;
  std::string at;
  std::string request_id;
  std::string project_id;  // empty for server-level operations
  std::string operation;   // e.g. "table.create"
  std::string resource;    // e.g. "in.c-sales/orders"
  nlohmann::json details = nlohmann::json::object();
  int64_t duration_ms = 0;
  std::string status;  // "ok" or the error code
};

// A bucket of the object store. Project-owned buckets keep their blobs in the project's directory and go
// away with the project; admin-owned (stack-level) buckets have no project and keep theirs in <data>/objects.
struct ObjectBucket {
  std::string name;                       // unique server-wide
  std::optional<std::string> project_id;  // nullopt: admin-owned
  std::string created_at;
  // The bucket's CORS configuration (api/s3/cors.hpp's JSON form of S3's CORSConfiguration); null: none.
  nlohmann::json cors = nullptr;
};

// A content checksum kept with an object, an upload part or (its algorithm and type only) a multipart
// upload, as S3 names them (docs/design/s3.md, "Checksums"). Empty fields: none.
struct StoredChecksum {
  std::string algorithm;  // "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"
  std::string type;       // "FULL_OBJECT" or "COMPOSITE" (objects and uploads)
  std::string value;      // base64 as S3 sends it; a COMPOSITE object's is "<base64>-<part count>"
};

// An object's metadata. The content lives in a blob file named by a random id, never by the key; `key` is
// only a string in the catalog (any bytes, '/' has no meaning here).
struct StoredObject {
  std::string bucket;
  std::string key;
  std::string blob;  // path of the content file
  int64_t size = 0;
  std::string etag;  // hex MD5 of the content (multipart objects will use "<md5 of md5s>-<parts>")
  std::string content_type = "application/octet-stream";
  nlohmann::json metadata = nlohmann::json::object();  // user metadata (x-amz-meta-*), name -> value
  std::string created_at;   // time of the last write (an overwrite is a new object)
  StoredChecksum checksum;  // the checksum the writer sent, verified
  // The standard headers S3 keeps with an object (kObjectHeaderNames, object_store.hpp): lowercase name ->
  // value as the writer sent it.
  nlohmann::json headers = nlohmann::json::object();
  std::vector<int64_t> part_sizes = {};  // a multipart object's part sizes, in part order; empty otherwise
  // A completed multipart object's content is its parts' blobs read in order: `blob` (the first part)
  // then these, blob i holding part_sizes[i] bytes. Empty for an object in one blob.
  std::vector<std::string> next_blobs = {};
};

// Every blob of `object`, in content order.
std::vector<std::string> ObjectBlobs(const StoredObject& object);

// One piece of an object's content: `length` bytes of the blob file at `path` from `offset`.
struct BlobRange {
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// The pieces that hold `length` bytes of `object`'s content from `offset`, in order (empty ones left out);
// the range must lie within the object's size.
std::vector<BlobRange> ObjectRanges(const StoredObject& object, uint64_t offset, uint64_t length);

// A workspace: an isolated database of a project branch (workspaces/<id>.duckdb) that its users reach with
// their own credentials.
struct Workspace {
  std::string id;
  std::string project_id;
  std::string branch_id;  // "default" or a dev branch
  std::string created_at;
};

// A login of a workspace. The password is kept only as a SCRAM-SHA-256 verifier (PostgreSQL's format,
// services/password.hpp), which both checks a cleartext password and serves SCRAM authentication.
struct WorkspaceUser {
  std::string name;  // unique server-wide
  std::string project_id;
  std::string workspace_id;
  std::string password_verifier;
  std::string created_at;
};

// A default-branch bucket its project shares: other projects may link it (read-only).
struct BucketShare {
  std::string project_id;
  std::string bucket;                           // canonical name in the source project
  std::vector<std::string> target_project_ids;  // projects allowed to link it; empty = any project
  std::string created_at;
};

// A bucket of project `project_id` that shows the shared bucket `source_bucket` of `source_project_id`.
struct BucketLink {
  std::string project_id;
  std::string bucket;
  std::string source_project_id;
  std::string source_bucket;
  std::string created_at;
};

// A DAS registration (docs/design/das.md): which project tables a DAS id exposes and with whose rights.
// The credential itself is not stored: the key id is, and every call re-checks that key.
struct DasRegistration {
  std::string id;
  std::string type;        // the DAS type ("duckdb")
  std::string project_id;  // empty for a standalone database
  std::string database;    // a standalone DuckDB file (its canonical name); empty for project tables
  std::string branch_id = "default";
  std::optional<std::string> key_id;  // nullopt: registered with the admin key
  std::vector<std::string> buckets;   // exposed buckets; empty = every bucket
  std::string fingerprint;            // hash of the definition; re-registering the same one is a no-op
  std::string created_at;

  bool standalone() const { return !database.empty(); }
};

// A project file: a name and tags on top of an object. `owned` files were uploaded as files (their object
// goes away with them); registered files point at an object written through another door.
struct FileRecord {
  std::string id;
  std::string project_id;
  std::string name;
  std::string bucket;
  std::string key;
  bool owned = true;
  std::vector<std::string> tags;
  std::string created_at;
};

// An asynchronous import or export (services/jobs). `request`, `progress`, `result` and `error` are JSON
// documents owned by the job service; the catalog stores them as they are.
struct Job {
  std::string id;
  std::string project_id;
  std::string branch_id;
  std::string kind;    // "table.import", "table.import_from_table", "table.export"
  std::string target;  // the table it works on, "bucket.table"
  std::string status;  // queued, running, succeeded, failed, cancelled
  nlohmann::json request = nlohmann::json::object();
  nlohmann::json progress = nlohmann::json::object();
  nlohmann::json result;  // null until succeeded
  nlohmann::json error;   // null unless failed or cancelled: {code, message, details}
  bool cancel_requested = false;
  std::string created_at;
  std::optional<std::string> started_at;
  std::optional<std::string> finished_at;
};

// An S3 multipart upload in progress: what the completed object will be called and carry. Its parts are
// blobs in the bucket's blob directory until the upload is completed (concatenated into the object's
// blob) or aborted.
struct MultipartUpload {
  std::string id;  // random, unique server-wide (the S3 UploadId)
  std::string bucket;
  std::string key;
  std::string content_type = "application/octet-stream";
  nlohmann::json metadata = nlohmann::json::object();
  std::string created_at;
  StoredChecksum checksum;                            // the algorithm and type the upload declared (no value)
  nlohmann::json headers = nlohmann::json::object();  // the completed object's standard headers
};

// A multipart upload that was completed, kept for a while so that a retried CompleteMultipartUpload (same
// upload id and parts) is answered with the same result instead of NoSuchUpload.
struct CompletedUpload {
  std::string id;  // the upload id
  std::string bucket;
  std::string key;
  std::string etag;          // the completed object's
  std::string parts_digest;  // fingerprint of the part list it was completed with (number and ETag of each)
  StoredChecksum checksum;   // the completed object's
  std::string completed_at;
};

struct UploadPart {
  std::string upload_id;
  int64_t part_number = 0;  // 1..10000
  std::string blob;         // path of the part's content file
  int64_t size = 0;
  std::string etag;  // hex MD5 of the part
  std::string created_at;
  StoredChecksum checksum;  // the part's checksum, verified (no type)
};

template <typename T>
struct Page {
  std::vector<T> items;
  int64_t total = 0;
};

struct PageRequest {
  int64_t limit = 100;
  int64_t offset = 0;
};

// Current time in the catalog's timestamp format; `offset_seconds` shifts it (for expiries).
std::string NowTimestamp(int64_t offset_seconds = 0);
// Seconds since the epoch of a timestamp in that format (the milliseconds are dropped).
int64_t TimestampToUnixSeconds(const std::string& timestamp);

}  // namespace duckstore
