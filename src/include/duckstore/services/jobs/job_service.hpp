// Asynchronous jobs: long imports and exports run on a bounded pool of worker threads while the caller
// polls the job (status, progress, result or error) and may cancel it. docs/design/import.md.
//
// Contracts:
// - A job is persisted in the catalog when submitted and whenever its status changes, so its outcome
//   survives a restart; jobs that were queued or running when the process stopped are failed with code
//   "interrupted" at start-up (their imports rolled back with the process).
// - At most `workers` jobs run at once; at most `max_queued` wait, more are kUnavailable("too_many_jobs").
// - Cancel: a queued job is cancelled at once; a running job's statement is interrupted (TaskControl) and
//   the job ends "cancelled" once its work has rolled back; a finished job is kConflict("job_finished").
// - The job service does not authorise; transports do before submitting or reading a job.
// - Results are typed (job_result.hpp); each transport renders a job and its result in its own format.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "duckstore/services/jobs/job_result.hpp"
#include "duckstore/services/jobs/task_control.hpp"
#include "duckstore/services/model/table_model.hpp"
#include "duckstore/storage/catalog/catalog.hpp"

namespace duckstore {

// A job as the job service reports it: the catalog's record (status, request, progress, error, times) and
// the typed result. `job.result` is left null: the stored document is the job service's own business.
struct JobInfo {
  Job job;
  JobResult result;  // std::monostate until the job succeeded
};

class JobService {
 public:
  // The job's work: runs the operation with `control` and returns its result.
  using Work = std::function<JobResult(TaskControl& control)>;

  JobService(Catalog& catalog, size_t workers, size_t max_queued);
  ~JobService();
  JobService(const JobService&) = delete;
  JobService& operator=(const JobService&) = delete;

  // `request` is the caller's description of the job, stored and reported as it is.
  JobInfo Submit(const BranchRef& branch, const std::string& kind, const std::string& target,
                 nlohmann::json request, Work work);
  // kNotFound("job_not_found"). A running job's progress is read live.
  JobInfo Get(const std::string& project_id, const std::string& id);
  Page<JobInfo> List(const std::string& project_id, const PageRequest& page);
  JobInfo Cancel(const std::string& project_id, const std::string& id);

  // Cancels running jobs (they end failed "interrupted"), drops queued ones the same way and joins the
  // workers. Called at shutdown; idempotent.
  void Shutdown();

 private:
  struct Entry {
    Job job;
    Work work;
    TaskControl control;
  };

  void WorkerLoop();
  void Run(Entry& entry);
  static nlohmann::json ProgressJson(const TaskProgress& progress);
  // The record with its stored result decoded (and removed from the record).
  static JobInfo InfoOf(Job job);

  Catalog& catalog_;
  size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Entry>> queue_;
  std::map<std::string, std::shared_ptr<Entry>> active_;  // queued and running, by id
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace duckstore
