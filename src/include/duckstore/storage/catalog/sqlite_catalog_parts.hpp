// The SQLite implementation of each of the catalog's small interfaces, one class per interface, each
// defined in its own file (storage/catalog/sqlite_<kind>_catalog.cpp) over the one shared connection
// (sqlite_rows.hpp). SqliteCatalog (sqlite_catalog.cpp) derives from all of them and adds transactions;
// a class can also serve alone where only its kind is needed. The classes read each other's tables only
// for foreign-key checks that name the missing row, and the cascades the schema defines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "duckstore/storage/catalog/catalog.hpp"
#include "duckstore/storage/catalog/sqlite_rows.hpp"

namespace duckstore {

// The checksum columns (checksum_algorithm, checksum_type, checksum) that objects, upload parts and
// multipart uploads end with.
inline StoredChecksum ReadChecksum(RowReader& row) {
  std::string algorithm = row.Text();
  std::string type = row.Text();
  return StoredChecksum{std::move(algorithm), std::move(type), row.Text()};
}

class SqliteProjectCatalog : public virtual ProjectCatalog {
 public:
  explicit SqliteProjectCatalog(SqliteCatalogDb& db) : db_(db) {}
  void CreateProject(const Project& project) override;
  std::optional<Project> GetProject(const std::string& id) override;
  Page<Project> ListProjects(const PageRequest& page) override;
  void UpdateProject(const Project& project) override;
  void DeleteProject(const std::string& id) override;
  void CreateKey(const ApiKey& key) override;
  std::optional<ApiKey> GetKey(const std::string& id) override;
  std::vector<ApiKey> ListActiveKeys(const std::string& project_id) override;
  void RevokeKey(const std::string& id, const std::string& at) override;
  void TouchKey(const std::string& id, const std::string& at) override;

 private:
  SqliteCatalogDb& db_;
};

class SqliteBranchCatalog : public virtual BranchCatalog {
 public:
  explicit SqliteBranchCatalog(SqliteCatalogDb& db) : db_(db) {}
  void CreateBranch(const Branch& branch) override;
  std::optional<Branch> GetBranch(const std::string& project_id, const std::string& id) override;
  Page<Branch> ListBranches(const std::string& project_id, const PageRequest& page) override;
  void DeleteBranch(const std::string& project_id, const std::string& id) override;
  void SetReadOnlyGrant(const std::string& project_id, const std::string& branch_id,
                        const std::string& bucket, bool granted) override;
  bool HasReadOnlyGrant(const std::string& project_id, const std::string& branch_id,
                        const std::string& bucket) override;
  std::vector<std::string> ListReadOnlyGrants(const std::string& project_id,
                                              const std::string& branch_id) override;

 private:
  SqliteCatalogDb& db_;
};

class SqliteSharingCatalog : public virtual SharingCatalog {
 public:
  explicit SqliteSharingCatalog(SqliteCatalogDb& db) : db_(db) {}
  void CreateShare(const BucketShare& share) override;
  std::optional<BucketShare> GetShare(const std::string& project_id, const std::string& bucket) override;
  std::vector<BucketShare> ListShares(const std::string& project_id) override;
  void DeleteShare(const std::string& project_id, const std::string& bucket) override;
  void CreateLink(const BucketLink& link) override;
  std::vector<BucketLink> ListLinks(const std::string& project_id) override;
  std::vector<BucketLink> ListLinksFrom(const std::string& source_project_id,
                                        const std::string& source_bucket) override;
  void DeleteLink(const std::string& project_id, const std::string& bucket) override;

 private:
  SqliteCatalogDb& db_;
};

class SqliteObjectCatalog : public virtual ObjectCatalog {
 public:
  explicit SqliteObjectCatalog(SqliteCatalogDb& db) : db_(db) {}
  void CreateObjectBucket(const ObjectBucket& bucket) override;
  std::optional<ObjectBucket> GetObjectBucket(const std::string& name) override;
  std::vector<ObjectBucket> ListObjectBuckets(const std::optional<std::string>& project_id) override;
  std::vector<std::string> DeleteObjectBucket(const std::string& name) override;
  void SetObjectBucketCors(const std::string& name, const nlohmann::json& cors) override;
  std::vector<std::string> ListReferencedBlobs() override;
  std::vector<ObjectUsage> ObjectUsageByProject() override;
  std::vector<std::string> PutObject(const StoredObject& object) override;
  std::optional<StoredObject> GetObject(const std::string& bucket, const std::string& key) override;
  std::optional<StoredObject> DeleteObject(const std::string& bucket, const std::string& key) override;
  std::vector<StoredObject> ListObjects(const std::string& bucket, const std::string& prefix,
                                        const std::string& start_after, int64_t limit) override;

 private:
  SqliteCatalogDb& db_;
};

class SqliteMultipartCatalog : public virtual MultipartCatalog {
 public:
  explicit SqliteMultipartCatalog(SqliteCatalogDb& db) : db_(db) {}
  void CreateMultipartUpload(const MultipartUpload& upload) override;
  std::optional<MultipartUpload> GetMultipartUpload(const std::string& id) override;
  std::vector<MultipartUpload> ListMultipartUploads(const std::string& bucket, const std::string& prefix,
                                                    const std::string& key_marker,
                                                    const std::string& upload_id_marker,
                                                    int64_t limit) override;
  std::optional<std::string> PutUploadPart(const UploadPart& part) override;
  std::vector<UploadPart> ListUploadParts(const std::string& upload_id, int64_t after_part_number,
                                          int64_t limit) override;
  std::optional<std::vector<std::string>> DeleteMultipartUpload(const std::string& id) override;
  void RecordCompletedUpload(const CompletedUpload& completed) override;
  std::optional<CompletedUpload> GetCompletedUpload(const std::string& id) override;
  int64_t ForgetCompletedUploads(const std::string& before) override;

 private:
  SqliteCatalogDb& db_;
};

class SqliteFileCatalog : public virtual FileCatalog {
 public:
  explicit SqliteFileCatalog(SqliteCatalogDb& db) : db_(db) {}
  void CreateFile(const FileRecord& file) override;
  std::optional<FileRecord> GetFile(const std::string& project_id, const std::string& id) override;
  Page<FileRecord> ListFiles(const std::string& project_id, const std::vector<std::string>& tags,
                             const PageRequest& page) override;
  void DeleteFile(const std::string& project_id, const std::string& id) override;

 private:
  SqliteCatalogDb& db_;
};

class SqliteJobCatalog : public virtual JobCatalog {
 public:
  explicit SqliteJobCatalog(SqliteCatalogDb& db) : db_(db) {}
  void CreateJob(const Job& job) override;
  void UpdateJob(const Job& job) override;
  std::optional<Job> GetJob(const std::string& project_id, const std::string& id) override;
  Page<Job> ListJobs(const std::string& project_id, const PageRequest& page) override;
  int64_t FailUnfinishedJobs(const nlohmann::json& error, const std::string& at) override;

 private:
  SqliteCatalogDb& db_;
};

class SqliteOperationCatalog : public virtual OperationCatalog {
 public:
  explicit SqliteOperationCatalog(SqliteCatalogDb& db) : db_(db) {}
  void AppendOperation(const Operation& operation) override;
  Page<Operation> ListOperations(const std::string& project_id, const PageRequest& page) override;

 private:
  SqliteCatalogDb& db_;
};

class SqliteWorkspaceCatalog : public virtual WorkspaceCatalog {
 public:
  explicit SqliteWorkspaceCatalog(SqliteCatalogDb& db) : db_(db) {}
  void CreateWorkspace(const Workspace& workspace) override;
  std::optional<Workspace> GetWorkspace(const std::string& project_id, const std::string& id) override;
  std::vector<Workspace> ListWorkspaces(const std::string& project_id) override;
  void DeleteWorkspace(const std::string& project_id, const std::string& id) override;
  void CreateWorkspaceUser(const WorkspaceUser& user) override;
  std::optional<WorkspaceUser> GetWorkspaceUser(const std::string& name) override;
  std::vector<WorkspaceUser> ListWorkspaceUsers(const std::string& project_id,
                                                const std::string& workspace_id) override;
  void SetWorkspaceUserVerifier(const std::string& name, const std::string& verifier) override;
  void DeleteWorkspaceUser(const std::string& name) override;
  void PutWorkspaceGrant(const WorkspaceUser& grant) override;
  std::optional<WorkspaceUser> GetWorkspaceGrant(const std::string& key_id,
                                                 const std::string& workspace_id) override;
  std::vector<WorkspaceUser> ListWorkspaceGrants(const std::string& project_id,
                                                 const std::string& workspace_id) override;
  bool DeleteWorkspaceGrant(const std::string& project_id, const std::string& workspace_id,
                            const std::string& key_id) override;

 private:
  SqliteCatalogDb& db_;
};

class SqliteDasCatalog : public virtual DasCatalog {
 public:
  explicit SqliteDasCatalog(SqliteCatalogDb& db) : db_(db) {}
  void CreateDasRegistration(const DasRegistration& registration) override;
  std::optional<DasRegistration> GetDasRegistration(const std::string& id) override;
  bool DeleteDasRegistration(const std::string& id) override;

 private:
  SqliteCatalogDb& db_;
};

class SqliteSettingsCatalog : public virtual SettingsCatalog {
 public:
  explicit SqliteSettingsCatalog(SqliteCatalogDb& db) : db_(db) {}
  std::optional<std::string> GetSetting(const std::string& key) override;
  void PutSetting(const std::string& key, const std::string& value) override;

 private:
  SqliteCatalogDb& db_;
};

}  // namespace duckstore
