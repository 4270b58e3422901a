// The catalog: server-wide metadata (projects, API keys, branches, settings, the operations log, the
// object store's buckets and object metadata).
//
// Project data (buckets, tables, rows) is not here; it lives in each project's DuckDB database. The
// interface is backend-neutral so that a PostgreSQL catalog can replace the embedded SQLite one for
// multi-node deployments. Every method is safe to call from any thread. Failures throw duckstore::Error:
// kConflict for uniqueness violations, kNotFound where a method says so, kInternal for the backend.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "duckstore/storage/catalog/entities.hpp"

namespace duckstore {

class Catalog {
 public:
  virtual ~Catalog() = default;

  // Runs `body` in one transaction: every catalog call it makes on this thread commits or rolls back
  // together (rollback when it throws; the exception propagates).
  virtual void InTransaction(const std::function<void()>& body) = 0;

  // Projects. CreateProject throws kConflict("project_exists") for a taken id.
  virtual void CreateProject(const Project& project) = 0;
  virtual std::optional<Project> GetProject(const std::string& id) = 0;
  virtual Page<Project> ListProjects(const PageRequest& page) = 0;
  virtual void UpdateProject(const Project& project) = 0;
  // Removes the project and, by cascade, its keys, branches and every other row that belongs to it.
  virtual void DeleteProject(const std::string& id) = 0;

  // API keys.
  virtual void CreateKey(const ApiKey& key) = 0;
  virtual std::optional<ApiKey> GetKey(const std::string& id) = 0;
  // Keys of a project that are not revoked, newest first.
  virtual std::vector<ApiKey> ListActiveKeys(const std::string& project_id) = 0;
  virtual void RevokeKey(const std::string& id, const std::string& at) = 0;
  virtual void TouchKey(const std::string& id, const std::string& at) = 0;

  // Branches. CreateBranch throws kConflict("branch_exists") for a taken id or name within the project.
  virtual void CreateBranch(const Branch& branch) = 0;
  virtual std::optional<Branch> GetBranch(const std::string& project_id, const std::string& id) = 0;
  virtual Page<Branch> ListBranches(const std::string& project_id, const PageRequest& page) = 0;
  virtual void DeleteBranch(const std::string& project_id, const std::string& id) = 0;

  // Server settings (small values: secrets' fingerprints, feature switches).
  virtual std::optional<std::string> GetSetting(const std::string& key) = 0;
  virtual void PutSetting(const std::string& key, const std::string& value) = 0;

  // Object buckets. CreateObjectBucket throws kConflict("bucket_exists") for a taken name (names are
  // unique server-wide, whoever owns the bucket) and kNotFound("project_not_found") for a missing owner.
  virtual void CreateObjectBucket(const ObjectBucket& bucket) = 0;
  virtual std::optional<ObjectBucket> GetObjectBucket(const std::string& name) = 0;
  // Buckets ordered by name: all of them, or those of one project when `project_id` is given.
  virtual std::vector<ObjectBucket> ListObjectBuckets(const std::optional<std::string>& project_id) = 0;
  // Removes the bucket and, by cascade, its objects and multipart uploads (whether it is empty is the
  // caller's policy); returns the blob paths of the removed objects and upload parts so that the caller can
  // unlink them once the deletion is committed. A missing bucket is a no-op that returns nothing.
  virtual std::vector<std::string> DeleteObjectBucket(const std::string& name) = 0;
  // The blob path of every object and every upload part (for the start-up sweep of unreferenced blobs).
  virtual std::vector<std::string> ListReferencedBlobs() = 0;

  // Objects. PutObject inserts or replaces the object (bucket, key) with every field of `object`; it throws
  // kNotFound("bucket_not_found") when the bucket does not exist. When it replaced an object it returns that
  // object's blob path: the caller unlinks it after the surrounding transaction commits (not before, a
  // rollback would leave the old row pointing at a missing file).
  virtual std::optional<std::string> PutObject(const StoredObject& object) = 0;
  virtual std::optional<StoredObject> GetObject(const std::string& bucket, const std::string& key) = 0;
  // Removes the object and returns it (nullopt when there was none); the caller unlinks its blob after
  // commit.
  virtual std::optional<StoredObject> DeleteObject(const std::string& bucket, const std::string& key) = 0;
  // At most `limit` objects of `bucket` whose key starts with `prefix` and sorts after `start_after`
  // (empty: from the first), ordered by key in byte order. A range scan on (bucket, key); callers page by
  // passing the last key returned as the next `start_after` (asking for limit + 1 tells whether more
  // follow).
  virtual std::vector<StoredObject> ListObjects(const std::string& bucket, const std::string& prefix,
                                                const std::string& start_after, int64_t limit) = 0;

  // Workspaces and their users. CreateWorkspace throws kConflict("workspace_exists"), CreateWorkspaceUser
  // kConflict("workspace_user_exists"). Deleting a workspace deletes its users.
  virtual void CreateWorkspace(const Workspace& workspace) = 0;
  virtual std::optional<Workspace> GetWorkspace(const std::string& project_id, const std::string& id) = 0;
  // All workspaces of a project, oldest first.
  virtual std::vector<Workspace> ListWorkspaces(const std::string& project_id) = 0;
  virtual void DeleteWorkspace(const std::string& project_id, const std::string& id) = 0;
  virtual void CreateWorkspaceUser(const WorkspaceUser& user) = 0;
  virtual std::optional<WorkspaceUser> GetWorkspaceUser(const std::string& name) = 0;
  virtual std::vector<WorkspaceUser> ListWorkspaceUsers(const std::string& project_id,
                                                        const std::string& workspace_id) = 0;
  virtual void SetWorkspaceUserVerifier(const std::string& name, const std::string& verifier) = 0;
  virtual void DeleteWorkspaceUser(const std::string& name) = 0;

  // Bucket sharing. CreateShare throws kConflict("bucket_already_shared"); deleting a share deletes the
  // links made from it. CreateLink throws kConflict("bucket_exists") for a taken name in the target and
  // kNotFound("share_not_found") when the source is not shared.
  virtual void CreateShare(const BucketShare& share) = 0;
  virtual std::optional<BucketShare> GetShare(const std::string& project_id, const std::string& bucket) = 0;
  virtual std::vector<BucketShare> ListShares(const std::string& project_id) = 0;
  virtual void DeleteShare(const std::string& project_id, const std::string& bucket) = 0;
  virtual void CreateLink(const BucketLink& link) = 0;
  // Links into a project (its linked buckets), by name.
  virtual std::vector<BucketLink> ListLinks(const std::string& project_id) = 0;
  // Links made from one shared bucket.
  virtual std::vector<BucketLink> ListLinksFrom(const std::string& source_project_id,
                                                const std::string& source_bucket) = 0;
  virtual void DeleteLink(const std::string& project_id, const std::string& bucket) = 0;
  // Read-only role grants: the buckets granted to the read-only role of a branch (the default branch's is
  // the project's role), by canonical name, compared case-insensitively. A branch's grants go away with
  // the branch, a linked bucket's default-branch grant with the link; buckets of project databases are
  // not the catalog's, so whoever drops one revokes its grant.
  virtual void SetReadOnlyGrant(const std::string& project_id, const std::string& branch_id,
                                const std::string& bucket, bool granted) = 0;
  virtual bool HasReadOnlyGrant(const std::string& project_id, const std::string& branch_id,
                                const std::string& bucket) = 0;
  // Sorted by name.
  virtual std::vector<std::string> ListReadOnlyGrants(const std::string& project_id,
                                                      const std::string& branch_id) = 0;
  // DAS registrations. CreateDasRegistration throws kConflict("das_exists") for a taken id; a
  // registration goes away with its project.
  virtual void CreateDasRegistration(const DasRegistration& registration) = 0;
  virtual std::optional<DasRegistration> GetDasRegistration(const std::string& id) = 0;
  // Returns whether a registration was removed.
  virtual bool DeleteDasRegistration(const std::string& id) = 0;

  // Multipart uploads. CreateMultipartUpload throws kNotFound("bucket_not_found") for a missing bucket.
  virtual void CreateMultipartUpload(const MultipartUpload& upload) = 0;
  virtual std::optional<MultipartUpload> GetMultipartUpload(const std::string& id) = 0;
  // At most `limit` uploads of `bucket` whose key starts with `prefix`, ordered by (key, created_at, id),
  // after the position (`key_marker`, `upload_id_marker`): with an upload id marker, the uploads of
  // `key_marker` that follow that upload and then the later keys; without one, the keys after
  // `key_marker` (empty: from the first).
  virtual std::vector<MultipartUpload> ListMultipartUploads(const std::string& bucket,
                                                            const std::string& prefix,
                                                            const std::string& key_marker,
                                                            const std::string& upload_id_marker,
                                                            int64_t limit) = 0;
  // Inserts or replaces part (upload_id, part_number); returns the replaced part's blob path for the
  // caller to unlink after commit. kNotFound("upload_not_found") when the upload does not exist.
  virtual std::optional<std::string> PutUploadPart(const UploadPart& part) = 0;
  // At most `limit` parts numbered above `after_part_number`, in part number order.
  virtual std::vector<UploadPart> ListUploadParts(const std::string& upload_id, int64_t after_part_number,
                                                  int64_t limit) = 0;
  // Removes the upload and its parts; returns the parts' blob paths for the caller to unlink after commit,
  // or nullopt when the upload did not exist.
  virtual std::optional<std::vector<std::string>> DeleteMultipartUpload(const std::string& id) = 0;

  // Files. A file row goes away with its object (foreign key), so a file never names a missing object;
  // CreateFile throws kNotFound("object_not_found") when the object does not exist.
  virtual void CreateFile(const FileRecord& file) = 0;
  virtual std::optional<FileRecord> GetFile(const std::string& project_id, const std::string& id) = 0;
  // Newest first; only files carrying every tag of `tags`.
  virtual Page<FileRecord> ListFiles(const std::string& project_id, const std::vector<std::string>& tags,
                                     const PageRequest& page) = 0;
  virtual void DeleteFile(const std::string& project_id, const std::string& id) = 0;

  // Jobs (asynchronous imports and exports). UpdateJob replaces every mutable field (status, progress,
  // result, error, cancel_requested, started_at, finished_at) of an existing job.
  virtual void CreateJob(const Job& job) = 0;
  virtual void UpdateJob(const Job& job) = 0;
  virtual std::optional<Job> GetJob(const std::string& project_id, const std::string& id) = 0;
  // Newest first.
  virtual Page<Job> ListJobs(const std::string& project_id, const PageRequest& page) = 0;
  // Marks every queued or running job failed with `error` at `at` (a restart interrupted them); returns
  // how many.
  virtual int64_t FailUnfinishedJobs(const nlohmann::json& error, const std::string& at) = 0;

  // Operations log (audit trail of mutations), newest first when listed.
  virtual void AppendOperation(const Operation& operation) = 0;
  virtual Page<Operation> ListOperations(const std::string& project_id, const PageRequest& page) = 0;
};

// Opens (creating if needed) the SQLite catalog at `path` and applies pending schema migrations. The file
// lives in the data directory: blob paths are stored relative to the directory that holds it
// (storage/catalog/blob_paths.hpp).
std::unique_ptr<Catalog> OpenSqliteCatalog(const std::string& path);

}  // namespace duckstore
