#include "duckstore/services/jobs/job_service.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/log.hpp"
#include "duckstore/common/metrics/registry.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore {
namespace {

nlohmann::json ErrorJson(const std::string& code, const std::string& message,
                         nlohmann::json details = nullptr) {
  return {{"code", code}, {"message", message}, {"details", details}};
}

const nlohmann::json kInterrupted = ErrorJson(
    "interrupted", "the server stopped while the job was queued or running; its changes were rolled back");

// Job metrics: jobs waiting and running now, and finished jobs by kind and final status (both bounded: the
// services' job kinds and the job statuses).
struct JobMetrics {
  metrics::GaugeFamily& jobs = metrics::Registry::Default().Gauge(
      "duckstore_jobs", "Asynchronous jobs now, by state: queued (waiting for a worker) or running.",
      {"state"});
  metrics::CounterFamily& finished = metrics::Registry::Default().Counter(
      "duckstore_jobs_finished_total", "Jobs finished, by kind and final status.", {"kind", "status"});
};

JobMetrics& Metrics() {
  static JobMetrics families;
  return families;
}

// Called under the job service's lock after every change of its queue or active jobs (queued + running).
void PublishDepth(size_t queued, size_t active) {
  Metrics().jobs.With({"queued"}).Set(static_cast<double>(queued));
  Metrics().jobs.With({"running"}).Set(static_cast<double>(active - queued));
}

void CountFinished(const Job& job) {
  Metrics().finished.With({job.kind, job.status}).Add();
}

}  // namespace

JobService::JobService(Catalog& catalog, size_t workers, size_t max_queued)
    : catalog_(catalog), max_queued_(max_queued) {
  int64_t interrupted = catalog_.FailUnfinishedJobs(kInterrupted, NowTimestamp());
  if (interrupted > 0) spdlog::warn("{} job(s) interrupted by the last shutdown marked failed", interrupted);
  for (size_t i = 0; i < std::max<size_t>(workers, 1); ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

JobService::~JobService() {
  Shutdown();
}

void JobService::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    for (auto& [id, entry] : active_) entry->control.Cancel();
  }
  wake_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
  std::lock_guard lock(mutex_);
  for (auto& entry : queue_) {
    entry->job.status = "failed";
    entry->job.error = kInterrupted;
    entry->job.finished_at = NowTimestamp();
    catalog_.UpdateJob(entry->job);
    active_.erase(entry->job.id);
    CountFinished(entry->job);
  }
  queue_.clear();
  PublishDepth(queue_.size(), active_.size());
}

JobInfo JobService::InfoOf(Job job) {
  JobInfo info;
  info.result = DecodeJobResult(job.result);
  job.result = nullptr;
  info.job = std::move(job);
  return info;
}

JobInfo JobService::Submit(const BranchRef& branch, const std::string& kind, const std::string& target,
                           nlohmann::json request, Work work) {
  auto entry = std::make_shared<Entry>();
  entry->job.id = RandomHex(12);
  entry->job.project_id = branch.project_id;
  entry->job.branch_id = branch.branch_id;
  entry->job.kind = kind;
  entry->job.target = target;
  entry->job.status = "queued";
  entry->job.request = std::move(request);
  entry->job.created_at = NowTimestamp();
  entry->work = std::move(work);
  // The job as queued, copied while the lock keeps workers out: once it is released, a worker may update
  // entry->job.
  Job queued;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw Error(ErrorKind::kUnavailable, "shutting_down", "the server is shutting down");
    if (queue_.size() >= max_queued_) {
      throw Error(ErrorKind::kUnavailable, "too_many_jobs",
                  "too many jobs are waiting (" + std::to_string(max_queued_) + "); retry later");
    }
    catalog_.CreateJob(entry->job);
    queued = entry->job;
    queue_.push_back(entry);
    active_[entry->job.id] = entry;
    PublishDepth(queue_.size(), active_.size());
  }
  wake_.notify_one();
  return InfoOf(queued);
}

nlohmann::json JobService::ProgressJson(const TaskProgress& p) {
  return {{"phase", p.phase},
          {"rows_processed", p.rows_processed},
          {"rows_total", p.rows_total},
          {"bytes_total", p.bytes_total},
          {"bytes_processed", p.bytes_processed},
          {"percentage", p.percentage}};
}

JobInfo JobService::Get(const std::string& project_id, const std::string& id) {
  {
    std::lock_guard lock(mutex_);
    auto it = active_.find(id);
    if (it != active_.end() && it->second->job.project_id == project_id) {
      Job job = it->second->job;
      if (job.status == "running") job.progress = ProgressJson(it->second->control.Progress());
      return InfoOf(std::move(job));
    }
  }
  auto job = catalog_.GetJob(project_id, id);
  if (!job) throw NotFound("job_not_found", "job '" + id + "' does not exist");
  return InfoOf(std::move(*job));
}

Page<JobInfo> JobService::List(const std::string& project_id, const PageRequest& page) {
  auto jobs = catalog_.ListJobs(project_id, page);
  Page<JobInfo> out;
  out.total = jobs.total;
  std::lock_guard lock(mutex_);
  for (auto& job : jobs.items) {
    auto it = active_.find(job.id);
    if (it != active_.end()) {
      job = it->second->job;
      if (job.status == "running") job.progress = ProgressJson(it->second->control.Progress());
    }
    out.items.push_back(InfoOf(std::move(job)));
  }
  return out;
}

JobInfo JobService::Cancel(const std::string& project_id, const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = active_.find(id);
  if (it == active_.end() || it->second->job.project_id != project_id) {
    auto job = catalog_.GetJob(project_id, id);
    if (!job) throw NotFound("job_not_found", "job '" + id + "' does not exist");
    throw Conflict("job_finished", "job '" + id + "' already finished (" + job->status + ")",
                   {{"status", job->status}});
  }
  auto& entry = *it->second;
  entry.job.cancel_requested = true;
  entry.control.Cancel();
  if (entry.job.status == "queued") {
    std::erase_if(queue_, [&](const std::shared_ptr<Entry>& queued) { return queued->job.id == id; });
    entry.job.status = "cancelled";
    entry.job.error = ErrorJson("cancelled", "the job was cancelled before it started");
    entry.job.finished_at = NowTimestamp();
    catalog_.UpdateJob(entry.job);
    Job job = entry.job;
    active_.erase(it);
    CountFinished(job);
    PublishDepth(queue_.size(), active_.size());
    return InfoOf(std::move(job));
  }
  catalog_.UpdateJob(entry.job);
  return InfoOf(entry.job);
}

void JobService::WorkerLoop() {
  while (true) {
    std::shared_ptr<Entry> entry;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      entry = queue_.front();
      queue_.pop_front();
      PublishDepth(queue_.size(), active_.size());
      entry->job.status = "running";
      entry->job.started_at = NowTimestamp();
      catalog_.UpdateJob(entry->job);
    }
    Run(*entry);
  }
}

void JobService::Run(Entry& entry) {
  JobResult result;
  nlohmann::json error;
  std::string status = "succeeded";
  try {
    result = entry.work(entry.control);
  } catch (const Error& e) {
    error = ErrorJson(e.code(), e.what(), e.details());
    status = e.kind() == ErrorKind::kCancelled ? "cancelled" : "failed";
  } catch (const std::exception& e) {
    error = ErrorJson("internal", e.what());
    status = "failed";
  }
  std::lock_guard lock(mutex_);
  auto progress = entry.control.Progress();
  entry.job.progress = ProgressJson(progress);
  entry.job.status = status;
  if (status == "cancelled" && !entry.job.cancel_requested) {
    // Interrupted by Shutdown(), not by a user.
    entry.job.status = "failed";
    error = kInterrupted;
  }
  entry.job.result = EncodeJobResult(result);
  entry.job.error = std::move(error);
  entry.job.finished_at = NowTimestamp();
  try {
    catalog_.UpdateJob(entry.job);
  } catch (const std::exception& e) {
    spdlog::error("cannot record the outcome of job {}: {}", entry.job.id, e.what());
  }
  CountFinished(entry.job);
  active_.erase(entry.job.id);
  PublishDepth(queue_.size(), active_.size());
}

}  // namespace duckstore
