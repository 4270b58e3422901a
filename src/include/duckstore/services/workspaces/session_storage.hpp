// Reading storage from a workspace's SQL session (docs/design/pgwire.md, "Reading storage").
//
// A statement of a session may read the tables (and call the macros) of the storage buckets that the
// read-only role of the workspace's branch may read (SharingService::CanRoleRead: the project role's
// grants), named "bucket"."table" as in the driver's ExecuteQuery. It never writes them: a write target
// stays the workspace's own (the scope check). Such references are pointed at the project database before
// DuckDB binds the statement. Views and macros may not read storage: they would keep reading after the
// grant is revoked; a CREATE TABLE AS copies the rows as of now instead.
//
// The grant is checked when the statement is prepared and again at every run (a prepared or cached
// statement outlives a revoke). Not yet: workspaces of dev branches (a table's source changes when the
// branch writes it) and linked buckets (they live in another project's database); their statements get
// the scope error.
#pragma once

#include <string>
#include <vector>

#include "duckdb.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/services/metadata/sharing.hpp"

namespace duckstore {

class SessionStorage {
 public:
  SessionStorage(SharingService& sharing, BranchView& view) : sharing_(sharing), view_(view) {}

  // `statement` was refused by the workspace scope check with `refused`: checks it again allowing reads of
  // readable buckets, points those references at the project database and returns the buckets it reads
  // (sorted, canonical names). Throws `refused` when no readable bucket could make it pass, or the new
  // check's error when it still names something out of reach.
  std::vector<std::string> Admit(duckdb::SQLStatement& statement, const Error& refused);
  // kPermissionDenied("query_out_of_scope") unless every one of `buckets` is still readable.
  void Recheck(const std::vector<std::string>& buckets);

 private:
  // The buckets the session may read now: own (not linked) buckets of the default branch granted to its
  // read-only role. Empty on a dev branch.
  std::vector<std::string> Readable();

  SharingService& sharing_;
  BranchView& view_;
};

}  // namespace duckstore
