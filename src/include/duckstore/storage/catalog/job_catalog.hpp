// Jobs (asynchronous imports and exports), one of the catalog's small interfaces (catalog.hpp aggregates
// them). The JSON documents of a job are stored as they are. Every method is safe to call from any thread.
// Failures throw duckstore::Error (kInternal for the backend).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "duckstore/storage/catalog/entities.hpp"

namespace duckstore {

class JobCatalog {
 public:
  virtual ~JobCatalog() = default;

  virtual void CreateJob(const Job& job) = 0;
  // Replaces every mutable field (status, progress, result, error, cancel_requested, started_at,
  // finished_at) of an existing job.
  virtual void UpdateJob(const Job& job) = 0;
  virtual std::optional<Job> GetJob(const std::string& project_id, const std::string& id) = 0;
  // Newest first.
  virtual Page<Job> ListJobs(const std::string& project_id, const PageRequest& page) = 0;
  // Marks every queued or running job failed with `error` at `at` (a restart interrupted them); returns
  // how many.
  virtual int64_t FailUnfinishedJobs(const nlohmann::json& error, const std::string& at) = 0;
};

}  // namespace duckstore
