// Projects and their API keys, one of the catalog's small interfaces (catalog.hpp aggregates them).
// Every method is safe to call from any thread. Failures throw duckstore::Error: kConflict for uniqueness
// violations, kInternal for the backend.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "duckstore/storage/catalog/entities.hpp"

namespace duckstore {

class ProjectCatalog {
 public:
  virtual ~ProjectCatalog() = default;

  // CreateProject throws kConflict("project_exists") for a taken id.
  virtual void CreateProject(const Project& project) = 0;
  virtual std::optional<Project> GetProject(const std::string& id) = 0;
  virtual Page<Project> ListProjects(const PageRequest& page) = 0;
  virtual void UpdateProject(const Project& project) = 0;
  // Removes the project and, by cascade, its keys, branches and every other row that belongs to it
  // (whichever interface serves that row: the operations log included).
  virtual void DeleteProject(const std::string& id) = 0;

  // API keys.
  virtual void CreateKey(const ApiKey& key) = 0;
  virtual std::optional<ApiKey> GetKey(const std::string& id) = 0;
  // Keys of a project that are not revoked, newest first.
  virtual std::vector<ApiKey> ListActiveKeys(const std::string& project_id) = 0;
  virtual void RevokeKey(const std::string& id, const std::string& at) = 0;
  virtual void TouchKey(const std::string& id, const std::string& at) = 0;
};

}  // namespace duckstore
