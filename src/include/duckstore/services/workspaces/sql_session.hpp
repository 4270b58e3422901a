// SQL sessions of workspace users: what the PostgreSQL wire door runs for a logged-in user.
//
// Login: a workspace user (database = the workspace id) authenticates with the SCRAM verifier of its
// password (password.hpp); Verifier answers it for a user of that workspace only. A project key granted the
// workspace (workspace_access.hpp) logs in the same way, with its key id as the user. A session is a
// connection on the project's instance whose default database is the workspace's; it keeps the project
// database open while it lives. Its temporary objects die with it.
//
// Confinement: every statement passes the same scope check as the driver's restricted ExecuteQuery
// (statement_scope.hpp) with the workspace's `main` as the scope, plus reads of DuckDB's pg_catalog and
// information_schema (what clients introspect), narrowed to the workspace (session_catalog.hpp), and
// transaction control, plus reads of the storage buckets granted to the branch's read-only role
// (session_storage.hpp). Files are out of reach (no external access), ATTACH, COPY to paths, PRAGMA and
// DuckDB SET are refused by the check.
//
// PostgreSQL session parameters are emulated here, not passed to DuckDB: SET/SHOW/RESET of
// application_name, client_encoding (UTF8 only), DateStyle (ISO only), TimeZone (UTC only),
// extra_float_digits, search_path, statement_timeout and idle_in_transaction_session_timeout, and SHOW of
// the server's fixed parameters.
//
// COPY ... TO STDOUT / FROM STDIN (sql_copy.hpp): a statement whose info has `copy`; its column types are
// those of the query's rows or of the target table's listed columns.
//
// Transactions: BEGIN/COMMIT/ROLLBACK run in DuckDB; after an error inside a transaction block every
// statement fails with in_failed_sql_transaction until ROLLBACK (COMMIT then rolls back, as PostgreSQL).
//
// Activity (session_registry.hpp): each Run/CopyIn marks the session active with its statement text,
// Ready() idle again. A statement interrupted by the registry's statement_timeout fails with query_canceled
// "canceling statement due to statement timeout"; once the registry ended the session, every call throws
// SqlSessionEnded with the reason (admin_shutdown, idle_in_transaction_session_timeout).
//
// Errors are duckstore::Error whose code is PostgreSQL's condition name (syntax_error, undefined_table,
// undefined_column, unique_violation, query_canceled, ...) with "position" (1-based) in the details when
// DuckDB reports one.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "duckdb.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/services/auth/entry_points.hpp"
#include "duckstore/services/metadata/branch_view.hpp"
#include "duckstore/services/workspaces/session_catalog.hpp"
#include "duckstore/services/workspaces/session_cursors.hpp"
#include "duckstore/services/workspaces/session_registry.hpp"
#include "duckstore/services/workspaces/session_storage.hpp"
#include "duckstore/services/workspaces/sql_copy.hpp"
#include "duckstore/services/workspaces/workspace_access.hpp"

namespace duckdb {
class CopyStatement;
}

namespace duckstore {

struct SqlStatementInfo {
  bool empty = false;                                // no statement in the text
  std::vector<duckdb::LogicalType> parameter_types;  // UNKNOWN where DuckDB infers none
  std::vector<std::string> column_names;             // empty: no rows
  std::vector<duckdb::LogicalType> column_types;
  std::optional<SqlCopy> copy;  // a COPY TO STDOUT (rows as with a query) or FROM STDIN (CopyIn)
};

class SqlSession;

// A DECLAREd cursor (session_cursors.hpp): its query's rows, materialized when it was declared, read forward.
struct SqlCursor {
  duckdb::unique_ptr<duckdb::QueryResult> result;
  std::vector<std::string> names;
  std::vector<duckdb::LogicalType> types;
  bool hold = false;                            // WITH HOLD: outlives its transaction
  duckdb::unique_ptr<duckdb::DataChunk> chunk;  // the one being read
  duckdb::idx_t next_row = 0;

  // Up to `max` of the next rows; nullptr at the end.
  duckdb::unique_ptr<duckdb::DataChunk> Take(uint64_t max);
};

// The results of one run; ends the previous run's stream on the same session.
class SqlRows {
 public:
  // The next chunk (non-empty) or nullptr at the end.
  duckdb::unique_ptr<duckdb::DataChunk> Next();
  // "SELECT 3", "INSERT 0 2", "CREATE TABLE", ...; `rows_sent` counts the rows a SELECT returned.
  std::string Tag(uint64_t rows_sent) const;
  // The result's column types before the first Next(): DuckDB infers some only from the parameters'
  // values (SELECT $1 IS NULL), where the prepared statement's are UNKNOWN.
  std::vector<duckdb::LogicalType> Types() const;
  // The result's column names (as Types()).
  std::vector<std::string> Names() const;

 private:
  friend class SqlStatement;
  friend class SqlSession;  // cursor statements (sql_session_cursors.cpp)
  SqlRows(SqlSession& session, std::string verb) : session_(session), verb_(std::move(verb)) {}
  // The result being read: a SHOW's fixed one, else DuckDB's; nullptr when the statement returns no rows.
  const duckdb::QueryResult* Current() const;

  SqlSession& session_;
  std::string verb_;
  duckdb::unique_ptr<duckdb::QueryResult> result_;
  duckdb::unique_ptr<duckdb::QueryResult> fixed_;  // SHOW of an emulated parameter
  std::optional<int64_t> changed_;                 // rows an INSERT/UPDATE/DELETE changed (MOVE: moved)
  std::shared_ptr<SqlCursor> cursor_;              // FETCH: the cursor read, at most cursor_left_ more rows
  uint64_t cursor_left_ = 0;
};

class SqlStatement {
 public:
  const SqlStatementInfo& info() const { return info_; }
  std::unique_ptr<SqlRows> Run(duckdb::vector<duckdb::Value> parameters);
  // Starts a COPY FROM STDIN (info().copy->from_stdin); std::logic_error for any other statement.
  std::unique_ptr<SqlCopyIn> CopyIn();

 private:
  friend class SqlSession;
  explicit SqlStatement(SqlSession& session) : session_(session) {}

  SqlSession& session_;
  SqlStatementInfo info_;
  std::string text_;  // as the client sent it (what the session registry shows while it runs)
  std::string verb_;
  duckdb::unique_ptr<duckdb::PreparedStatement> prepared_;
  // Emulated statements: a SET (name, value) or a SHOW (name), and ROLLBACK of a failed transaction.
  std::optional<std::pair<std::string, std::optional<std::string>>> set_;
  std::optional<std::string> show_;
  bool rollback_ = false;
  std::pair<std::string, std::vector<std::string>> copy_target_;  // COPY FROM: the table, listed columns
  std::vector<std::string> storage_;     // the storage buckets it reads, checked again at each run
  std::optional<CursorCommand> cursor_;  // DECLARE (prepared_ is its query), FETCH, MOVE, CLOSE
};

// The session was ended from outside (SqlSessionRegistry): the door answers FATAL with this and closes.
class SqlSessionEnded : public Error {
 public:
  explicit SqlSessionEnded(const Error& reason) : Error(reason) {}
};

class SqlSession : public RegisteredSession {
 public:
  SqlSession(std::unique_ptr<BranchView> view, SharingService& sharing, Workspace workspace,
             std::string user);
  ~SqlSession() override;

  // The statements of a simple-query string; a syntax error anywhere fails all of it (nothing runs).
  std::vector<std::string> Split(const std::string& sql);
  std::shared_ptr<SqlStatement> Prepare(const std::string& sql);
  // Prepare for the simple-query protocol, reusing this session's earlier statement of the same text
  // (SELECT, INSERT, UPDATE, DELETE; at most kCachedStatements texts): clients that interpolate their
  // parameters client-side (psycopg2, psql, most BI tools) send the same texts again and again, and the
  // parse, scope check and DuckDB's planning were most of such a query's time (docs/benchmarks.md, pgwire).
  // DuckDB rebinds a reused statement itself when the catalog changed since, so its rows' columns may differ
  // from info(): describe them from SqlRows (Types, Names), not from the statement.
  std::shared_ptr<SqlStatement> PrepareSimple(const std::string& sql);
  static constexpr size_t kCachedStatements = 64;
  char TransactionStatus();
  // TransactionStatus() when the session waits for the client again (ReadyForQuery); the session becomes
  // idle (in transaction). Throws SqlSessionEnded when the session was ended.
  char Ready();
  // Throws SqlSessionEnded when the session was ended (checked before each client message).
  void CheckNotEnded() const;
  std::vector<std::pair<std::string, std::string>> ChangedParameters();
  // The startup packet's parameters: the emulated ones a SET may change take the value given (the client
  // learns them from ParameterStatus); unknown names and values a SET would refuse are ignored (pgjdbc
  // sends the JVM's time zone, for one).
  void ApplyStartupParameters(const std::vector<std::pair<std::string, std::string>>& parameters);
  void Interrupt() override;
  // The columns of cursor `name` (a client's Describe of a portal named like a DECLAREd cursor, as
  // psycopg 3 sends); nullopt when there is none.
  std::optional<std::pair<std::vector<std::string>, std::vector<duckdb::LogicalType>>> DescribeCursor(
      const std::string& name) const;
  SessionActivity& activity() override { return activity_; }

  const Workspace& workspace() const { return workspace_; }
  const std::string& user() const { return user_; }

 private:
  friend class SqlStatement;
  friend class SqlRows;
  friend class SqlCopyIn;
  friend class SqlSessionService;
  // Marks the transaction block failed when one is open, then rethrows `error` as a condition-named Error.
  [[noreturn]] void Fail(const duckdb::ErrorData& error);
  [[noreturn]] void Fail(const Error& error);
  void Set(const std::string& name, const std::optional<std::string>& value);
  // Passes statement_timeout and idle_in_transaction_session_timeout to the activity (the registry's timer).
  void ApplyTimeouts();
  // The scope check, the session catalog's narrowing and DuckDB's prepare of one parsed statement.
  void PrepareChecked(SqlStatement& statement, duckdb::unique_ptr<duckdb::SQLStatement> parsed);
  // A COPY with the data on the client's side (sql_copy.cpp); false for a COPY to or from a file.
  bool PrepareCopy(SqlStatement& statement, duckdb::CopyStatement& copy);
  // Cursor statements (sql_session_cursors.cpp): false when `sql` is none.
  bool PrepareCursor(SqlStatement& statement, const std::string& sql);
  std::unique_ptr<SqlRows> RunCursor(SqlStatement& statement, duckdb::vector<duckdb::Value> parameters);
  // invalid_cursor_name (through Fail) when there is no cursor `name`.
  std::shared_ptr<SqlCursor> FindCursor(const std::string& name);
  // The transaction ended: its cursors without HOLD go.
  void CloseTransactionCursors();

  std::unique_ptr<BranchView> view_;
  SessionStorage storage_;
  Workspace workspace_;
  std::string user_;
  std::string alias_;
  std::unique_ptr<duckdb::Connection> conn_;
  std::unique_ptr<SessionCatalog> catalog_;
  bool failed_ = false;
  std::map<std::string, std::string> parameters_;  // lower-case name -> value
  std::vector<std::pair<std::string, std::string>> changed_;
  SessionActivity activity_;
  SqlSessionRegistry* registry_ = nullptr;  // set once listed (SqlSessionService::List)
  int32_t pid_ = 0;
  std::map<std::string, std::shared_ptr<SqlCursor>> cursors_;  // by name; results of conn_
  // PrepareSimple's statements by text; declared after conn_, so they go before the connection they use.
  std::map<std::string, std::shared_ptr<SqlStatement>> simple_statements_;
};

// The authorization path of the workspace login (Credentials::kWorkspaceLogin, TargetFrom::kWorkspace in
// the access model): `entry` is the door's declaration of its login message; any other declaration is a
// programming error (std::logic_error).
class SqlSessionService {
 public:
  SqlSessionService(BranchResolver& branches, SharingService& sharing, WorkspaceAccessService& access,
                    SqlSessionRegistry& registry)
      : branches_(branches), sharing_(sharing), access_(access), registry_(registry) {}
  // Where the door registers its connections and sessions.
  SqlSessionRegistry& registry() { return registry_; }
  // The password verifier of `user` when it is a user of workspace `database` or a key granted it; nullopt
  // otherwise.
  std::optional<std::string> Verifier(const EntryPoint& entry, const std::string& user,
                                      const std::string& database);
  // A session of an authenticated user; kUnauthenticated when the user or workspace went away meanwhile.
  std::unique_ptr<SqlSession> Open(const EntryPoint& entry, const std::string& user,
                                   const std::string& database);
  // Lists `session` in the registry as connection `pid` (SqlSessionRegistry::Register); the session leaves
  // the list when it is destroyed.
  void List(int32_t pid, SqlSession& session);

 private:
  // The login `user` has to workspace `database`: as its user, else as a granted key.
  std::optional<WorkspaceUser> LoginOf(const std::string& user, const std::string& database);

  BranchResolver& branches_;
  SharingService& sharing_;
  WorkspaceAccessService& access_;
  SqlSessionRegistry& registry_;
};

}  // namespace duckstore
