// COPY with the data on the client's side of a workspace SQL session (sql_session.hpp; implemented in
// services/workspaces/sql_session_copy.cpp, part of the session module): COPY table or
// (query) TO STDOUT, and COPY table [(columns)] FROM STDIN, in PostgreSQL's text or CSV format with its
// options (FORMAT, DELIMITER, NULL, HEADER, QUOTE, ESCAPE; binary is not supported). The transport
// (api/pgwire/copy_format) turns rows into lines and back; here are the options and the rows' destination.
//
// COPY TO STDOUT runs its query like any statement of the session (the same scope check and catalog).
// COPY FROM STDIN appends to a table of the workspace's `main` schema, inside the session's transaction
// when one is open; the rows go to DuckDB through an Appender as they arrive, never held whole. COPY to or
// from files stays refused by the scope check.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "duckdb.hpp"
#include "duckdb/main/appender.hpp"

namespace duckstore {

// A COPY's direction and data format. The defaults are PostgreSQL's text format; CSV's are set by
// SqlSession when FORMAT csv is given (delimiter ',', NULL as the empty string).
struct SqlCopy {
  bool from_stdin = false;
  bool csv = false;
  char delimiter = '\t';
  std::string null = "\\N";
  char quote = '"';
  char escape = '"';
  bool header = false;
};

class SqlSession;

// The rows of one COPY FROM STDIN (SqlStatement::CopyIn). All or nothing: outside a transaction block the
// COPY runs in a transaction of its own; inside one, a failed COPY fails the block. Destroying it before
// Finish abandons it.
class SqlCopyIn {
 public:
  SqlCopyIn(SqlSession& session, duckdb::Connection& conn, std::unique_ptr<duckdb::Appender> appender,
            bool own_transaction)
      : session_(session), conn_(conn), appender_(std::move(appender)), own_transaction_(own_transaction) {}
  ~SqlCopyIn();
  SqlCopyIn(const SqlCopyIn&) = delete;
  SqlCopyIn& operator=(const SqlCopyIn&) = delete;

  // One row, a value of each target column's type (SqlStatementInfo::column_types); a failure (a NOT NULL
  // column given NULL, a duplicate key) abandons the COPY and throws the session's condition-named Error.
  void Row(const duckdb::vector<duckdb::Value>& values);
  // Appends what is left and commits; returns the command tag ("COPY n").
  std::string Finish();
  // Gives the COPY up (the client's data was bad, or it sent CopyFail): nothing of it stays.
  void Abandon();

 private:
  [[noreturn]] void Fail(const std::exception& error);

  SqlSession& session_;
  duckdb::Connection& conn_;
  std::unique_ptr<duckdb::Appender> appender_;
  bool own_transaction_;
  bool finished_ = false;
  uint64_t rows_ = 0;
};

}  // namespace duckstore
