#include "duckstore/services/query.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "duckdb/function/scalar_macro_function.hpp"
#include "duckdb/function/table_macro_function.hpp"
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
#include "duckdb/parser/tableref/table_function_ref.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {
namespace {

// Walks a parsed statement and rejects every table reference outside the scope.
class ScopeChecker {
 public:
  explicit ScopeChecker(std::string scope) : scope_(std::move(scope)) {}

  void Statement(duckdb::SQLStatement& statement) {
    using duckdb::StatementType;
    switch (statement.type) {
      case StatementType::SELECT_STATEMENT:
        Node(*statement.Cast<duckdb::SelectStatement>().node);
        return;
      case StatementType::INSERT_STATEMENT: {
        auto& insert = statement.Cast<duckdb::InsertStatement>();
        Name(insert.catalog, insert.schema, insert.table);
        if (insert.select_statement) Node(*insert.select_statement->node);
        for (auto& expression : insert.returning_list) Expression(expression);
        return;
      }
      case StatementType::UPDATE_STATEMENT: {
        auto& update = statement.Cast<duckdb::UpdateStatement>();
        Ref(*update.table);
        if (update.from_table) Ref(*update.from_table);
        if (update.set_info) {
          if (update.set_info->condition) Expression(update.set_info->condition);
          for (auto& expression : update.set_info->expressions) Expression(expression);
        }
        for (auto& expression : update.returning_list) Expression(expression);
        return;
      }
      case StatementType::DELETE_STATEMENT: {
        auto& del = statement.Cast<duckdb::DeleteStatement>();
        Ref(*del.table);
        for (auto& ref : del.using_clauses) Ref(*ref);
        if (del.condition) Expression(del.condition);
        for (auto& expression : del.returning_list) Expression(expression);
        return;
      }
      case StatementType::CREATE_STATEMENT: {
        auto& info = *statement.Cast<duckdb::CreateStatement>().info;
        if (info.type == duckdb::CatalogType::TABLE_ENTRY) {
          auto& table = info.Cast<duckdb::CreateTableInfo>();
          Name(info.catalog, info.schema, table.table);
          if (table.query) Node(*table.query->node);
          return;
        }
        if (info.type == duckdb::CatalogType::VIEW_ENTRY) {
          auto& view = info.Cast<duckdb::CreateViewInfo>();
          Name(info.catalog, info.schema, view.view_name);
          if (view.query) Node(*view.query->node);
          return;
        }
        if (info.type == duckdb::CatalogType::MACRO_ENTRY ||
            info.type == duckdb::CatalogType::TABLE_MACRO_ENTRY) {
          // Macros (the DAS serves them as functions): the name and every body and default in scope.
          auto& macro = info.Cast<duckdb::CreateMacroInfo>();
          Name(info.catalog, info.schema, macro.name);
          for (auto& function : macro.macros) {
            for (auto& parameter : function->default_parameters) Expression(parameter.second);
            if (function->type == duckdb::MacroType::SCALAR_MACRO) {
              Expression(function->Cast<duckdb::ScalarMacroFunction>().expression);
            } else if (function->type == duckdb::MacroType::TABLE_MACRO) {
              Node(*function->Cast<duckdb::TableMacroFunction>().query_node);
            }
          }
          return;
        }
        Reject("only tables, views and macros may be created");
      }
      case StatementType::DROP_STATEMENT: {
        auto& info = *statement.Cast<duckdb::DropStatement>().info;
        if (info.type != duckdb::CatalogType::TABLE_ENTRY && info.type != duckdb::CatalogType::VIEW_ENTRY &&
            info.type != duckdb::CatalogType::MACRO_ENTRY &&
            info.type != duckdb::CatalogType::TABLE_MACRO_ENTRY)
          Reject("only tables, views and macros may be dropped");
        Name(info.catalog, info.schema, info.name);
        return;
      }
      case StatementType::ALTER_STATEMENT: {
        auto& info = *statement.Cast<duckdb::AlterStatement>().info;
        if (info.type != duckdb::AlterType::ALTER_TABLE && info.type != duckdb::AlterType::ALTER_VIEW)
          Reject("only tables and views may be altered");
        Name(info.catalog, info.schema, info.name);
        return;
      }
      default:
        Reject("statements of type " + duckdb::StatementTypeToString(statement.type) + " are not allowed");
    }
  }

 private:
  [[noreturn]] void Reject(const std::string& why) {
    throw Error(ErrorKind::kPermissionDenied, "query_out_of_scope",
                "the query is restricted to schema '" + scope_ + "': " + why, {{"scope", scope_}});
  }

  void Name(const std::string& catalog, const std::string& schema, const std::string& name) {
    if (!catalog.empty()) Reject("'" + catalog + "." + schema + "." + name + "' names a database");
    if (!schema.empty() && !duckdb::StringUtil::CIEquals(schema, scope_))
      Reject("'" + schema + "." + name + "' is outside it");
  }

  void Node(duckdb::QueryNode& node) {
    duckdb::ParsedExpressionIterator::EnumerateQueryNodeChildren(
        node, [this](duckdb::unique_ptr<duckdb::ParsedExpression>& child) { Expression(child); },
        [this](duckdb::TableRef& ref) { Leaf(ref); });
  }

  // A table reference with everything below it.
  void Ref(duckdb::TableRef& ref) {
    duckdb::ParsedExpressionIterator::EnumerateTableRefChildren(
        ref, [this](duckdb::unique_ptr<duckdb::ParsedExpression>& child) { Expression(child); },
        [this](duckdb::TableRef& leaf) { Leaf(leaf); });
  }

  // Called by the iterator for every table reference it reaches.
  void Leaf(duckdb::TableRef& ref) {
    if (ref.type == duckdb::TableReferenceType::BASE_TABLE) {
      auto& table = ref.Cast<duckdb::BaseTableRef>();
      Name(table.catalog_name, table.schema_name, table.table_name);
    } else if (ref.type == duckdb::TableReferenceType::TABLE_FUNCTION) {
      // query() and query_table() run SQL text or name tables in strings, out of this walk's sight.
      auto& function = ref.Cast<duckdb::TableFunctionRef>();
      if (function.function && function.function->GetExpressionClass() == duckdb::ExpressionClass::FUNCTION) {
        auto& name = function.function->Cast<duckdb::FunctionExpression>().function_name;
        if (duckdb::StringUtil::CIEquals(name, "query") || duckdb::StringUtil::CIEquals(name, "query_table"))
          Reject("table function " + name + "() is not allowed");
      }
    }
  }

  void Expression(duckdb::unique_ptr<duckdb::ParsedExpression>& expression) {
    if (!expression) return;
    if (expression->GetExpressionClass() == duckdb::ExpressionClass::SUBQUERY) {
      auto& subquery = expression->Cast<duckdb::SubqueryExpression>();
      if (subquery.subquery) Node(*subquery.subquery->node);
    }
    duckdb::ParsedExpressionIterator::EnumerateChildren(
        *expression, [this](duckdb::unique_ptr<duckdb::ParsedExpression>& child) { Expression(child); });
  }

  std::string scope_;
};

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

}  // namespace

void CheckQueryScope(const std::string& sql, const std::string& scope) {
  duckdb::Parser parser;
  try {
    parser.ParseQuery(sql);
  } catch (const std::exception& e) {
    throw InvalidArgument("invalid_query", duckdb::ErrorData(e).RawMessage());
  }
  if (parser.statements.size() != 1)
    throw InvalidArgument("invalid_query", "the query must be exactly one statement");
  ScopeChecker(scope).Statement(*parser.statements[0]);
}

QueryResult QueryService::Execute(const BranchRef& branch, const std::string& scope, const std::string& sql,
                                  std::chrono::seconds timeout) {
  ValidateObjectName(scope, "bucket name");
  if (sql.empty()) throw InvalidArgument("invalid_query", "the query is empty");
  return ops_.Run(branch.project_id, "query.execute", scope, [&] {
    auto db = branches_.Open(branch);
    auto conn = db->Connect();
    auto bucket = FindBucket(*conn, scope);
    if (!bucket) throw NotFound("bucket_not_found", "bucket '" + scope + "' does not exist");
    CheckQueryScope(sql, *bucket);
    RunDdl(*conn, "SET search_path = " + QuoteLiteral(QuoteIdent(*bucket)));

    QueryResult out;
    auto started = std::chrono::steady_clock::now();
    duckdb::unique_ptr<duckdb::MaterializedQueryResult> result;
    bool timed_out = false;
    {
      Watchdog watchdog(*conn, timeout);
      result = conn->Query(sql);
      timed_out = watchdog.fired();
    }
    if (result->HasError()) {
      out.ok = false;
      out.message = timed_out ? "Query exceeded the timeout of " + std::to_string(timeout.count()) + " s"
                              : result->GetErrorObject().RawMessage();
      return out;
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
  });
}

}  // namespace duckstore
