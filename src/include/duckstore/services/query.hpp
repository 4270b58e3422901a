// Ad-hoc SQL of a project scoped to one bucket (the Keboola driver's ExecuteQuery), on any branch.
//
// The scope is enforced before anything runs: the text must be one statement of an allowed kind (SELECT,
// INSERT, UPDATE, DELETE, CREATE/DROP/ALTER of tables and views), and every table it names, at any depth
// (joins, subqueries, CTEs, DML targets), must be unqualified or qualified with the scope's schema.
// Unqualified names resolve in the scope (search_path). Files are out of reach anyway: project databases
// run without external access. Violations throw kPermissionDenied ("query_out_of_scope"); SQL errors and
// timeouts of an allowed statement are results, not exceptions (the contract reports them in-band).
//
// On a dev branch the statement follows the branch's copy-on-write rules (branch_view.hpp): it reads
// tables the branch has not written from the default branch, copies the table it writes into the branch
// first, and never changes the default branch. A linked bucket is queryable read-only: SELECT only
// (anything else is kPermissionDenied "bucket_read_only"), run against the source project's data, bound
// to the shared bucket's tables (no table functions; nothing else of the source project is reachable).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "duckstore/services/buckets.hpp"

namespace duckstore {

struct QueryResult {
  bool ok = true;
  std::string message;  // the error for failures; a summary for successes
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;  // DuckDB's text form; nullopt = NULL
  bool truncated = false;                                     // more than kQueryMaxRows rows
};

inline constexpr size_t kQueryMaxRows = 100'000;

class QueryService {
 public:
  QueryService(BranchResolver& branches, OperationLog& ops) : branches_(branches), ops_(ops) {}

  // Runs `sql` in bucket `scope` of `branch`; interrupted after `timeout`.
  QueryResult Execute(const BranchRef& branch, const std::string& scope, const std::string& sql,
                      std::chrono::seconds timeout);

 private:
  BranchResolver& branches_;
  OperationLog& ops_;
};

// Throws kPermissionDenied("query_out_of_scope") unless `sql` stays within schema `scope` (see above);
// kInvalidArgument("invalid_query") when it does not parse. Exposed for unit tests.
void CheckQueryScope(const std::string& sql, const std::string& scope);

}  // namespace duckstore
