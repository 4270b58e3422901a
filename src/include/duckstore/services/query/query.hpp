// Ad-hoc SQL of a project scoped to one bucket (the Keboola driver's ExecuteQuery), on any branch.
//
// The scope is enforced before anything runs: each statement must be of an allowed kind (SELECT, INSERT,
// UPDATE, DELETE, CREATE/DROP/ALTER of tables and views, CREATE/DROP of macros), and every table or macro it
// names, at any depth (joins, subqueries, CTEs, DML targets, macro bodies), must be unqualified or qualified
// with the scope's schema (search_path = the scope); files are out of reach (no external access). Violations
// throw kPermissionDenied("query_out_of_scope"); what DuckDB says about the text (parse, bind, execution) and
// timeouts are results (ok = false, in-band in the contract). Several statements are a script: all checked
// first, run in order in one transaction, the last one's rows answered; not on dev branches (query.cpp).
//
// On a dev branch the statement follows the branch's copy-on-write rules (branch_view.hpp): it reads
// tables the branch has not written from the default branch, copies the table it writes into the branch
// first, and never changes the default branch. A linked bucket is queryable read-only: SELECT only
// (anything else is kPermissionDenied "bucket_read_only"), run against the source project's data, bound
// to the shared bucket's tables (no table functions; nothing else of the source project is reachable).
// Macro DDL is refused on dev branches (kInvalidArgument "dev_branch_unsupported"): a branch overlays
// tables, not macros.
//
// Under a read-only role (the driver's snowflakeRole restriction) the statement runs with that role's
// privileges only (sharing.hpp): the role must be the read-only role of the branch
// (kPermissionDenied "unknown_read_only_role"), the bucket must be granted to it (kPermissionDenied
// "bucket_not_granted"), and the statement must be a SELECT (kPermissionDenied "query_not_read_only").
// It is then bound to the bucket's tables as on a linked bucket: no table functions, no unqualified name
// outside the bucket (DuckDB's system views would describe buckets the role may not read), no "Did you
// mean" hints naming other buckets' tables.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "duckstore/services/metadata/buckets.hpp"
#include "duckstore/services/metadata/sharing.hpp"

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
  QueryService(BranchResolver& branches, SharingService& sharing, OperationLog& ops)
      : branches_(branches), sharing_(sharing), ops_(ops) {}

  // Runs `sql` in bucket `scope` of `branch`, under `read_only_role` when given; interrupted after
  // `timeout`.
  QueryResult Execute(const BranchRef& branch, const std::string& scope, const std::string& sql,
                      std::chrono::seconds timeout, const std::optional<std::string>& read_only_role = {});

 private:
  BranchResolver& branches_;
  SharingService& sharing_;
  OperationLog& ops_;
};

// Throws kPermissionDenied("query_out_of_scope") unless every statement of `sql` stays within schema `scope`;
// kInvalidArgument("invalid_query") when it does not parse or holds no statement. Exposed for unit tests.
void CheckQueryScope(const std::string& sql, const std::string& scope);

}  // namespace duckstore
