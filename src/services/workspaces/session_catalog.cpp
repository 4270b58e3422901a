#include "duckstore/services/workspaces/session_catalog.hpp"

#include "duckdb/parser/expression/columnref_expression.hpp"
#include "duckdb/parser/expression/constant_expression.hpp"
#include "duckdb/parser/expression/function_expression.hpp"
#include "duckdb/parser/expression/subquery_expression.hpp"
#include "duckdb/parser/parsed_data/create_table_info.hpp"
#include "duckdb/parser/parsed_data/create_view_info.hpp"
#include "duckdb/parser/parsed_expression_iterator.hpp"
#include "duckdb/parser/statement/list.hpp"
#include "duckdb/parser/tableref/basetableref.hpp"
#include "duckdb/parser/tableref/table_function_ref.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/storage/engine/project_schema.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {
namespace {

using duckdb::StringUtil;

// One emulated relation and the condition narrowing it to the session's database. In the conditions,
// {db} is the database's name in the instance and {class} the session's narrowed pg_class.
struct Narrowed {
  const char* schema;
  const char* name;
  const char* condition;
  const char* rename = nullptr;  // a column holding the database's name, shown as the workspace id
};

// {hidden} is the internal schema every attached database carries (project_schema.hpp): not the client's.
constexpr const char* kSchemasOfDb =
    "(SELECT oid FROM duckdb_schemas() WHERE database_name = {db} AND schema_name <> {hidden})";
constexpr const char* kOfClass = "IN (SELECT oid FROM {class})";

const std::vector<Narrowed>& Relations() {
  static const std::vector<Narrowed> kRelations = {
      {"pg_catalog", "pg_namespace", "oid IN {schemas}"},
      {"pg_catalog", "pg_class", "relnamespace IN {schemas}"},
      {"pg_catalog", "pg_attribute", "attrelid {of_class}"},
      {"pg_catalog", "pg_attrdef", "adrelid {of_class}"},
      {"pg_catalog", "pg_index", "indrelid {of_class}"},
      {"pg_catalog", "pg_constraint", "conrelid {of_class}"},
      {"pg_catalog", "pg_description", "objoid {of_class}"},
      {"pg_catalog", "pg_sequence", "seqrelid {of_class}"},
      {"pg_catalog", "pg_tables",
       "EXISTS (SELECT 1 FROM duckdb_tables() d WHERE d.database_name = {db} AND d.schema_name = schemaname "
       "AND schemaname <> {hidden} "
       "AND d.table_name = tablename)"},
      {"pg_catalog", "pg_views",
       "EXISTS (SELECT 1 FROM duckdb_views() d WHERE d.database_name = {db} AND d.schema_name = schemaname "
       "AND schemaname <> {hidden} "
       "AND d.view_name = viewname)"},
      {"pg_catalog", "pg_indexes",
       "EXISTS (SELECT 1 FROM duckdb_indexes() d WHERE d.database_name = {db} AND d.schema_name = schemaname "
       "AND schemaname <> {hidden} "
       "AND d.index_name = indexname)"},
      {"pg_catalog", "pg_sequences",
       "EXISTS (SELECT 1 FROM duckdb_sequences() d WHERE d.database_name = {db} AND d.schema_name = "
       "schemaname AND schemaname <> {hidden} AND d.sequence_name = sequencename)"},
      {"pg_catalog", "pg_database", "datname = {db}", "datname"},
      {"information_schema", "schemata", "catalog_name = {db} AND schema_name <> {hidden}", "catalog_name"},
      {"information_schema", "tables", "table_catalog = {db} AND table_schema <> {hidden}", "table_catalog"},
      {"information_schema", "columns", "table_catalog = {db} AND table_schema <> {hidden}", "table_catalog"},
      {"information_schema", "views", "table_catalog = {db} AND table_schema <> {hidden}", "table_catalog"},
      {"information_schema", "table_constraints", "table_catalog = {db} AND table_schema <> {hidden}",
       "table_catalog"},
      {"information_schema", "key_column_usage", "table_catalog = {db} AND table_schema <> {hidden}",
       "table_catalog"},
      {"information_schema", "constraint_column_usage", "table_catalog = {db} AND table_schema <> {hidden}",
       "table_catalog"},
      {"information_schema", "constraint_table_usage", "table_catalog = {db} AND table_schema <> {hidden}",
       "table_catalog"},
      {"information_schema", "referential_constraints",
       "constraint_catalog = {db} AND constraint_schema <> {hidden}", "constraint_catalog"},
      {"information_schema", "check_constraints",
       "constraint_catalog = {db} AND constraint_schema <> {hidden}", "constraint_catalog"},
  };
  return kRelations;
}

// The session's view of `relation` (in the connection's temporary schema).
std::string ViewName(const Narrowed& relation) {
  return std::string("__session_") + relation.schema + "_" + relation.name;
}

const Narrowed* Find(const std::string& schema, const std::string& name) {
  for (const auto& relation : Relations()) {
    if (StringUtil::CIEquals(name, relation.name) &&
        (StringUtil::CIEquals(schema, relation.schema) ||
         (schema.empty() && std::string(relation.schema) == "pg_catalog")))
      return &relation;
  }
  return nullptr;
}

std::string Substitute(std::string text, const std::string& db, const std::string& class_view) {
  text = StringUtil::Replace(text, "{schemas}", kSchemasOfDb);
  text = StringUtil::Replace(text, "{of_class}", kOfClass);
  text = StringUtil::Replace(text, "{class}", class_view);
  text = StringUtil::Replace(text, "{hidden}", QuoteLiteral(kInternalSchema));
  return StringUtil::Replace(text, "{db}", db);
}

// The statement walk: session functions replaced, catalog relations redirected, instance metadata refused.
class Rewriter {
 public:
  Rewriter(const std::string& workspace, const std::string& user) : workspace_(workspace), user_(user) {}

  void Statement(duckdb::SQLStatement& statement) {
    using duckdb::StatementType;
    switch (statement.type) {
      case StatementType::SELECT_STATEMENT:
        Node(*statement.Cast<duckdb::SelectStatement>().node);
        break;
      case StatementType::INSERT_STATEMENT: {
        auto& insert = statement.Cast<duckdb::InsertStatement>();
        if (insert.select_statement) Node(*insert.select_statement->node);
        break;
      }
      case StatementType::UPDATE_STATEMENT: {
        auto& update = statement.Cast<duckdb::UpdateStatement>();
        if (update.from_table) Table(*update.from_table);
        if (update.set_info) {
          Expression(update.set_info->condition);
          for (auto& expression : update.set_info->expressions) Expression(expression);
        }
        break;
      }
      case StatementType::DELETE_STATEMENT: {
        auto& del = statement.Cast<duckdb::DeleteStatement>();
        for (auto& ref : del.using_clauses) Table(*ref);
        Expression(del.condition);
        break;
      }
      case StatementType::CREATE_STATEMENT: {
        auto& info = *statement.Cast<duckdb::CreateStatement>().info;
        if (info.type == duckdb::CatalogType::TABLE_ENTRY) {
          auto& table = info.Cast<duckdb::CreateTableInfo>();
          if (table.query) Node(*table.query->node);
        } else if (info.type == duckdb::CatalogType::VIEW_ENTRY) {
          auto& view = info.Cast<duckdb::CreateViewInfo>();
          if (view.query) Node(*view.query->node);
        }
        break;
      }
      default:
        break;
    }
  }

 private:
  void Node(duckdb::QueryNode& node) {
    duckdb::ParsedExpressionIterator::EnumerateQueryNodeChildren(
        node, [this](duckdb::unique_ptr<duckdb::ParsedExpression>& child) { Expression(child); },
        [this](duckdb::TableRef& ref) { Ref(ref); });
  }

  // A table reference with everything below it.
  void Table(duckdb::TableRef& ref) {
    duckdb::ParsedExpressionIterator::EnumerateTableRefChildren(
        ref, [this](duckdb::unique_ptr<duckdb::ParsedExpression>& child) { Expression(child); },
        [this](duckdb::TableRef& leaf) { Ref(leaf); });
  }

  void Ref(duckdb::TableRef& ref) {
    if (ref.type == duckdb::TableReferenceType::BASE_TABLE) {
      auto& table = ref.Cast<duckdb::BaseTableRef>();
      const Narrowed* relation =
          table.catalog_name.empty() ? Find(table.schema_name, table.table_name) : nullptr;
      if (!relation) return;
      if (table.alias.empty()) table.alias = table.table_name;
      table.catalog_name = TEMP_CATALOG;
      table.schema_name = DEFAULT_SCHEMA;
      table.table_name = ViewName(*relation);
    } else if (ref.type == duckdb::TableReferenceType::TABLE_FUNCTION) {
      auto& function = ref.Cast<duckdb::TableFunctionRef>();
      if (!function.function || function.function->GetExpressionClass() != duckdb::ExpressionClass::FUNCTION)
        return;
      auto name = StringUtil::Lower(function.function->Cast<duckdb::FunctionExpression>().function_name);
      if (StringUtil::StartsWith(name, "duckdb_") || StringUtil::StartsWith(name, "pragma_")) {
        throw Error(ErrorKind::kPermissionDenied, "query_out_of_scope",
                    "table function " + name + "() describes the whole server and is not allowed");
      }
    }
  }

  void Expression(duckdb::unique_ptr<duckdb::ParsedExpression>& expression) {
    if (!expression) return;
    // DuckDB parses current_user, session_user, user and current_catalog as column names (bound to its own
    // functions when no column has the name); PostgreSQL reads them as keywords.
    if (expression->GetExpressionClass() == duckdb::ExpressionClass::COLUMN_REF) {
      auto& column = expression->Cast<duckdb::ColumnRefExpression>();
      if (!column.IsQualified()) {
        if (auto value = SessionValue(StringUtil::Lower(column.GetColumnName()))) {
          std::string alias = column.alias.empty() ? StringUtil::Lower(column.GetColumnName()) : column.alias;
          expression = duckdb::make_uniq<duckdb::ConstantExpression>(duckdb::Value(*value));
          expression->alias = alias;
          return;
        }
      }
    }
    if (expression->GetExpressionClass() == duckdb::ExpressionClass::FUNCTION) {
      auto& function = expression->Cast<duckdb::FunctionExpression>();
      if (auto value = Replacement(function)) {
        std::string alias =
            function.alias.empty() ? StringUtil::Lower(function.function_name) : function.alias;
        expression = duckdb::make_uniq<duckdb::ConstantExpression>(duckdb::Value(*value));
        expression->alias = alias;
        return;
      }
    }
    if (expression->GetExpressionClass() == duckdb::ExpressionClass::SUBQUERY) {
      auto& subquery = expression->Cast<duckdb::SubqueryExpression>();
      if (subquery.subquery) Node(*subquery.subquery->node);
    }
    duckdb::ParsedExpressionIterator::EnumerateChildren(
        *expression, [this](duckdb::unique_ptr<duckdb::ParsedExpression>& child) { Expression(child); });
  }

  std::optional<std::string> Replacement(const duckdb::FunctionExpression& function) const {
    // DuckDB reads "pg_catalog.version()" as version(pg_catalog) (dot call syntax): accept both forms.
    bool dotted = function.children.size() == 1 &&
                  function.children[0]->GetExpressionClass() == duckdb::ExpressionClass::COLUMN_REF &&
                  function.children[0]->ToString() == "pg_catalog";
    if (!function.catalog.empty() || (!function.children.empty() && !dotted)) return std::nullopt;
    if (!function.schema.empty() && function.schema != "pg_catalog") return std::nullopt;
    auto name = StringUtil::Lower(function.function_name);
    if (name == "version")
      return "PostgreSQL 15.0 (duckstore " DUCKSTORE_VERSION ", DuckDB " +
             std::string(duckdb::DuckDB::LibraryVersion()) + ")";
    if (name == "current_database") return workspace_;
    return SessionValue(name);
  }

  // The value of a session keyword (current_user ...), nullopt for other names.
  std::optional<std::string> SessionValue(const std::string& name) const {
    if (name == "current_user" || name == "session_user" || name == "user") return user_;
    if (name == "current_catalog") return workspace_;
    return std::nullopt;
  }

  const std::string& workspace_;
  const std::string& user_;
};

}  // namespace

SessionCatalog::SessionCatalog(std::string alias, std::string workspace, std::string user)
    : alias_(std::move(alias)), workspace_(std::move(workspace)), user_(std::move(user)) {}

void SessionCatalog::CreateViews(duckdb::Connection& conn) const {
  std::string db = QuoteLiteral(alias_);
  std::string class_view = std::string(TEMP_CATALOG) + "." + DEFAULT_SCHEMA + "." +
                           QuoteIdent(ViewName(*Find("pg_catalog", "pg_class")));
  for (const auto& relation : Relations()) {
    std::string columns = "*";
    if (relation.rename)
      columns = "* REPLACE (" + QuoteLiteral(workspace_) + " AS " + QuoteIdent(relation.rename) + ")";
    RunDdl(conn, "CREATE TEMPORARY VIEW " + QuoteIdent(ViewName(relation)) + " AS SELECT " + columns +
                     " FROM " + QuoteIdent(relation.schema) + "." + QuoteIdent(relation.name) + " WHERE " +
                     Substitute(relation.condition, db, class_view));
  }
}

void SessionCatalog::Apply(duckdb::SQLStatement& statement) const {
  Rewriter(workspace_, user_).Statement(statement);
}

}  // namespace duckstore
