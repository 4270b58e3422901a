#include "duckstore/api/pgwire/access.hpp"

#include <algorithm>
#include <stdexcept>

namespace duckstore::pgwire {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
// clang 14 (clang-tidy) lacks C++20 aggregate deduction (P1816); g++ does not need the guide.
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// A message of the workspace login's session: statements (kWrite: a workspace user writes its workspace)
// or protocol bookkeeping on the session's own statements and portals (kRead).
EntryPoint Session(const char* name, Access access) {
  return EntryPoint{"pg", name, Credentials::kWorkspaceLogin, access, TargetFrom::kWorkspace};
}

const EntryPoint& Find(const char* operation) {
  const auto& entries = PgEntryPoints();
  auto it = std::find_if(entries.begin(), entries.end(),
                         [operation](const EntryPoint& e) { return e.operation == operation; });
  if (it == entries.end())
    throw std::logic_error(std::string("pg message ") + operation + " is not declared");
  return *it;
}

}  // namespace

const std::vector<EntryPoint>& PgEntryPoints() {
  static const std::vector<EntryPoint> entries = {
      EntryPoint{"pg", "SSLRequest", Credentials::kNone, Access::kRead, TargetFrom::kNone},
      EntryPoint{"pg", "GSSENCRequest", Credentials::kNone, Access::kRead, TargetFrom::kNone},
      // Routed to the session with that process id; a wrong secret is ignored.
      EntryPoint{"pg", "CancelRequest", Credentials::kCancelKey, Access::kRead, TargetFrom::kNone},
      Session("StartupMessage", Access::kWrite),
      Session("SASLResponse", Access::kWrite),
      Session("Query", Access::kWrite),
      Session("Parse", Access::kWrite),
      Session("Bind", Access::kWrite),
      Session("Execute", Access::kWrite),
      Session("CopyData", Access::kWrite),
      Session("CopyDone", Access::kWrite),
      Session("CopyFail", Access::kWrite),
      Session("Describe", Access::kRead),
      Session("Close", Access::kRead),
      Session("Sync", Access::kRead),
      Session("Flush", Access::kRead),
      Session("Terminate", Access::kRead),
      // The fast-path interface is refused (feature_not_supported): nothing to check.
      EntryPoint{"pg", "FunctionCall", Credentials::kWorkspaceLogin, Access::kRead, TargetFrom::kNone},
  };
  return entries;
}

const EntryPoint& PgEntryOf(const StartupPacket& packet) {
  return Find(std::visit(Overloaded{[](const StartupMessage&) { return "StartupMessage"; },
                                    [](const SslRequest&) { return "SSLRequest"; },
                                    [](const GssEncRequest&) { return "GSSENCRequest"; },
                                    [](const CancelRequest&) { return "CancelRequest"; }},
                         packet));
}

const EntryPoint& PgEntryOf(const Message& message) {
  return Find(std::visit(
      Overloaded{[](const Query&) { return "Query"; }, [](const Parse&) { return "Parse"; },
                 [](const Bind&) { return "Bind"; }, [](const Describe&) { return "Describe"; },
                 [](const Execute&) { return "Execute"; }, [](const Close&) { return "Close"; },
                 [](const Sync&) { return "Sync"; }, [](const Flush&) { return "Flush"; },
                 [](const Terminate&) { return "Terminate"; }, [](const CopyData&) { return "CopyData"; },
                 [](const CopyDone&) { return "CopyDone"; }, [](const CopyFail&) { return "CopyFail"; },
                 [](const FunctionCall&) { return "FunctionCall"; },
                 [](const AuthenticationData&) { return "SASLResponse"; }},
      message));
}

}  // namespace duckstore::pgwire
