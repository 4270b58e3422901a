// The catalog: server-wide metadata (projects, API keys, branches, settings, the operations log).
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

  // Operations log (audit trail of mutations), newest first when listed.
  virtual void AppendOperation(const Operation& operation) = 0;
  virtual Page<Operation> ListOperations(const std::string& project_id, const PageRequest& page) = 0;
};

// Opens (creating if needed) the SQLite catalog at `path` and applies pending schema migrations.
std::unique_ptr<Catalog> OpenSqliteCatalog(const std::string& path);

}  // namespace duckstore
