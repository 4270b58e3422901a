#include "duckstore/services/workspaces/session_registry.hpp"

#include <algorithm>

#include "duckstore/common/timestamp.hpp"
#include "duckstore/storage/engine/periodic_task.hpp"

namespace duckstore {
namespace {

// At most `limit` bytes of `text`, never cutting a UTF-8 sequence.
std::string Truncated(const std::string& text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

Error IdleInTransactionTimeout() {
  return Error(ErrorKind::kTimeout, "idle_in_transaction_session_timeout",
               "terminating connection due to idle-in-transaction timeout");
}

}  // namespace

// --- SessionActivity ---

SessionActivity::SessionActivity() {
  now_.state = "idle";
  now_.state_changed = Clock::now();
}

void SessionActivity::Started(const std::string& text) {
  std::lock_guard lock(mutex_);
  now_.state = "active";
  now_.query = Truncated(text, kMaxQueryBytes);
  now_.query_started = Clock::now();
  now_.state_changed = *now_.query_started;
  ++now_.statement;
  timed_out_ = false;
}

void SessionActivity::Ready(char transaction_status) {
  std::lock_guard lock(mutex_);
  const char* state = transaction_status == 'T'   ? "idle in transaction"
                      : transaction_status == 'E' ? "idle in transaction (aborted)"
                                                  : "idle";
  if (now_.state != state) {
    now_.state = state;
    now_.state_changed = Clock::now();
  }
}

void SessionActivity::SetTimeouts(int64_t statement_ms, int64_t idle_in_transaction_ms) {
  std::lock_guard lock(mutex_);
  statement_timeout_ms_ = std::max<int64_t>(statement_ms, 0);
  idle_timeout_ms_ = std::max<int64_t>(idle_in_transaction_ms, 0);
}

std::pair<int64_t, int64_t> SessionActivity::Timeouts() const {
  std::lock_guard lock(mutex_);
  return {statement_timeout_ms_, idle_timeout_ms_};
}

SessionActivity::Snapshot SessionActivity::Get() const {
  std::lock_guard lock(mutex_);
  return now_;
}

bool SessionActivity::End(const Error& reason) {
  std::lock_guard lock(mutex_);
  if (ended_) return false;
  ended_ = reason;
  return true;
}

std::optional<Error> SessionActivity::ended() const {
  std::lock_guard lock(mutex_);
  return ended_;
}

bool SessionActivity::MarkTimedOut(uint64_t statement) {
  std::lock_guard lock(mutex_);
  if (timed_out_ || now_.state != "active" || now_.statement != statement) return false;
  timed_out_ = true;
  return true;
}

bool SessionActivity::timed_out() const {
  std::lock_guard lock(mutex_);
  return timed_out_;
}

// --- SqlSessionRegistry ---

SqlSessionRegistry::SqlSessionRegistry(std::chrono::milliseconds tick)
    : timer_(std::make_unique<PeriodicTask>("sql_session_timeouts", tick, [this] { Tick(); })) {}

SqlSessionRegistry::~SqlSessionRegistry() {
  timer_.reset();  // no tick runs once the entries go
}

Error SqlSessionRegistry::AdminShutdown() {
  return Error(ErrorKind::kUnavailable, "admin_shutdown",
               "terminating connection due to administrator command");
}

int32_t SqlSessionRegistry::Register(Connection connection) {
  auto entry = std::make_shared<Entry>();
  entry->connection = std::move(connection);
  entry->started = std::chrono::system_clock::now();
  std::lock_guard lock(mutex_);
  int32_t pid = next_pid_++;
  entries_[pid] = std::move(entry);
  return pid;
}

void SqlSessionRegistry::Unregister(int32_t pid) {
  std::lock_guard lock(mutex_);
  entries_.erase(pid);
  gone_.notify_all();
}

void SqlSessionRegistry::Attach(int32_t pid, RegisteredSession& session, Owner owner) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(pid);
  if (it == entries_.end()) return;
  it->second->session = &session;
  it->second->owner = std::move(owner);
}

void SqlSessionRegistry::Detach(int32_t pid) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(pid);
  if (it != entries_.end()) it->second->session = nullptr;
}

void SqlSessionRegistry::Cancel(int32_t pid, int32_t secret) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(pid);
  // A wrong secret is ignored silently, as PostgreSQL does: the requester learns nothing.
  if (it == entries_.end() || it->second->connection.secret != secret || !it->second->session) return;
  it->second->session->Interrupt();
}

std::vector<SqlSessionInfo> SqlSessionRegistry::List(const std::string& project_id,
                                                     const std::string& workspace_id) const {
  std::vector<SqlSessionInfo> out;
  std::lock_guard lock(mutex_);
  for (const auto& [pid, entry] : entries_) {
    if (!entry->session || entry->owner.project_id != project_id || entry->owner.workspace_id != workspace_id)
      continue;
    auto now = entry->session->activity().Get();
    SqlSessionInfo info;
    info.pid = pid;
    info.project_id = entry->owner.project_id;
    info.branch_id = entry->owner.branch_id;
    info.workspace_id = entry->owner.workspace_id;
    info.user = entry->owner.user;
    info.client_address = entry->connection.client_address;
    info.started_at = IsoTimestamp(entry->started);
    info.state = now.state;
    info.query = now.query;
    if (now.query_started) info.query_started_at = IsoTimestamp(*now.query_started);
    out.push_back(std::move(info));
  }
  return out;
}

void SqlSessionRegistry::EndLocked(Entry& entry, const Error& reason) {
  if (!entry.session) return;
  entry.session->activity().End(reason);
  entry.session->Interrupt();
  if (entry.connection.stop_reading) entry.connection.stop_reading();
}

void SqlSessionRegistry::Terminate(const std::string& project_id, const std::string& workspace_id,
                                   int32_t pid) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(pid);
  if (it == entries_.end() || !it->second->session || it->second->owner.project_id != project_id ||
      it->second->owner.workspace_id != workspace_id) {
    throw NotFound("session_not_found",
                   "workspace '" + workspace_id + "' has no session " + std::to_string(pid));
  }
  EndLocked(*it->second, AdminShutdown());
}

size_t SqlSessionRegistry::TerminateWhere(const std::function<bool(const Entry&)>& match,
                                          std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  std::vector<int32_t> ended;
  for (auto& [pid, entry] : entries_) {
    if (!entry->session || !match(*entry)) continue;
    EndLocked(*entry, AdminShutdown());
    ended.push_back(pid);
  }
  auto all_gone = [&] {
    return std::none_of(ended.begin(), ended.end(), [&](int32_t pid) { return entries_.contains(pid); });
  };
  if (!gone_.wait_for(lock, wait, all_gone)) {
    // A session blocked writing to a client that does not read: closing the socket fails that write.
    for (int32_t pid : ended) {
      auto it = entries_.find(pid);
      if (it != entries_.end() && it->second->connection.close) it->second->connection.close();
    }
    gone_.wait_for(lock, wait, all_gone);
  }
  return ended.size();
}

size_t SqlSessionRegistry::TerminateAll(const OwnerMatch& match, std::chrono::milliseconds wait) {
  if (!match.project_id && !match.workspace_id && !match.user) return 0;
  auto differs = [](const std::optional<std::string>& wanted, const std::string& value) {
    return wanted && *wanted != value;
  };
  return TerminateWhere(
      [&](const Entry& entry) {
        return !differs(match.project_id, entry.owner.project_id) &&
               !differs(match.workspace_id, entry.owner.workspace_id) &&
               !differs(match.user, entry.owner.user);
      },
      wait);
}

void SqlSessionRegistry::StopReadingAll() {
  std::lock_guard lock(mutex_);
  for (auto& [pid, entry] : entries_) {
    if (entry->connection.stop_reading) entry->connection.stop_reading();
  }
}

void SqlSessionRegistry::InterruptAndCloseAll() {
  std::lock_guard lock(mutex_);
  for (auto& [pid, entry] : entries_) {
    if (entry->session) entry->session->Interrupt();
    if (entry->connection.close) entry->connection.close();
  }
}

void SqlSessionRegistry::Tick() {
  auto now = SessionActivity::Clock::now();
  std::lock_guard lock(mutex_);
  for (auto& [pid, entry] : entries_) {
    if (!entry->session) continue;
    auto& activity = entry->session->activity();
    if (activity.ended()) continue;
    auto [statement_ms, idle_ms] = activity.Timeouts();
    if (statement_ms == 0 && idle_ms == 0) continue;
    auto snapshot = activity.Get();
    if (snapshot.state == "active" && statement_ms > 0 && snapshot.query_started &&
        now - *snapshot.query_started >= std::chrono::milliseconds(statement_ms)) {
      if (activity.MarkTimedOut(snapshot.statement)) entry->session->Interrupt();
    } else if (snapshot.state.starts_with("idle in transaction") && idle_ms > 0 &&
               now - snapshot.state_changed >= std::chrono::milliseconds(idle_ms)) {
      EndLocked(*entry, IdleInTransactionTimeout());
    }
  }
}

}  // namespace duckstore
