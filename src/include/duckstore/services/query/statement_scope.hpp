// The scope check of ExecuteQuery (query.hpp) and of workspace SQL sessions, one parsed statement at a time.
//
// CheckWorkspaceStatement: the check for one parsed statement of a workspace SQL session
// (workspaces/sql_session.hpp). The scope is `main` of the connection's default database (the workspace's);
// tables and functions of pg_catalog and information_schema may also be read (what clients introspect);
// BEGIN, COMMIT and ROLLBACK pass; the tables and functions of `storage_schemas` (storage buckets the
// session was granted, workspaces/session_storage.hpp) may be read. Everything else follows the restricted
// ExecuteQuery's rules: one statement of an allowed kind, every name unqualified or in the scope. Throws
// kPermissionDenied("query_out_of_scope").
#pragma once

#include <set>
#include <string>
#include <vector>

#include "duckdb.hpp"
#include "duckdb/parser/expression/function_expression.hpp"
#include "duckdb/parser/tableref/basetableref.hpp"

namespace duckstore {

// What a statement does to the scope, as far as running it on a branch or a linked bucket needs to know.
enum class QueryKind {
  kRead,    // SELECT
  kWrite,   // INSERT, UPDATE, DELETE, ALTER: changes the existing table `target`
  kCreate,  // CREATE TABLE / VIEW `target`
  kDrop,    // DROP TABLE / VIEW `target`
  kMacro,   // CREATE / DROP MACRO: no table changes
};

struct QueryShape {
  QueryKind kind = QueryKind::kRead;
  std::string target;
  bool create_or_replace = false;  // CREATE OR REPLACE
  bool if_not_exists = false;      // CREATE ... IF NOT EXISTS
  bool if_exists = false;          // DROP ... IF EXISTS
  // Every table reference of the statement (FROM clauses, joins, subqueries, CTE bodies, DML targets other
  // than INSERT's), pointing into the parsed statement, which outlives this.
  std::vector<duckdb::BaseTableRef*> tables;
  // Every function call qualified with a schema (necessarily the scope's).
  std::vector<duckdb::FunctionExpression*> qualified_functions;
  // Lower-cased names of the common table expressions the statement defines (top-level and subqueries).
  std::set<std::string> ctes;
};

struct ScopeRules {
  std::string scope;                      // the schema (bucket) statements may name
  bool allow_table_functions = false;     // read_csv, range, ...: refused where the scope is confined
  std::vector<std::string> read_schemas;  // schemas whose tables and functions may also be read
  bool allow_transactions = false;        // BEGIN, COMMIT and ROLLBACK pass (a session's own control)
};

// Walks one parsed statement of an ExecuteQuery or a workspace session: rejects every table or function
// reference outside `rules` and every statement kind that is not allowed, and returns the statement's
// shape. Throws kPermissionDenied("query_out_of_scope").
QueryShape CheckStatementScope(duckdb::SQLStatement& statement, const ScopeRules& rules);

QueryShape CheckWorkspaceStatement(duckdb::SQLStatement& statement,
                                   const std::vector<std::string>& storage_schemas = {});

}  // namespace duckstore
