// The PostgreSQL door's session registry (services/workspaces/session_registry): registration and listing
// per workspace, cancel by secret, ending sessions (one, a workspace's, a user's) and the timer's
// statement_timeout and idle_in_transaction_session_timeout.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "duckstore/services/workspaces/session_registry.hpp"
#include "test_util.hpp"

namespace duckstore {
namespace {

using namespace std::chrono_literals;

class FakeSession : public RegisteredSession {
 public:
  SessionActivity& activity() override { return activity_; }
  void Interrupt() override { ++interrupts; }

  SessionActivity activity_;
  std::atomic<int> interrupts = 0;
};

struct FakeConnection {
  std::atomic<int> stopped = 0;
  std::atomic<int> closed = 0;
  SqlSessionRegistry::Connection For(int32_t secret) {
    return {secret, "10.0.0.1", [this] { ++stopped; }, [this] { ++closed; }};
  }
};

template <typename Predicate>
bool Eventually(Predicate predicate) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(SessionRegistry, ListsLoggedInSessionsOfTheWorkspaceWithTheirActivity) {
  SqlSessionRegistry registry(10ms);
  FakeConnection c1, c2, c3;
  FakeSession s1, s2;
  int32_t p1 = registry.Register(c1.For(1));
  int32_t p2 = registry.Register(c2.For(2));
  int32_t p3 = registry.Register(c3.For(3));  // not logged in: not listed
  EXPECT_NE(p1, p2);
  registry.Attach(p1, s1, {"p", "default", "ws1", "u1"});
  registry.Attach(p2, s2, {"p", "default", "ws2", "u2"});
  s1.activity_.Started(std::string(3000, 'x'));
  auto listed = registry.List("p", "ws1");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].pid, p1);
  EXPECT_EQ(listed[0].user, "u1");
  EXPECT_EQ(listed[0].client_address, "10.0.0.1");
  EXPECT_EQ(listed[0].state, "active");
  EXPECT_EQ(listed[0].query.size(), SessionActivity::kMaxQueryBytes);
  EXPECT_TRUE(listed[0].query_started_at.has_value());
  s1.activity_.Ready('T');
  EXPECT_EQ(registry.List("p", "ws1").at(0).state, "idle in transaction");
  s1.activity_.Ready('E');
  EXPECT_EQ(registry.List("p", "ws1").at(0).state, "idle in transaction (aborted)");
  s1.activity_.Ready('I');
  EXPECT_EQ(registry.List("p", "ws1").at(0).state, "idle");
  EXPECT_EQ(registry.List("p", "ws1").at(0).query.size(), SessionActivity::kMaxQueryBytes);  // the last one
  EXPECT_TRUE(registry.List("other", "ws1").empty());
  registry.Detach(p1);
  EXPECT_TRUE(registry.List("p", "ws1").empty());
  registry.Unregister(p1);
  registry.Unregister(p2);
  registry.Unregister(p3);
}

TEST(SessionRegistry, CancelNeedsTheSecret) {
  SqlSessionRegistry registry(10ms);
  FakeConnection c;
  FakeSession s;
  int32_t pid = registry.Register(c.For(42));
  registry.Attach(pid, s, {"p", "default", "ws", "u"});
  registry.Cancel(pid, 41);
  registry.Cancel(pid + 1, 42);
  EXPECT_EQ(s.interrupts, 0);
  registry.Cancel(pid, 42);
  EXPECT_EQ(s.interrupts, 1);
  EXPECT_FALSE(s.activity_.ended());  // a cancel does not end the session
  registry.Unregister(pid);
}

TEST(SessionRegistry, TerminateEndsOneSessionOfTheWorkspaceOnly) {
  SqlSessionRegistry registry(10ms);
  FakeConnection c;
  FakeSession s;
  int32_t pid = registry.Register(c.For(1));
  registry.Attach(pid, s, {"p", "default", "ws", "u"});
  EXPECT_EQ(testing::CaptureError([&] { registry.Terminate("p", "other", pid); }).code(),
            "session_not_found");
  EXPECT_EQ(testing::CaptureError([&] { registry.Terminate("p", "ws", pid + 7); }).code(),
            "session_not_found");
  EXPECT_FALSE(s.activity_.ended());
  registry.Terminate("p", "ws", pid);
  ASSERT_TRUE(s.activity_.ended());
  EXPECT_EQ(s.activity_.ended()->code(), "admin_shutdown");
  EXPECT_EQ(s.interrupts, 1);
  EXPECT_EQ(c.stopped, 1);
  registry.Unregister(pid);
}

TEST(SessionRegistry, TerminateWorkspaceAndUserWaitForTheConnectionsToGo) {
  SqlSessionRegistry registry(10ms);
  FakeConnection c1, c2, c3;
  FakeSession s1, s2, s3;
  int32_t p1 = registry.Register(c1.For(1));
  int32_t p2 = registry.Register(c2.For(2));
  int32_t p3 = registry.Register(c3.For(3));
  registry.Attach(p1, s1, {"p", "default", "ws", "u1"});
  registry.Attach(p2, s2, {"p", "default", "ws", "u2"});
  registry.Attach(p3, s3, {"p", "default", "ws2", "u3"});
  // The door's threads: each connection goes once it was told to stop reading.
  std::thread door([&] {
    Eventually([&] { return c1.stopped > 0 && c2.stopped > 0; });
    registry.Detach(p1);
    registry.Unregister(p1);
    registry.Detach(p2);
    registry.Unregister(p2);
  });
  EXPECT_EQ(registry.TerminateAll({"p", "ws", {}}, 5s), 2u);
  EXPECT_TRUE(registry.List("p", "ws").empty());  // gone before it returned
  door.join();
  EXPECT_FALSE(s3.activity_.ended());
  EXPECT_EQ(registry.TerminateAll({std::nullopt, std::nullopt, "u3"}, 10ms),
            1u);  // nobody unregisters: returns at the wait's end
  EXPECT_EQ(s3.activity_.ended()->code(), "admin_shutdown");
  EXPECT_EQ(c3.closed, 1);  // after the wait, the socket was closed (a write blocked on it fails)
  registry.Unregister(p3);
}

TEST(SessionRegistry, TerminateAllMatchesEveryFieldGiven) {
  SqlSessionRegistry registry(10ms);
  FakeConnection c1, c2, c3, c4;
  FakeSession s1, s2, s3, s4;
  int32_t p1 = registry.Register(c1.For(1));
  int32_t p2 = registry.Register(c2.For(2));
  int32_t p3 = registry.Register(c3.For(3));
  int32_t p4 = registry.Register(c4.For(4));
  registry.Attach(p1, s1, {"p", "default", "ws", "key"});
  registry.Attach(p2, s2, {"p", "default", "ws", "user"});
  registry.Attach(p3, s3, {"p", "default", "ws2", "key"});
  registry.Attach(p4, s4, {"q", "default", "ws", "key"});
  EXPECT_EQ(registry.TerminateAll({}, 10ms), 0u);  // an empty match ends nothing
  // One user in one workspace of one project: another workspace or project with the same names is spared.
  EXPECT_EQ(registry.TerminateAll({"p", "ws", "key"}, 10ms), 1u);
  EXPECT_TRUE(s1.activity_.ended());
  EXPECT_FALSE(s2.activity_.ended() || s3.activity_.ended() || s4.activity_.ended());
  // A whole project.
  EXPECT_EQ(registry.TerminateAll({"p", std::nullopt, std::nullopt}, 10ms),
            3u);  // s1 again: it has not gone yet
  EXPECT_TRUE(s2.activity_.ended() && s3.activity_.ended());
  EXPECT_FALSE(s4.activity_.ended());
  for (int32_t pid : {p1, p2, p3, p4}) {
    registry.Detach(pid);
    registry.Unregister(pid);
  }
}

TEST(SessionRegistry, StatementTimeoutInterruptsTheRunningStatementOnly) {
  SqlSessionRegistry registry(10ms);
  FakeConnection c;
  FakeSession s;
  int32_t pid = registry.Register(c.For(1));
  registry.Attach(pid, s, {"p", "default", "ws", "u"});
  s.activity_.SetTimeouts(50, 0);
  s.activity_.Started("SELECT slow()");
  ASSERT_TRUE(Eventually([&] { return s.interrupts > 0; }));
  EXPECT_TRUE(s.activity_.timed_out());
  EXPECT_FALSE(s.activity_.ended());  // the session goes on
  s.activity_.Ready('I');
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(s.interrupts, 1);  // idle: nothing to interrupt
  s.activity_.Started("SELECT 1");
  EXPECT_FALSE(s.activity_.timed_out());
  s.activity_.Ready('I');
  registry.Unregister(pid);
}

TEST(SessionRegistry, IdleInTransactionTimeoutEndsTheSession) {
  SqlSessionRegistry registry(10ms);
  FakeConnection c;
  FakeSession s;
  int32_t pid = registry.Register(c.For(1));
  registry.Attach(pid, s, {"p", "default", "ws", "u"});
  s.activity_.SetTimeouts(0, 50);
  s.activity_.Ready('I');
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(s.activity_.ended());  // idle outside a transaction is fine
  s.activity_.Ready('T');
  ASSERT_TRUE(Eventually([&] { return s.activity_.ended().has_value(); }));
  EXPECT_EQ(s.activity_.ended()->code(), "idle_in_transaction_session_timeout");
  EXPECT_EQ(c.stopped, 1);
  registry.Unregister(pid);
}

}  // namespace
}  // namespace duckstore
