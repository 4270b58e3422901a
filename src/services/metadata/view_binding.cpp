#include "duckstore/services/metadata/view_binding.hpp"

#include "duckdb/parser/expression/subquery_expression.hpp"
#include "duckdb/parser/parsed_data/create_view_info.hpp"
#include "duckdb/parser/parsed_expression_iterator.hpp"
#include "duckdb/parser/parser.hpp"
#include "duckdb/parser/statement/create_statement.hpp"
#include "duckdb/parser/statement/select_statement.hpp"
#include "duckdb/parser/tableref/basetableref.hpp"

namespace duckstore {
namespace {

// Visits every base table reference of a query node at any depth. DuckDB's iterator walks table
// references, joins, subqueries in FROM and CTE bodies; subqueries inside expressions are followed here.
class TableRefWalker {
 public:
  explicit TableRefWalker(std::function<void(duckdb::BaseTableRef&)> visit) : visit_(std::move(visit)) {}

  void Node(duckdb::QueryNode& node) {
    duckdb::ParsedExpressionIterator::EnumerateQueryNodeChildren(
        node, [this](duckdb::unique_ptr<duckdb::ParsedExpression>& child) { Expression(child); },
        [this](duckdb::TableRef& ref) {
          if (ref.type == duckdb::TableReferenceType::BASE_TABLE) visit_(ref.Cast<duckdb::BaseTableRef>());
        });
  }

 private:
  void Expression(duckdb::unique_ptr<duckdb::ParsedExpression>& expression) {
    if (!expression) return;
    if (expression->GetExpressionClass() == duckdb::ExpressionClass::SUBQUERY) {
      auto& subquery = expression->Cast<duckdb::SubqueryExpression>();
      if (subquery.subquery) Node(*subquery.subquery->node);
    }
    duckdb::ParsedExpressionIterator::EnumerateChildren(
        *expression, [this](duckdb::unique_ptr<duckdb::ParsedExpression>& child) { Expression(child); });
  }

  std::function<void(duckdb::BaseTableRef&)> visit_;
};

}  // namespace

std::optional<std::string> RelocateViewReferences(
    const std::string& create_view_sql,
    const std::function<std::optional<std::string>(const ViewReference&)>& relocate) {
  duckdb::Parser parser;
  try {
    parser.ParseQuery(create_view_sql);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (parser.statements.size() != 1 ||
      parser.statements[0]->type != duckdb::StatementType::CREATE_STATEMENT) {
    return std::nullopt;
  }
  auto& info = *parser.statements[0]->Cast<duckdb::CreateStatement>().info;
  if (info.type != duckdb::CatalogType::VIEW_ENTRY) return std::nullopt;
  auto& view = info.Cast<duckdb::CreateViewInfo>();
  if (!view.query) return std::nullopt;
  bool changed = false;
  TableRefWalker([&](duckdb::BaseTableRef& ref) {
    auto catalog = relocate(ViewReference{ref.catalog_name, ref.schema_name, ref.table_name});
    if (catalog && *catalog != ref.catalog_name) {
      ref.catalog_name = *catalog;
      changed = true;
    }
  }).Node(*view.query->node);
  if (!changed) return std::nullopt;
  view.on_conflict = duckdb::OnCreateConflict::REPLACE_ON_CONFLICT;
  return view.ToString();
}

}  // namespace duckstore
