// The narrow interface between the PostgreSQL wire transport and the services: who may log in (Gate) and
// what a logged-in session may run (SqlSession). The transport speaks the protocol; everything about SQL
// (splitting, confinement, transactions, SET/SHOW, catalog emulation) lives behind these interfaces, in
// the services. Failures are duckstore::Error (errors.hpp maps their codes to SQLSTATEs).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "duckdb.hpp"
#include "duckstore/api/pgwire/scram.hpp"

namespace duckstore::pgwire {

// What a prepared statement takes and returns (Describe, RowDescription, parameter decoding).
struct StatementInfo {
  bool empty = false;                                // the text holds no statement (EmptyQueryResponse)
  std::vector<duckdb::LogicalType> parameter_types;  // UNKNOWN where DuckDB could not infer one
  std::vector<std::string> column_names;             // empty: the statement returns no rows
  std::vector<duckdb::LogicalType> column_types;
};

// A running statement's results. Only the last one started on a session is guaranteed to stream: starting
// another statement may end it (DuckDB streams one result per connection).
class Rows {
 public:
  virtual ~Rows() = default;
  // The next chunk (at least one row), or nullptr when every row was fetched.
  virtual duckdb::unique_ptr<duckdb::DataChunk> Next() = 0;
  // The CommandComplete tag once done, given the rows the transport sent: "SELECT 3", "INSERT 0 5".
  virtual std::string Tag(uint64_t rows_sent) = 0;
};

class Statement {
 public:
  virtual ~Statement() = default;
  virtual const StatementInfo& info() const = 0;
  // `parameters` are of the types of info().parameter_types (decoded by the transport).
  virtual std::unique_ptr<Rows> Run(std::vector<duckdb::Value> parameters) = 0;
};

class SqlSession {
 public:
  virtual ~SqlSession() = default;
  // The statements of a simple-query string, each as its own text (comments and blanks alone: none).
  virtual std::vector<std::string> Split(const std::string& sql) = 0;
  // One statement; throws Error for SQL errors and statements the session may not run.
  virtual std::shared_ptr<Statement> Prepare(const std::string& sql) = 0;
  // 'I' idle, 'T' in a transaction block, 'E' in a failed transaction block.
  virtual char TransactionStatus() = 0;
  // Parameters whose value changed since the last call (SET application_name ...), for ParameterStatus.
  virtual std::vector<std::pair<std::string, std::string>> ChangedParameters() = 0;
  // Interrupts the running statement; any thread (CancelRequest, statement_timeout, shutdown).
  virtual void Interrupt() = 0;
};

struct LoginRequest {
  std::string user;
  std::string database;                                      // the startup packet's, defaulting to the user
  std::string peer;                                          // the client's address
  std::vector<std::pair<std::string, std::string>> options;  // the rest of the startup packet
};

class Gate {
 public:
  virtual ~Gate() = default;
  // The SCRAM secret of `user` when it may log in to `database`; nullopt otherwise (the exchange then
  // runs on a mock and fails like a wrong password).
  virtual std::optional<ScramSecret> Secret(const std::string& user, const std::string& database) = 0;
  // A session for an authenticated login; throws Error when it may not start (limits, revoked meanwhile).
  virtual std::unique_ptr<SqlSession> Open(const LoginRequest& login) = 0;
};

}  // namespace duckstore::pgwire
