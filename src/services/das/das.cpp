#include "duckstore/services/das/das.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "duckdb/catalog/catalog_entry/macro_catalog_entry.hpp"
#include "duckdb/function/macro_function.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/model/sql_builder.hpp"
#include "duckstore/storage/engine/project_metadata.hpp"
#include "duckstore/storage/engine/project_schema.hpp"
#include "duckstore/storage/engine/typed_rows.hpp"

namespace duckstore {
namespace {

// Average width DuckDB types take in a row, for the client's cost model; variable-length values count
// as a typical short string.
constexpr uint32_t kVariableWidth = 32;

std::string Sanitize(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    char lower = static_cast<char>(std::tolower(c));
    out += (std::isalnum(c) && c < 0x80) || c == '_' ? lower : '_';
  }
  return out;
}

uint32_t WidthOf(const duckdb::LogicalType& type) {
  if (type.IsNumeric() || type.id() == duckdb::LogicalTypeId::BOOLEAN ||
      type.id() == duckdb::LogicalTypeId::DATE || type.id() == duckdb::LogicalTypeId::TIME ||
      type.id() == duckdb::LogicalTypeId::TIMESTAMP || type.id() == duckdb::LogicalTypeId::TIMESTAMP_TZ ||
      type.id() == duckdb::LogicalTypeId::INTERVAL) {
    return static_cast<uint32_t>(duckdb::GetTypeIdSize(type.InternalType()));
  }
  return kVariableWidth;
}

// The tables a scope exposes: (bucket, table) by DAS name. Ambiguous friendly names are replaced by the
// exact form; `exact` maps every table's exact form as well.
struct Directory {
  std::map<std::string, std::pair<std::string, std::string>> by_name;
  std::map<std::string, std::pair<std::string, std::string>> exact;
};

Directory ListDirectory(duckdb::Connection& conn, const DasScope& scope) {
  auto result =
      RunSql(conn,
             "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = "
             "current_database() AND NOT internal AND NOT temporary ORDER BY schema_name, table_name");
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> friendly;
  Directory out;
  for (size_t row = 0; row < result->RowCount(); ++row) {
    std::string bucket = result->GetValue(0, row).ToString();
    std::string table = result->GetValue(1, row).ToString();
    // A project's own schemas (main, _duckstore*) are not buckets; a standalone file has no such schemas.
    if (!scope.registration.standalone() && (IsReservedSchemaName(bucket) || !scope.Exposes(bucket)))
      continue;
    friendly[DasTableName(bucket, table)].emplace_back(bucket, table);
    out.exact[bucket + "/" + table] = {bucket, table};
  }
  for (auto& [name, tables] : friendly) {
    if (tables.size() == 1) {
      out.by_name[name] = tables[0];
    } else {
      for (const auto& [bucket, table] : tables) out.by_name[bucket + "/" + table] = {bucket, table};
    }
  }
  return out;
}

std::string Describe(const DasScope& scope, const TypedTable& table) {
  std::string where = scope.registration.standalone()
                          ? "Table '" + table.name + "' of schema '" + table.bucket +
                                "' in DuckDB database '" + scope.registration.database + "' (read-only)"
                          : "Table '" + table.name + "' of bucket '" + table.bucket + "' in project '" +
                                scope.registration.project_id + "', branch '" + scope.registration.branch_id +
                                "'";
  return where + (table.primary_key.empty() ? "" : "; primary key (" + [&] {
           std::string key;
           for (const auto& column : table.primary_key) key += (key.empty() ? "" : ", ") + column;
           return key;
         }() + ")");
}

// Project tables carry duckstore metadata (the primary key); a standalone file's tables only DuckDB's.
std::optional<TypedTable> LoadDasTable(duckdb::Connection& conn, const DasScope& scope,
                                       const std::string& schema, const std::string& table) {
  return scope.registration.standalone() ? LoadCatalogTable(conn, schema, table)
                                         : LoadTypedTable(conn, schema, table);
}

DasTable Find(duckdb::Connection& conn, const DasScope& scope, const std::string& name) {
  Directory directory = ListDirectory(conn, scope);
  auto it = directory.by_name.find(name);
  if (it == directory.by_name.end()) {
    it = directory.exact.find(name);
    if (it == directory.exact.end()) throw NotFound("table_not_found", "table '" + name + "' not found");
  }
  auto table = LoadDasTable(conn, scope, it->second.first, it->second.second);
  if (!table) throw NotFound("table_not_found", "table '" + name + "' not found");
  std::string description = Describe(scope, *table);
  return DasTable{name, std::move(*table), std::move(description)};
}

// The rows as a client sees them: every column of the table, in table order.
const std::string& RequireUniqueColumn(const DasTable& table) {
  if (table.table.primary_key.size() != 1) {
    throw Error(ErrorKind::kUnimplemented, "no_unique_column",
                "table '" + table.name + "' has no single-column primary key; it is read-only through DAS");
  }
  return table.table.primary_key[0];
}

// The default values of a macro's parameters by lower-cased name, as SQL literals (DuckDB keeps only
// constant defaults).
std::map<std::string, std::string> MacroDefaults(duckdb::Connection& conn, const std::string& schema,
                                                 const std::string& name, bool table_macro) {
  std::map<std::string, std::string> out;
  conn.context->RunFunctionInTransaction([&] {
    duckdb::EntryLookupInfo lookup(
        table_macro ? duckdb::CatalogType::TABLE_MACRO_ENTRY : duckdb::CatalogType::MACRO_ENTRY, name);
    auto entry = duckdb::Catalog::GetEntry(*conn.context, INVALID_CATALOG, schema, lookup,
                                           duckdb::OnEntryNotFound::RETURN_NULL);
    if (!entry) return;
    auto& macro = entry->Cast<duckdb::MacroCatalogEntry>();
    if (macro.macros.empty()) return;
    for (const auto& [param, expression] : macro.macros[0]->default_parameters) {
      out[duckdb::StringUtil::Lower(param)] = expression->ToString();
    }
  });
  return out;
}

std::vector<std::string> ListOfStrings(const duckdb::Value& value) {
  std::vector<std::string> out;
  if (value.IsNull()) return out;
  for (const auto& child : duckdb::ListValue::GetChildren(value))
    out.push_back(child.IsNull() ? "" : child.ToString());
  return out;
}

}  // namespace

std::string DasTableName(const std::string& bucket, const std::string& table) {
  return Sanitize(bucket) + "__" + Sanitize(table);
}

TableRef DasService::RefOf(const DasScope& scope, const DasTable& table) const {
  return TableRef{scope.branch(), table.table.bucket, table.table.name};
}

DasService::Connection DasService::Open(const DasScope& scope) {
  Connection open;
  if (scope.registration.standalone()) {
    auto file = standalone_.Open(scope.registration.database);
    open.conn = file->Connect();
    open.db = std::move(file);
  } else {
    auto project = branches_.Open(scope.branch());
    open.conn = project->Connect();
    open.db = std::move(project);
  }
  return open;
}

std::vector<DasTable> DasService::ListTables(const DasScope& scope) {
  auto open = Open(scope);
  Directory directory = ListDirectory(*open.conn, scope);
  std::vector<DasTable> out;
  for (const auto& [name, location] : directory.by_name) {
    auto table = LoadDasTable(*open.conn, scope, location.first, location.second);
    if (!table) continue;
    std::string description = Describe(scope, *table);
    out.push_back(DasTable{name, std::move(*table), std::move(description)});
  }
  return out;
}

DasTable DasService::GetTable(const DasScope& scope, const std::string& name) {
  auto open = Open(scope);
  return Find(*open.conn, scope, name);
}

DasEstimate DasService::Estimate(const DasScope& scope, const std::string& name, const ScanRequest& request) {
  auto open = Open(scope);
  DasTable table = Find(*open.conn, scope, name);
  ScanRequest unlimited = request;
  unlimited.limit.reset();
  unlimited.sort.clear();
  ScanPlan plan = PlanScan(table.table, unlimited);
  DasEstimate out;
  out.rows = EstimateRows(*open.conn, plan);
  for (const auto& column : table.table.columns) {
    bool wanted = request.columns.empty() ||
                  std::any_of(request.columns.begin(), request.columns.end(), [&](const std::string& c) {
                    return duckdb::StringUtil::CIEquals(c, column.name);
                  });
    if (wanted) out.row_width_bytes += WidthOf(column.type);
  }
  return out;
}

std::vector<std::string> DasService::Explain(const DasScope& scope, const std::string& name,
                                             const ScanRequest& request) {
  auto open = Open(scope);
  DasTable table = Find(*open.conn, scope, name);
  ScanPlan plan = PlanScan(table.table, request);
  std::vector<std::string> lines{plan.sql};
  for (const auto& skipped : plan.skipped) lines.push_back("not pushed down exactly: " + skipped);
  if (request.limit && !plan.limited) lines.push_back("limit not pushed down (a condition is not exact)");
  for (auto& line : ExplainScan(*open.conn, plan)) lines.push_back(std::move(line));
  return lines;
}

void DasService::Execute(const DasScope& scope, const std::string& name, const ScanRequest& request,
                         const std::function<bool(const std::vector<std::string>&, duckdb::DataChunk&)>& sink,
                         ScanCancellation* cancellation) {
  auto open = Open(scope);
  DasTable table = Find(*open.conn, scope, name);
  ScanPlan plan = PlanScan(table.table, request);
  StreamScan(
      *open.conn, plan, [&](duckdb::DataChunk& chunk) { return sink(plan.columns, chunk); }, cancellation);
}

std::vector<ScanSortKey> DasService::SortOrders(const DasScope& scope, const std::string& name,
                                                const std::vector<ScanSortKey>& keys) {
  DasTable table = GetTable(scope, name);
  size_t accepted = SortablePrefix(table.table, keys);
  return std::vector<ScanSortKey>(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(accepted));
}

std::vector<DasPathKey> DasService::PathKeys(const DasScope& scope, const std::string& name) {
  DasTable table = GetTable(scope, name);
  if (table.table.primary_key.empty()) return {};
  return {DasPathKey{table.table.primary_key, 1}};
}

std::string DasService::UniqueColumn(const DasScope& scope, const std::string& name) {
  // A client asks for the unique column before every write; a standalone database answers that it is
  // read-only (a read-only key of a project still learns the column and is refused at the write).
  if (scope.registration.standalone()) registry_.RequireWrite(scope);
  return RequireUniqueColumn(GetTable(scope, name));
}

TypedRows DasService::Insert(const DasScope& scope, const std::string& name,
                             const std::vector<TableService::TypedRow>& rows) {
  registry_.RequireWrite(scope);
  DasTable table = GetTable(scope, name);
  RequireUniqueColumn(table);
  if (rows.empty()) return TypedRows{};
  return tables_.InsertTypedRows(RefOf(scope, table), rows);
}

TypedRows DasService::Update(const DasScope& scope, const std::string& name, const duckdb::Value& key,
                             const TableService::TypedRow& row) {
  registry_.RequireWrite(scope);
  DasTable table = GetTable(scope, name);
  const std::string& unique = RequireUniqueColumn(table);
  return tables_.UpdateRowsByKey(RefOf(scope, table), unique, key, row);
}

void DasService::Delete(const DasScope& scope, const std::string& name, const duckdb::Value& key) {
  registry_.RequireWrite(scope);
  DasTable table = GetTable(scope, name);
  const std::string& unique = RequireUniqueColumn(table);
  tables_.DeleteRowsByKey(RefOf(scope, table), unique, key);
}

std::vector<DasFunction> DasService::ListFunctions(const DasScope& scope) {
  auto open = Open(scope);
  // One definition per macro name (the first overload).
  auto result =
      RunSql(*open.conn,
             "SELECT schema_name, function_name, function_type, coalesce(description, ''), parameters, "
             "parameter_types FROM duckdb_functions() WHERE database_name = current_database() AND "
             "NOT internal AND function_type IN ('macro', 'table_macro') ORDER BY schema_name, "
             "function_name, function_oid");
  std::vector<DasFunction> out;
  std::set<std::string> seen;
  for (size_t row = 0; row < result->RowCount(); ++row) {
    std::string schema = result->GetValue(0, row).ToString();
    if (!scope.registration.standalone() && duckdb::StringUtil::Lower(schema) != "main" &&
        (IsReservedSchemaName(schema) || !scope.Exposes(schema)))
      continue;
    DasFunction function;
    function.schema = schema;
    function.macro = result->GetValue(1, row).ToString();
    function.name =
        duckdb::StringUtil::Lower(schema) == "main" ? function.macro : DasTableName(schema, function.macro);
    if (!seen.insert(function.name).second) continue;
    function.table_macro = result->GetValue(2, row).ToString() == "table_macro";
    function.description = result->GetValue(3, row).ToString();
    auto names = ListOfStrings(result->GetValue(4, row));
    auto types = ListOfStrings(result->GetValue(5, row));
    auto defaults = MacroDefaults(*open.conn, schema, function.macro, function.table_macro);
    for (size_t i = 0; i < names.size(); ++i) {
      DasFunctionParameter param;
      param.name = names[i];
      if (auto it = defaults.find(duckdb::StringUtil::Lower(param.name)); it != defaults.end()) {
        param.default_value = it->second;
      }
      if (i < types.size() && !types[i].empty() && !duckdb::StringUtil::CIEquals(types[i], "ANY") &&
          !duckdb::StringUtil::CIEquals(types[i], "NULL")) {
        try {
          param.type = duckdb::TransformStringToLogicalType(types[i]);
        } catch (const std::exception&) {
        }
      }
      function.params.push_back(std::move(param));
    }
    out.push_back(std::move(function));
  }
  std::sort(out.begin(), out.end(),
            [](const DasFunction& a, const DasFunction& b) { return a.name < b.name; });
  return out;
}

DasFunctionResult DasService::ExecuteFunction(const DasScope& scope, const std::string& name,
                                              const std::vector<DasArgument>& args) {
  std::optional<DasFunction> function;
  for (auto& candidate : ListFunctions(scope)) {
    if (candidate.name == name) function = std::move(candidate);
  }
  if (!function) throw NotFound("function_not_found", "function '" + name + "' not found");
  // Arguments in parameter order: positional ones first, then named ones matched by name.
  std::vector<std::optional<duckdb::Value>> bound(function->params.size());
  size_t positional = 0;
  for (const auto& arg : args) {
    size_t index = 0;
    if (arg.name) {
      while (index < function->params.size() &&
             !duckdb::StringUtil::CIEquals(function->params[index].name, *arg.name))
        ++index;
      if (index == function->params.size()) {
        throw InvalidArgument("unknown_argument",
                              "function '" + name + "' has no parameter '" + *arg.name + "'");
      }
    } else {
      index = positional++;
      if (index >= function->params.size()) {
        throw InvalidArgument(
            "too_many_arguments",
            "function '" + name + "' takes " + std::to_string(function->params.size()) + " arguments");
      }
    }
    if (bound[index]) {
      throw InvalidArgument("duplicate_argument",
                            "parameter '" + function->params[index].name + "' is given twice");
    }
    bound[index] = arg.value;
  }
  // Leading parameters go by position; once one is left to its default, the rest go by name.
  SqlParams params;
  std::string call;
  bool named = false;
  for (size_t i = 0; i < bound.size(); ++i) {
    const auto& param = function->params[i];
    if (!bound[i]) {
      if (!param.default_value) {
        throw InvalidArgument("missing_argument",
                              "function '" + name + "' needs parameter '" + param.name + "'");
      }
      named = true;
      continue;
    }
    params.push_back(*bound[i]);
    std::string value = "$" + std::to_string(params.size());
    if (param.type) value = "CAST(" + value + " AS " + param.type->ToString() + ")";
    call += (call.empty() ? "" : ", ") + (named ? QuoteIdent(param.name) + " := " : std::string()) + value;
  }
  std::string target = QuoteIdent(function->schema) + "." + QuoteIdent(function->macro) + "(" + call + ")";
  auto open = Open(scope);
  DasFunctionResult out;
  out.table = function->table_macro;
  if (out.table) {
    auto result = RunSql(*open.conn, "SELECT * FROM " + target, params);
    out.rows = ReadTypedRows(*result);
  } else {
    auto result = RunSql(*open.conn, "SELECT " + target, params);
    out.value = result->RowCount() ? result->GetValue(0, 0) : duckdb::Value();
  }
  return out;
}

}  // namespace duckstore
