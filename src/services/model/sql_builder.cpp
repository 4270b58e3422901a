#include "duckstore/services/model/sql_builder.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"

namespace duckstore {
namespace {

const ColumnInfo& RequireColumn(const TableInfo& table, const std::string& name) {
  const ColumnInfo* column = table.FindColumn(name);
  if (!column) {
    throw InvalidArgument("column_not_found",
                          "column '" + name + "' does not exist in table '" + table.name + "'",
                          {{"column", name}});
  }
  return *column;
}

// Where filter values go: bound as $n parameters, or (for view definitions, which cannot hold parameters)
// written inline as escaped literals.
class ValueSink {
 public:
  explicit ValueSink(SqlParams* params) : params_(params) {}

  // The value as text, cast to `type` (TRY_CAST when `lenient`: a value that does not convert matches
  // nothing instead of failing the query).
  std::string Typed(const std::optional<std::string>& value, const std::string& type, bool lenient = false) {
    return std::string(lenient ? "TRY_CAST(" : "CAST(") + Text(value) + " AS " + type + ")";
  }

  std::string Text(const std::optional<std::string>& value) {
    if (!params_) return value ? QuoteLiteral(*value) : std::string("NULL::VARCHAR");
    params_->push_back(value ? duckdb::Value(*value) : duckdb::Value(duckdb::LogicalType::VARCHAR));
    return "$" + std::to_string(params_->size());
  }

 private:
  SqlParams* params_;
};

bool IsStringType(const std::string& type) {
  return type == "VARCHAR" || type.starts_with("VARCHAR(");
}

// Types a typed comparison cannot filter on (the Keboola driver's BadExportFilterParameters).
bool IsUnfilterableType(const std::string& type) {
  return type == "BLOB" || type == "JSON" || type.starts_with("STRUCT") || type.starts_with("MAP") ||
         type.starts_with("UNION") || type.ends_with("]") || type == "INTERVAL";
}

const char* ComparisonSql(FilterOp op) {
  switch (op) {
    case FilterOp::kEq:
      return " = ";
    case FilterOp::kNe:
      return " <> ";
    case FilterOp::kGt:
      return " > ";
    case FilterOp::kGe:
      return " >= ";
    case FilterOp::kLt:
      return " < ";
    case FilterOp::kLe:
      return " <= ";
    default:
      return nullptr;
  }
}

}  // namespace

FilterOp ParseFilterOp(const std::string& name) {
  static const std::pair<const char*, FilterOp> kOps[] = {
      {"eq", FilterOp::kEq},          {"ne", FilterOp::kNe},
      {"gt", FilterOp::kGt},          {"ge", FilterOp::kGe},
      {"lt", FilterOp::kLt},          {"le", FilterOp::kLe},
      {"in", FilterOp::kIn},          {"not_in", FilterOp::kNotIn},
      {"like", FilterOp::kLike},      {"not_like", FilterOp::kNotLike},
      {"is_null", FilterOp::kIsNull}, {"is_not_null", FilterOp::kIsNotNull}};
  for (const auto& [text, op] : kOps) {
    if (name == text) return op;
  }
  nlohmann::json allowed = nlohmann::json::array();
  for (const auto& [text, op] : kOps) allowed.push_back(text);
  throw InvalidArgument("invalid_filter", "unknown filter operator '" + name + "'", {{"allowed", allowed}});
}

std::string QualifiedName(const std::string& bucket, const std::string& table) {
  return QuoteIdent(bucket) + "." + QuoteIdent(table);
}

namespace {

std::string BuildWhereWith(const std::vector<ColumnFilter>& filters, const TableInfo& table,
                           ValueSink& sink) {
  std::string sql;
  for (const auto& filter : filters) {
    const ColumnInfo& column = RequireColumn(table, filter.column);
    std::string ident = QuoteIdent(column.name);
    // The type both sides are compared as: the column's, or (compare_as on a string column) the requested
    // one, with the column cast leniently.
    std::string type = column.type;
    bool lenient = false;
    if (filter.compare_as) {
      if (IsUnfilterableType(column.type)) {
        throw InvalidArgument(
            "unsupported_filter_column",
            "Filtering by column \"" + column.name + "\" of type " + column.type + " is not supported",
            {{"column", column.name}, {"type", column.type}});
      }
      if (IsStringType(column.type) && !IsStringType(*filter.compare_as)) {
        type = NormalizeType(*filter.compare_as);
        lenient = true;
        ident = "TRY_CAST(" + ident + " AS " + type + ")";
      }
    }
    std::string condition;
    auto need_values = [&](size_t min, size_t max) {
      if (filter.values.size() < min || filter.values.size() > max) {
        throw InvalidArgument("invalid_filter",
                              "wrong number of values for the filter on '" + filter.column + "'",
                              {{"column", filter.column}, {"values", filter.values.size()}});
      }
    };
    if (const char* comparison = ComparisonSql(filter.op)) {
      need_values(1, 1);
      condition = ident + comparison + sink.Typed(filter.values[0], type, lenient);
    } else if (filter.op == FilterOp::kIn || filter.op == FilterOp::kNotIn) {
      need_values(1, 10'000);
      std::string list;
      for (const auto& value : filter.values) {
        list += (list.empty() ? "" : ", ") + sink.Typed(value, type, lenient);
      }
      condition = ident + (filter.op == FilterOp::kIn ? " IN (" : " NOT IN (") + list + ")";
    } else if (filter.op == FilterOp::kLike || filter.op == FilterOp::kNotLike) {
      need_values(1, 1);
      condition = "CAST(" + QuoteIdent(column.name) + " AS VARCHAR)" +
                  (filter.op == FilterOp::kLike ? " LIKE " : " NOT LIKE ") + sink.Text(filter.values[0]);
    } else {
      need_values(0, 0);
      condition = QuoteIdent(column.name) + (filter.op == FilterOp::kIsNull ? " IS NULL" : " IS NOT NULL");
    }
    sql += (sql.empty() ? " WHERE " : " AND ") + condition;
  }
  return sql;
}

}  // namespace

std::string BuildWhere(const std::vector<ColumnFilter>& filters, const TableInfo& table, SqlParams& params) {
  ValueSink sink(&params);
  return BuildWhereWith(filters, table, sink);
}

std::string BuildWhereInline(const std::vector<ColumnFilter>& filters, const TableInfo& table) {
  ValueSink sink(nullptr);
  return BuildWhereWith(filters, table, sink);
}

std::string BuildFulltext(const std::string& term, const TableInfo& table, SqlParams& params) {
  params.push_back(duckdb::Value(term));
  std::string any;
  for (const auto& column : table.columns) {
    if (column.type == "VARCHAR")
      any += (any.empty() ? "" : " OR ") + ("contains(" + QuoteIdent(column.name) + ", $") +
             std::to_string(params.size()) + ")";
  }
  return any.empty() ? "false" : any;
}

std::string BuildOrderBy(const std::vector<OrderBy>& order_by, const TableInfo& table) {
  std::string sql;
  for (const auto& order : order_by) {
    const ColumnInfo& column = RequireColumn(table, order.column);
    std::string key = QuoteIdent(column.name);
    if (order.cast_as && IsStringType(column.type) && !IsStringType(*order.cast_as))
      key = "TRY_CAST(" + key + " AS " + NormalizeType(*order.cast_as) + ")";
    sql += (sql.empty() ? " ORDER BY " : ", ") + key + (order.descending ? " DESC" : " ASC");
  }
  return sql;
}

std::string NormalizeType(const std::string& type) {
  auto reject = [&] {
    throw InvalidArgument("invalid_type", "'" + type + "' is not a DuckDB type", {{"type", type}});
  };
  // Fast lexical gate before the parser: type names, precision/scale, array suffixes, nested types.
  for (char c : type) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '_' || c == '(' || c == ')' ||
              c == ',' || c == '[' || c == ']' || c == '"';
    if (!ok) reject();
  }
  if (type.empty()) reject();
  try {
    auto parsed = duckdb::TransformStringToLogicalType(type);
    // JSON is the one named (extension) type every project database has: the json extension is built in.
    if (parsed.id() == duckdb::LogicalTypeId::USER &&
        duckdb::StringUtil::CIEquals(duckdb::UserType::GetTypeName(parsed), "json")) {
      return "JSON";
    }
    if (parsed.id() == duckdb::LogicalTypeId::USER || parsed.id() == duckdb::LogicalTypeId::INVALID) reject();
    return parsed.ToString();
  } catch (const Error&) {
    throw;
  } catch (const std::exception&) {
    reject();
  }
  return {};
}

}  // namespace duckstore
