#include "duckstore/services/query/query.hpp"
#include "duckstore/services/query/statement_scope.hpp"

#include <cctype>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "duckdb/catalog/catalog.hpp"
#include "duckdb/catalog/entry_lookup_info.hpp"
#include "duckdb/function/scalar_macro_function.hpp"
#include "duckdb/function/table_macro_function.hpp"
#include "duckdb/main/client_context.hpp"
#include "duckdb/parser/expression/function_expression.hpp"
#include "duckdb/parser/expression/subquery_expression.hpp"
#include "duckdb/parser/parsed_data/alter_info.hpp"
#include "duckdb/parser/parsed_data/create_macro_info.hpp"
#include "duckdb/parser/parsed_data/create_table_info.hpp"
#include "duckdb/parser/parsed_data/create_view_info.hpp"
#include "duckdb/parser/parsed_data/drop_info.hpp"
#include "duckdb/parser/parsed_expression_iterator.hpp"
#include "duckdb/parser/parser.hpp"
#include "duckdb/parser/statement/list.hpp"
#include "duckdb/parser/tableref/basetableref.hpp"
#include "duckdb/parser/tableref/subqueryref.hpp"
#include "duckdb/parser/tableref/table_function_ref.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/storage/engine/project_metadata.hpp"
#include "duckstore/storage/engine/project_metadata_history.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {
namespace {

// Interrupts a connection's running query when the time runs out; stops waiting when destroyed.
class Watchdog {
 public:
  Watchdog(duckdb::Connection& conn, std::chrono::seconds timeout)
      : thread_([this, &conn, timeout] {
          std::unique_lock lock(mutex_);
          if (!done_cv_.wait_for(lock, timeout, [this] { return done_; })) {
            fired_ = true;
            conn.Interrupt();
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_all();
    thread_.join();
  }
  bool fired() {
    std::lock_guard lock(mutex_);
    return fired_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;
};

// One statement of a query text with what the scope check found in it (pointing into `parsed`).
struct Statement {
  duckdb::unique_ptr<duckdb::SQLStatement> parsed;
  QueryShape shape;
};

// The statements of a query text, in order; kInvalidArgument("invalid_query") when DuckDB cannot parse it
// or it holds none.
duckdb::vector<duckdb::unique_ptr<duckdb::SQLStatement>> Parse(const std::string& sql) {
  duckdb::Parser parser;
  try {
    parser.ParseQuery(sql);
  } catch (const std::exception& e) {
    throw InvalidArgument("invalid_query", duckdb::ErrorData(e).RawMessage());
  }
  if (parser.statements.empty()) throw InvalidArgument("invalid_query", "the query holds no statement");
  return std::move(parser.statements);
}

QueryResult Failed(std::string message) {
  QueryResult out;
  out.ok = false;
  out.message = std::move(message);
  return out;
}

QueryResult Succeeded(std::string message) {
  QueryResult out;
  out.message = std::move(message);
  return out;
}

// Runs the checked statements on `conn` (search path already set), interrupted after `timeout` (for the
// whole script). A script of several statements runs in one transaction: all of it or nothing; the last
// statement's rows are the answer. A single statement runs as DuckDB runs it (auto-commit).
QueryResult Run(duckdb::Connection& conn, std::vector<Statement>& script, std::chrono::seconds timeout) {
  QueryResult out;
  auto started = std::chrono::steady_clock::now();
  bool several = script.size() > 1;
  duckdb::unique_ptr<duckdb::MaterializedQueryResult> result;
  std::string failure;
  bool timed_out = false;
  {
    Watchdog watchdog(conn, timeout);
    if (several) result = conn.Query("BEGIN TRANSACTION");
    for (size_t i = 0; i < script.size() && !(result && result->HasError()); ++i) {
      result = conn.Query(std::move(script[i].parsed));
      if (result->HasError() && several)
        failure = "statement " + std::to_string(i + 1) + " of " + std::to_string(script.size()) + ": ";
    }
    if (several) {
      auto end = conn.Query(result->HasError() ? "ROLLBACK" : "COMMIT");
      if (!result->HasError() && end->HasError()) {
        failure = "the script's transaction did not commit: ";
        result = std::move(end);
      }
    }
    timed_out = watchdog.fired();
  }
  if (result->HasError()) {
    return Failed(timed_out ? "Query exceeded the timeout of " + std::to_string(timeout.count()) + " s"
                            : failure + result->GetErrorObject().RawMessage());
  }
  out.columns = result->names;
  for (size_t row = 0; row < result->RowCount(); ++row) {
    if (row == kQueryMaxRows) {
      out.truncated = true;
      break;
    }
    auto& values = out.rows.emplace_back();
    for (size_t col = 0; col < result->ColumnCount(); ++col) {
      duckdb::Value value = result->GetValue(col, row);
      values.push_back(value.IsNull() ? std::nullopt : std::optional(value.ToString()));
    }
  }
  auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  out.message = "Query executed successfully in " + std::to_string(elapsed.count()) + " ms, " +
                std::to_string(result->RowCount()) + " row(s)" +
                (out.truncated ? ", the first " + std::to_string(kQueryMaxRows) + " returned" : "") + ".";
  return out;
}

void SetSearchPath(duckdb::Connection& conn, const std::vector<std::string>& entries) {
  std::string path;
  for (const auto& entry : entries) path += (path.empty() ? "" : ",") + entry;
  RunDdl(conn, "SET search_path = " + QuoteLiteral(path));
}

std::string Missing(const std::string& table) {
  return "Table with name " + table + " does not exist!";
}

// Whether `name` resolves to a table or view on the connection: in `schema` of its default database, or
// with `schema` empty anywhere on its search path (including DuckDB's system schemas).
bool Resolves(duckdb::Connection& conn, const std::string& schema, const std::string& name) {
  bool found = false;
  conn.context->RunFunctionInTransaction([&] {
    duckdb::EntryLookupInfo lookup(duckdb::CatalogType::TABLE_ENTRY, name);
    auto entry = duckdb::Catalog::GetEntry(*conn.context, INVALID_CATALOG, schema, lookup,
                                           duckdb::OnEntryNotFound::RETURN_NULL);
    found = static_cast<bool>(entry);
  });
  return found;
}

// Binds a statement to the tables of `bucket` (a linked bucket, or any bucket under a read-only role),
// once `conn` has the search path the statement runs with: a name qualified with the scope or naming a
// table of the bucket is one of its tables; any other unqualified name may only be a CTE of the statement
// that resolves to nothing else on `conn` (DuckDB's system views would describe other buckets). Returns
// the references to the bucket's tables; throws kPermissionDenied("query_out_of_scope").
std::vector<duckdb::BaseTableRef*> ConfineToBucket(BranchView& view, const BucketLocation& bucket,
                                                   const QueryShape& shape, duckdb::Connection& conn) {
  std::vector<duckdb::BaseTableRef*> tables;
  for (auto* ref : shape.tables) {
    if (!ref->schema_name.empty() || view.FindTable(bucket, ref->table_name)) {
      tables.push_back(ref);
      continue;
    }
    if (!shape.ctes.contains(duckdb::StringUtil::Lower(ref->table_name)) ||
        Resolves(conn, INVALID_SCHEMA, ref->table_name)) {
      throw Error(ErrorKind::kPermissionDenied, "query_out_of_scope",
                  "the query is restricted to bucket '" + bucket.name + "': '" + ref->table_name +
                      "' is not one of its tables",
                  {{"scope", bucket.name}});
    }
  }
  return tables;
}

// Drops DuckDB's "Did you mean" hint from an error: it may name tables of other buckets.
void DropHints(QueryResult& result) {
  if (auto hint = result.message.find("Did you mean"); hint != std::string::npos) {
    result.message.erase(hint);
    while (!result.message.empty() && std::isspace(static_cast<unsigned char>(result.message.back())))
      result.message.pop_back();
  }
}

// The default branch: the script runs in the project database with the scope as its search path.
// SQL changes a table's rows without saying which: before a statement writes or drops a table of
// `schema`, the table's history keeps it whole and ends (as a drop's does); after a write a new history
// begins (docs/design/history.md). Time travel across SQL writes is exact at the cost of one copy of the
// table per writing statement.
QueryResult RunKeepingHistory(duckdb::Connection& conn, const std::string& schema,
                              std::vector<Statement>& script, std::chrono::seconds timeout) {
  std::vector<std::string> written;
  written.reserve(script.size());
  for (const auto& statement : script) {
    const auto& shape = statement.shape;
    bool replaces = shape.kind == QueryKind::kCreate && shape.create_or_replace;
    if (shape.kind != QueryKind::kWrite && shape.kind != QueryKind::kDrop && !replaces) continue;
    auto table = LoadTable(conn, schema, shape.target, TableDetail::kDefinition);
    if (!table) continue;
    InSqlTransaction(conn, [&] {
      CloseTableHistory(conn, *table, {shape.kind == QueryKind::kWrite ? "sql.write" : "table.drop"});
    });
    if (shape.kind == QueryKind::kWrite) written.push_back(table->name);
  }
  QueryResult result = Run(conn, script, timeout);
  for (const auto& name : written) {
    if (auto table = LoadTable(conn, schema, name, TableDetail::kDefinition))
      InSqlTransaction(conn, [&] { OpenTableHistory(conn, *table, /*created=*/false); });
  }
  return result;
}

QueryResult RunOnDefault(BranchView& view, const BucketLocation& bucket, std::vector<Statement>& script,
                         std::chrono::seconds timeout, bool confine) {
  auto& conn = view.Conn(TableSource::kOwn);
  SetSearchPath(conn, {QuoteIdent(bucket.name)});
  if (confine) {
    for (auto& statement : script) ConfineToBucket(view, bucket, statement.shape, conn);
  }
  return RunKeepingHistory(conn, bucket.name, script, timeout);
}

// A dev branch: the statement runs on the branch's own database with the copy-on-write rules of
// branch_view.hpp. The search path is the branch's schema of the bucket, then the default branch's
// (when the bucket is inherited), so tables the branch has not written are read from the default branch.
// The table a statement writes is copied up first (OpenForWrite) and then resolves to the copy; a
// statement whose target the branch cannot see never gets the default branch on its search path, so no
// statement can reach a default-branch table for writing. Dropping an inherited table hides it instead.
// `script` holds one statement (Execute refuses scripts on dev branches).
QueryResult RunOnBranch(BranchResolver& branches, BranchView& view, const BucketLocation& bucket,
                        std::vector<Statement>& script, std::chrono::seconds timeout, bool confine) {
  QueryShape& shape = script.front().shape;
  // Tables the branch deleted must not show through the default branch's schema: a name the branch does
  // not see although the default branch has it is one.
  if (bucket.inherited) {
    for (auto* ref : shape.tables) {
      if (!view.FindTable(bucket, ref->table_name) &&
          Resolves(view.Conn(TableSource::kDefault), bucket.name, ref->table_name))
        return Failed(Missing(ref->table_name));
    }
  }
  std::optional<TableLocation> target;
  if (shape.kind != QueryKind::kRead) target = view.FindTable(bucket, shape.target);
  bool fallback = bucket.inherited;
  WritableTable writable;
  std::unique_lock<std::mutex> lock;
  BranchView* run_view = &view;
  switch (shape.kind) {
    case QueryKind::kRead:
      break;
    case QueryKind::kMacro:
      throw InvalidArgument(
          "dev_branch_unsupported",
          "macros are created and dropped on the default branch; a dev branch overlays tables only");
    case QueryKind::kWrite:
      if (target) {
        writable = OpenForWrite(branches, TableRef{view.ref(), bucket.name, shape.target});
        run_view = writable.view.get();
      } else {
        fallback = false;  // the target is not visible: DuckDB must not find a default-branch table
      }
      break;
    case QueryKind::kCreate:
      if (target && !shape.create_or_replace) {
        if (shape.if_not_exists) return Succeeded("Query executed successfully, 0 row(s).");
        return Failed("Table with name " + shape.target + " already exists!");
      }
      view.MaterializeBucket(bucket);
      lock = view.db().LockTable(view.own_catalog(), bucket.name, shape.target);
      break;
    case QueryKind::kDrop:
      lock = view.db().LockTable(view.own_catalog(), bucket.name, shape.target);
      if (!target) {
        if (shape.if_exists) return Succeeded("Query executed successfully, 0 row(s).");
        return Failed(Missing(shape.target));
      }
      if (target->source == TableSource::kDefault) {
        view.Hide(bucket.name, target->name);
        return Succeeded("Query executed successfully, 0 row(s).");
      }
      fallback = false;
      break;
  }
  auto& conn = run_view->Conn(TableSource::kOwn);
  // The bucket has a schema in the branch's database unless the branch only inherits it.
  auto own = FindBucket(conn, bucket.name);
  std::vector<std::string> path;
  if (own) path.push_back(QuoteIdent(run_view->own_catalog()) + "." + QuoteIdent(*own));
  if (fallback) path.push_back(QuoteIdent(kProjectCatalog) + "." + QuoteIdent(bucket.name));
  if (path.empty()) return Failed(Missing(shape.target));
  SetSearchPath(conn, path);
  if (confine) ConfineToBucket(*run_view, bucket, shape, conn);
  QueryResult result = own ? RunKeepingHistory(conn, *own, script, timeout) : Run(conn, script, timeout);
  // A dropped or renamed copy of an inherited table: the default branch's table must not show through.
  if (result.ok && bucket.inherited && target &&
      (shape.kind == QueryKind::kWrite || shape.kind == QueryKind::kDrop)) {
    auto now = run_view->FindTable(run_view->RequireBucket(bucket.name), target->name);
    if (now && now->source == TableSource::kDefault) run_view->Hide(bucket.name, target->name);
  }
  return result;
}

// A linked bucket: only SELECTs, run in the source project's database and confined to the shared bucket,
// whose tables and macros are renamed to the source bucket (names qualified with the link's name
// included). Table functions are refused by the scope check and the source database is never written.
QueryResult RunOnLinked(BranchView& view, const BucketLocation& bucket, std::vector<Statement>& script,
                        std::chrono::seconds timeout) {
  for (const auto& statement : script) {
    if (statement.shape.kind != QueryKind::kRead) RefuseLinked(bucket);
  }
  const std::string& source = bucket.link->source_bucket;
  auto& conn = view.Conn(TableSource::kLinked, &bucket);
  SetSearchPath(conn, {QuoteIdent(source)});
  for (auto& statement : script) {
    for (auto* ref : ConfineToBucket(view, bucket, statement.shape, conn)) ref->schema_name = source;
    for (auto* function : statement.shape.qualified_functions) function->schema = source;
  }
  return Run(conn, script, timeout);
}

}  // namespace

void CheckQueryScope(const std::string& sql, const std::string& scope) {
  for (auto& statement : Parse(sql))
    CheckStatementScope(*statement,
                        {scope, /*allow_table_functions=*/true, {}, /*allow_transactions=*/false});
}

QueryResult QueryService::Execute(const BranchRef& branch, const std::string& scope, const std::string& sql,
                                  std::chrono::seconds timeout,
                                  const std::optional<std::string>& read_only_role) {
  ValidateObjectName(scope, "bucket name");
  if (sql.empty()) throw InvalidArgument("invalid_query", "the query is empty");
  if (read_only_role) sharing_.CheckReadOnlyRole(branch, *read_only_role);
  return ops_.Run(branch.project_id, "query.execute", scope, [&] {
    auto view = branches_.View(branch);
    auto bucket = view->RequireBucket(scope);
    if (read_only_role) sharing_.RequireRoleRead(*view, bucket);
    // What DuckDB cannot parse is an SQL error, answered in-band like those of binding and execution.
    duckdb::vector<duckdb::unique_ptr<duckdb::SQLStatement>> parsed;
    try {
      parsed = Parse(sql);
    } catch (const Error& e) {
      return Failed(e.what());
    }
    // Linked buckets and read-only roles see the bucket's tables and nothing else. Every statement of a
    // script is checked as a single one would be, before any of them runs.
    bool confine = bucket.linked() || read_only_role.has_value();
    std::vector<Statement> script;
    for (auto& statement : parsed) {
      QueryShape shape = CheckStatementScope(
          *statement, {bucket.name, /*allow_table_functions=*/!confine, {}, /*allow_transactions=*/false});
      if (read_only_role && shape.kind != QueryKind::kRead) {
        throw Error(ErrorKind::kPermissionDenied, "query_not_read_only",
                    "read-only role '" + *read_only_role + "' may only run SELECT statements",
                    {{"role", *read_only_role}});
      }
      script.push_back({std::move(statement), std::move(shape)});
    }
    // A dev branch decides copy-on-write per statement, outside DuckDB's transaction (copy-up, tombstones):
    // a script could not be undone as a whole there.
    if (script.size() > 1 && !bucket.linked() && !view->is_default()) {
      throw InvalidArgument("dev_branch_unsupported",
                            "a script of several statements runs on the default branch; on a dev branch send "
                            "one statement per ExecuteQuery");
    }
    QueryResult result = bucket.linked() ? RunOnLinked(*view, bucket, script, timeout)
                         : view->is_default()
                             ? RunOnDefault(*view, bucket, script, timeout, confine)
                             : RunOnBranch(branches_, *view, bucket, script, timeout, confine);
    if (confine && !result.ok) DropHints(result);
    return result;
  });
}

}  // namespace duckstore
