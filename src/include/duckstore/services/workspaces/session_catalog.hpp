// What a workspace SQL session (sql_session.hpp) sees of the server and its catalog.
//
// DuckDB's pg_catalog and information_schema emulation lists every database attached to the project's
// instance: the project's storage and the project's other workspaces. A session gets temporary views (its
// own, dying with its connection) of those relations narrowed to its workspace's database, with the
// workspace id as the database name, and its statements' references to the emulated relations are pointed
// at them (qualified or not: pg_catalog comes first in PostgreSQL's search path too). Table functions that
// describe the whole instance (duckdb_*, pragma_*) are refused.
//
// The session functions clients call on connect answer as PostgreSQL would for this session: version()
// names PostgreSQL 15 (SQLAlchemy parses it), current_user/session_user/user the login,
// current_database()/current_catalog the workspace id.
#pragma once

#include <string>

#include "duckdb.hpp"

namespace duckstore {

class SessionCatalog {
 public:
  // `alias`: the workspace database's name in the instance (the connection's default database); `workspace`:
  // the name clients see; `user`: the login.
  SessionCatalog(std::string alias, std::string workspace, std::string user);

  // Creates the session's narrowed views on `conn` (once, when the session opens).
  void CreateViews(duckdb::Connection& conn) const;
  // Rewrites `statement` as above; throws kPermissionDenied("query_out_of_scope") for an instance-wide
  // metadata function.
  void Apply(duckdb::SQLStatement& statement) const;

 private:
  std::string alias_;
  std::string workspace_;
  std::string user_;
};

}  // namespace duckstore
