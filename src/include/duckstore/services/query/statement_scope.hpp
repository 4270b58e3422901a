// The scope check of query.hpp for one parsed statement of a workspace SQL session
// (workspaces/sql_session.hpp). The scope is `main` of the connection's default database (the workspace's);
// tables and functions of pg_catalog and information_schema may also be read (what clients introspect);
// BEGIN, COMMIT and ROLLBACK pass. Everything else follows the restricted ExecuteQuery's rules: one
// statement of an allowed kind, every name unqualified or in the scope. Throws
// kPermissionDenied("query_out_of_scope").
#pragma once

#include "duckdb.hpp"

namespace duckstore {

void CheckWorkspaceStatement(duckdb::SQLStatement& statement);

}  // namespace duckstore
