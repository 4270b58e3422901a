// The live SQL sessions of the PostgreSQL door, one registry for the process (docs/design/pgwire.md).
//
// Every connection registers when it is accepted (its process id and cancel secret are its BackendKeyData)
// and is listed once logged in, with its project, workspace, user, client address, start time, state
// (idle / active / idle in transaction / idle in transaction (aborted)), its current or last statement
// (at most 1 KiB) and that statement's start time. The door gives the registry two actions on the
// connection (stop reading, close); the session's own thread updates its SessionActivity.
//
// Ending a session (Terminate*): its end reason is recorded (admin_shutdown, 57P01), the running
// statement is interrupted and the connection stops reading, so the door answers FATAL with that reason and
// closes. A timer thread (one for the registry) enforces each session's statement_timeout (the statement is
// interrupted and fails with query_canceled "canceling statement due to statement timeout") and
// idle_in_transaction_session_timeout (the session ends with idle_in_transaction_session_timeout, 25P03).
//
// Thread safety: every member may be called from any thread. A session passed to Attach must stay alive
// until Detach for its pid returns.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "duckstore/common/error.hpp"

namespace duckstore {

class PeriodicTask;

// What one session is doing: written by the session's thread, read and ended by the registry.
class SessionActivity {
 public:
  static constexpr size_t kMaxQueryBytes = 1024;

  using Clock = std::chrono::system_clock;
  struct Snapshot {
    std::string state;  // "idle", "active", "idle in transaction", "idle in transaction (aborted)"
    std::string query;  // the current or last statement, truncated to kMaxQueryBytes
    std::optional<Clock::time_point> query_started;
    Clock::time_point state_changed;
    uint64_t statement = 0;  // sequence number of the current or last statement
  };

  SessionActivity();
  // A statement starts (the session becomes active); clears a previous statement's timeout mark.
  void Started(const std::string& text);
  // The session waits for the client again; `transaction_status` is ReadyForQuery's I, T or E.
  void Ready(char transaction_status);
  // The session's timeouts in milliseconds (0 = none).
  void SetTimeouts(int64_t statement_ms, int64_t idle_in_transaction_ms);
  std::pair<int64_t, int64_t> Timeouts() const;
  Snapshot Get() const;

  // Records why the session ends (the first reason wins); true when this call recorded it.
  bool End(const Error& reason);
  std::optional<Error> ended() const;
  // Marks statement `statement` as timed out when it is still the one running; true when marked.
  bool MarkTimedOut(uint64_t statement);
  bool timed_out() const;

 private:
  mutable std::mutex mutex_;
  Snapshot now_;
  int64_t statement_timeout_ms_ = 0;
  int64_t idle_timeout_ms_ = 0;
  std::optional<Error> ended_;
  bool timed_out_ = false;
};

// A logged-in session as the registry sees it: its activity, and how to interrupt its running statement.
class RegisteredSession {
 public:
  virtual ~RegisteredSession() = default;
  virtual SessionActivity& activity() = 0;
  virtual void Interrupt() = 0;
};

struct SqlSessionInfo {
  int32_t pid = 0;
  std::string project_id;
  std::string branch_id;
  std::string workspace_id;
  std::string user;
  std::string client_address;
  std::string started_at;  // ISO 8601 UTC
  std::string state;
  std::string query;
  std::optional<std::string> query_started_at;
};

class SqlSessionRegistry {
 public:
  // What the door gives for one connection.
  struct Connection {
    int32_t secret = 0;  // the CancelRequest secret
    std::string client_address;
    std::function<void()> stop_reading;  // an idle session then ends at once
    std::function<void()> close;         // both directions
  };
  struct Owner {
    std::string project_id;
    std::string branch_id;
    std::string workspace_id;
    std::string user;
  };

  // `tick` is the timer's period (how late a timeout may fire at most).
  explicit SqlSessionRegistry(std::chrono::milliseconds tick = std::chrono::milliseconds(100));
  ~SqlSessionRegistry();
  SqlSessionRegistry(const SqlSessionRegistry&) = delete;
  SqlSessionRegistry& operator=(const SqlSessionRegistry&) = delete;

  // A new connection: its process id.
  int32_t Register(Connection connection);
  // The connection is gone (its session destroyed): wakes those waiting for it to end.
  void Unregister(int32_t pid);
  // The connection's logged-in session, listed from now on.
  void Attach(int32_t pid, RegisteredSession& session, Owner owner);
  // The session is about to be destroyed.
  void Detach(int32_t pid);
  // CancelRequest: interrupts the running statement when `secret` matches; nothing otherwise.
  void Cancel(int32_t pid, int32_t secret);

  // The sessions of a workspace, by pid.
  std::vector<SqlSessionInfo> List(const std::string& project_id, const std::string& workspace_id) const;
  // Ends session `pid` of the workspace; kNotFound("session_not_found") when there is none.
  void Terminate(const std::string& project_id, const std::string& workspace_id, int32_t pid);
  // Which sessions TerminateAll ends: those whose owner has every field that is set here (a project, a
  // workspace of it, a user; a project's workspace ids are its own, so workspace_id goes with project_id).
  struct OwnerMatch {
    std::optional<std::string> project_id;
    std::optional<std::string> workspace_id;
    std::optional<std::string> user;
  };
  // Ends every matching session and waits up to `wait` for them to be gone; those still there then (a
  // thread blocked writing to a client that does not read) have their socket closed and get another
  // `wait`. The number of sessions ended. A match with no field set ends none.
  size_t TerminateAll(const OwnerMatch& match, std::chrono::milliseconds wait = std::chrono::seconds(10));

  // The door's stop: every connection stops reading; then, at its deadline, statements are interrupted and
  // connections closed.
  void StopReadingAll();
  void InterruptAndCloseAll();

  // The error a session ended by an administrator gets (admin_shutdown, 57P01).
  static Error AdminShutdown();

 private:
  struct Entry {
    Connection connection;
    RegisteredSession* session = nullptr;
    Owner owner;
    std::chrono::system_clock::time_point started;
  };
  // Ends the sessions matching `match`, then waits for their connections to be gone.
  size_t TerminateWhere(const std::function<bool(const Entry&)>& match, std::chrono::milliseconds wait);
  void EndLocked(Entry& entry, const Error& reason);
  void Tick();

  mutable std::mutex mutex_;
  std::condition_variable gone_;
  int32_t next_pid_ = 1000;
  std::map<int32_t, std::shared_ptr<Entry>> entries_;
  std::unique_ptr<PeriodicTask> timer_;  // last: stopped first
};

}  // namespace duckstore
