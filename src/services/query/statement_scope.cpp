#include "duckstore/services/query/statement_scope.hpp"

#include <cctype>

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

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"

namespace duckstore {
namespace {

// Walks a parsed statement, rejects every table reference outside the scope and records its shape.
class ScopeChecker {
 public:
  // `read_schemas`: schemas whose tables and functions a statement may read besides the scope's;
  // `allow_transactions`: BEGIN, COMMIT and ROLLBACK pass (a session's own transaction control).
  ScopeChecker(std::string scope, bool allow_table_functions, std::vector<std::string> read_schemas = {},
               bool allow_transactions = false)
      : scope_(std::move(scope)),
        allow_table_functions_(allow_table_functions),
        read_schemas_(std::move(read_schemas)),
        allow_transactions_(allow_transactions) {}

  QueryShape Statement(duckdb::SQLStatement& statement) {
    using duckdb::StatementType;
    switch (statement.type) {
      case StatementType::SELECT_STATEMENT:
        Node(*statement.Cast<duckdb::SelectStatement>().node);
        return std::move(shape_);
      case StatementType::INSERT_STATEMENT: {
        auto& insert = statement.Cast<duckdb::InsertStatement>();
        Name(insert.catalog, insert.schema, insert.table);
        Target(QueryKind::kWrite, insert.table);
        if (insert.select_statement) Node(*insert.select_statement->node);
        for (auto& expression : insert.returning_list) Expression(expression);
        return std::move(shape_);
      }
      case StatementType::UPDATE_STATEMENT: {
        auto& update = statement.Cast<duckdb::UpdateStatement>();
        TargetRef(*update.table);
        Ref(*update.table);
        if (update.from_table) Ref(*update.from_table);
        if (update.set_info) {
          if (update.set_info->condition) Expression(update.set_info->condition);
          for (auto& expression : update.set_info->expressions) Expression(expression);
        }
        for (auto& expression : update.returning_list) Expression(expression);
        return std::move(shape_);
      }
      case StatementType::DELETE_STATEMENT: {
        auto& del = statement.Cast<duckdb::DeleteStatement>();
        TargetRef(*del.table);
        Ref(*del.table);
        for (auto& ref : del.using_clauses) Ref(*ref);
        if (del.condition) Expression(del.condition);
        for (auto& expression : del.returning_list) Expression(expression);
        return std::move(shape_);
      }
      case StatementType::CREATE_STATEMENT: {
        auto& info = *statement.Cast<duckdb::CreateStatement>().info;
        shape_.create_or_replace = info.on_conflict == duckdb::OnCreateConflict::REPLACE_ON_CONFLICT;
        shape_.if_not_exists = info.on_conflict == duckdb::OnCreateConflict::IGNORE_ON_CONFLICT;
        if (info.type == duckdb::CatalogType::TABLE_ENTRY) {
          auto& table = info.Cast<duckdb::CreateTableInfo>();
          Name(info.catalog, info.schema, table.table);
          Target(QueryKind::kCreate, table.table);
          if (table.query) Node(*table.query->node);
          return std::move(shape_);
        }
        if (info.type == duckdb::CatalogType::VIEW_ENTRY) {
          auto& view = info.Cast<duckdb::CreateViewInfo>();
          Name(info.catalog, info.schema, view.view_name);
          Target(QueryKind::kCreate, view.view_name);
          if (view.query) Node(*view.query->node);
          return std::move(shape_);
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
          shape_.kind = QueryKind::kMacro;
          return std::move(shape_);
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
        if (info.type == duckdb::CatalogType::MACRO_ENTRY ||
            info.type == duckdb::CatalogType::TABLE_MACRO_ENTRY) {
          shape_.kind = QueryKind::kMacro;
          return std::move(shape_);
        }
        Target(QueryKind::kDrop, info.name);
        shape_.if_exists = info.if_not_found == duckdb::OnEntryNotFound::RETURN_NULL;
        return std::move(shape_);
      }
      case StatementType::ALTER_STATEMENT: {
        auto& info = *statement.Cast<duckdb::AlterStatement>().info;
        if (info.type != duckdb::AlterType::ALTER_TABLE && info.type != duckdb::AlterType::ALTER_VIEW)
          Reject("only tables and views may be altered");
        Name(info.catalog, info.schema, info.name);
        Target(QueryKind::kWrite, info.name);
        return std::move(shape_);
      }
      case StatementType::TRANSACTION_STATEMENT:
        if (!allow_transactions_) Reject("transaction control is not allowed");
        return std::move(shape_);
      default:
        Reject("statements of type " + duckdb::StatementTypeToString(statement.type) + " are not allowed");
    }
  }

 private:
  [[noreturn]] void Reject(const std::string& why) {
    throw Error(ErrorKind::kPermissionDenied, "query_out_of_scope",
                "the query is restricted to schema '" + scope_ + "': " + why, {{"scope", scope_}});
  }

  void Target(QueryKind kind, const std::string& table) {
    shape_.kind = kind;
    shape_.target = table;
  }

  void TargetRef(duckdb::TableRef& ref) {
    if (ref.type != duckdb::TableReferenceType::BASE_TABLE) Reject("the target must be a table");
    auto& table = ref.Cast<duckdb::BaseTableRef>();
    Name(table.catalog_name, table.schema_name, table.table_name);
    Target(QueryKind::kWrite, table.table_name);
  }

  // `read`: the name is read (a table of a query, a function call), not created or written.
  void Name(const std::string& catalog, const std::string& schema, const std::string& name,
            bool read = false) {
    if (read && catalog.empty()) {
      for (const auto& allowed : read_schemas_) {
        if (duckdb::StringUtil::CIEquals(schema, allowed)) return;
      }
    }
    if (!catalog.empty()) Reject("'" + catalog + "." + schema + "." + name + "' names a database");
    if (!schema.empty() && !duckdb::StringUtil::CIEquals(schema, scope_))
      Reject("'" + schema + "." + name + "' is outside it");
  }

  void Node(duckdb::QueryNode& node) {
    Ctes(node);
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

  void Ctes(duckdb::QueryNode& node) {
    for (auto& entry : node.cte_map.map) shape_.ctes.insert(duckdb::StringUtil::Lower(entry.first));
  }

  // Called by the iterator for every table reference it reaches.
  void Leaf(duckdb::TableRef& ref) {
    if (ref.type == duckdb::TableReferenceType::SUBQUERY)
      Ctes(*ref.Cast<duckdb::SubqueryRef>().subquery->node);
    if (ref.type == duckdb::TableReferenceType::BASE_TABLE) {
      auto& table = ref.Cast<duckdb::BaseTableRef>();
      Name(table.catalog_name, table.schema_name, table.table_name, /*read=*/true);
      shape_.tables.push_back(&table);
    } else if (ref.type == duckdb::TableReferenceType::TABLE_FUNCTION) {
      if (!allow_table_functions_)
        Reject("table functions are not allowed on a linked bucket or under a read-only role");
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
    // A qualified call names a function or macro of a schema: macros of other buckets read their tables.
    // "main" is where DuckDB's parser puts the built-ins it writes for syntax ([1, 2] is main.list_value);
    // no statement can create anything there (DDL stays in the scope), so it holds built-ins only.
    if (expression->GetExpressionClass() == duckdb::ExpressionClass::FUNCTION) {
      auto& function = expression->Cast<duckdb::FunctionExpression>();
      bool builtin = function.catalog.empty() && function.schema == DEFAULT_SCHEMA;
      if (!builtin) {
        Name(function.catalog, function.schema, function.function_name, /*read=*/true);
        if (!function.schema.empty()) shape_.qualified_functions.push_back(&function);
      }
    }
    if (expression->GetExpressionClass() == duckdb::ExpressionClass::SUBQUERY) {
      auto& subquery = expression->Cast<duckdb::SubqueryExpression>();
      if (subquery.subquery) Node(*subquery.subquery->node);
    }
    duckdb::ParsedExpressionIterator::EnumerateChildren(
        *expression, [this](duckdb::unique_ptr<duckdb::ParsedExpression>& child) { Expression(child); });
  }

  std::string scope_;
  bool allow_table_functions_;
  std::vector<std::string> read_schemas_;
  bool allow_transactions_;
  QueryShape shape_;
};

}  // namespace

QueryShape CheckStatementScope(duckdb::SQLStatement& statement, const ScopeRules& rules) {
  return ScopeChecker(rules.scope, rules.allow_table_functions, rules.read_schemas, rules.allow_transactions)
      .Statement(statement);
}

QueryShape CheckWorkspaceStatement(duckdb::SQLStatement& statement,
                                   const std::vector<std::string>& storage_schemas) {
  std::vector<std::string> readable{"pg_catalog", "information_schema"};
  readable.insert(readable.end(), storage_schemas.begin(), storage_schemas.end());
  return CheckStatementScope(
      statement, {DEFAULT_SCHEMA, /*allow_table_functions=*/true, readable, /*allow_transactions=*/true});
}

}  // namespace duckstore
