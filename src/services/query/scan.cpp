#include "duckstore/services/query/scan.hpp"
#include "duckdb/main/client_context.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/common/scope_exit.hpp"
#include "duckstore/services/model/sql_builder.hpp"

namespace duckstore {
namespace {

using duckdb::LogicalType;
using duckdb::LogicalTypeId;

bool IsNumeric(const LogicalType& type) {
  return type.IsNumeric();
}

bool IsString(const LogicalType& type) {
  return type.id() == LogicalTypeId::VARCHAR && !type.IsJSONType();
}

bool IsTemporal(const LogicalType& type) {
  switch (type.id()) {
    case LogicalTypeId::DATE:
    case LogicalTypeId::TIME:
    case LogicalTypeId::TIMESTAMP:
    case LogicalTypeId::TIMESTAMP_SEC:
    case LogicalTypeId::TIMESTAMP_MS:
    case LogicalTypeId::TIMESTAMP_NS:
    case LogicalTypeId::TIMESTAMP_TZ:
      return true;
    default:
      return false;
  }
}

// Types whose comparisons (=, <, ...) and order are the same in DuckDB and in the SQL engines DAS clients
// run (PostgreSQL): numbers (NaN largest in both), booleans, dates and times, byte strings.
bool HasPortableOrder(const LogicalType& type) {
  return IsNumeric(type) || type.id() == LogicalTypeId::BOOLEAN || IsTemporal(type) ||
         type.id() == LogicalTypeId::BLOB;
}

// Equality is portable for these as well: strings (deterministic collations compare bytes), enums and
// UUIDs (compared through their text), intervals.
bool HasPortableEquality(const LogicalType& type) {
  return HasPortableOrder(type) || IsString(type) || type.id() == LogicalTypeId::ENUM ||
         type.id() == LogicalTypeId::UUID || type.id() == LogicalTypeId::INTERVAL;
}

bool IsByteOrderCollation(const std::string& collation) {
  return collation == "C" || collation == "POSIX" || collation == "c" || collation == "posix";
}

// `value` as a value of `type` when the conversion loses nothing (it converts back to the same value);
// numbers that do not convert losslessly are kept as they are, since comparing numbers of different
// types is exact in SQL. nullopt: the value cannot be compared with the column.
std::optional<duckdb::Value> Coerce(const duckdb::Value& value, const LogicalType& type) {
  if (value.type() == type) return value;
  duckdb::Value cast, back;
  std::string error;
  if (value.DefaultTryCastAs(type, cast, &error, /*strict=*/true) &&
      cast.DefaultTryCastAs(value.type(), back, &error, /*strict=*/true) && !back.IsNull() &&
      duckdb::Value::NotDistinctFrom(back, value)) {
    return cast;
  }
  if (IsNumeric(value.type()) && IsNumeric(type)) return value;
  return std::nullopt;
}

const char* OperatorSql(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "<>";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
    case CompareOp::kLike:
      return "LIKE";
    case CompareOp::kNotLike:
      return "NOT LIKE";
    case CompareOp::kILike:
      return "ILIKE";
    case CompareOp::kNotILike:
      return "NOT ILIKE";
  }
  return "=";
}

bool IsPattern(CompareOp op) {
  return op == CompareOp::kLike || op == CompareOp::kNotLike || op == CompareOp::kILike ||
         op == CompareOp::kNotILike;
}

bool IsOrdering(CompareOp op) {
  return op == CompareOp::kLt || op == CompareOp::kLe || op == CompareOp::kGt || op == CompareOp::kGe;
}

// Whether `op` may be applied to a column of `type` with the same result as the client's engine.
bool Applicable(CompareOp op, const LogicalType& type) {
  if (IsPattern(op)) return IsString(type);
  if (IsOrdering(op)) return HasPortableOrder(type);
  return HasPortableEquality(type);
}

// The SQL of one condition (appending its bound values), or nullopt with `why` set when it is skipped.
// `exact` is cleared when the condition is applied as a superset.
std::optional<std::string> ConditionSql(const TypedTable& table, const ScanCondition& condition,
                                        SqlParams& params, bool& exact, std::string& why) {
  const TypedColumn* column = table.Find(condition.column);
  if (!column) {
    why = "unknown column";
    return std::nullopt;
  }
  std::string ident = QuoteIdent(column->name);
  if (condition.quantifier == Quantifier::kSingle) {
    if (condition.values.size() != 1) {
      why = "a single comparison needs one value";
      return std::nullopt;
    }
    const auto& value = condition.values[0];
    if (value.IsNull()) {
      if (condition.op == CompareOp::kEq) return ident + " IS NULL";
      if (condition.op == CompareOp::kNe) return ident + " IS NOT NULL";
      why = "comparison with NULL";
      return std::nullopt;
    }
  }
  if (!Applicable(condition.op, column->type)) {
    why = std::string(OperatorSql(condition.op)) + " on " + column->type.ToString() + " is not portable";
    return std::nullopt;
  }
  // Every non-NULL value, coerced; NULLs never make a comparison true, so ANY can drop them.
  std::vector<duckdb::Value> values;
  for (const auto& value : condition.values) {
    if (value.IsNull()) {
      if (condition.quantifier == Quantifier::kSingle) {
        why = "comparison with NULL";
        return std::nullopt;
      }
      continue;
    }
    auto coerced =
        IsPattern(condition.op) ? Coerce(value, LogicalType::VARCHAR) : Coerce(value, column->type);
    if (!coerced) {
      why = "value " + value.ToString() + " does not convert to " + column->type.ToString();
      return std::nullopt;
    }
    values.push_back(std::move(*coerced));
  }
  if (condition.quantifier == Quantifier::kAll) {
    // x op ALL(list) implies x op ANY(list) for a non-empty list: ANY is a superset. Empty ALL is true.
    if (condition.values.empty()) {
      why = "ALL over an empty list";
      return std::nullopt;
    }
    exact = false;
    why = "ALL applied as ANY";
  }
  if (values.empty()) return std::string("FALSE");  // ANY over no non-NULL value is never true
  auto param = [&](duckdb::Value value) {
    params.push_back(std::move(value));
    return "$" + std::to_string(params.size());
  };
  auto compare = [&](const duckdb::Value& value) {
    std::string sql = ident + " " + OperatorSql(condition.op) + " " + param(value);
    if (IsPattern(condition.op)) sql += " ESCAPE '\\'";
    return sql;
  };
  if (values.size() == 1) return compare(values[0]);
  if (condition.op == CompareOp::kEq) {
    std::string list;
    for (const auto& value : values) list += (list.empty() ? "" : ", ") + param(value);
    return ident + " IN (" + list + ")";
  }
  std::string any;
  for (const auto& value : values) any += (any.empty() ? "(" : " OR ") + compare(value);
  return any + ")";
}

bool Sortable(const TypedTable& table, const ScanSortKey& key) {
  const TypedColumn* column = table.Find(key.column);
  if (!column) return false;
  if (IsString(column->type)) return IsByteOrderCollation(key.collation);
  return key.collation.empty() || IsByteOrderCollation(key.collation) ? HasPortableOrder(column->type)
                                                                      : false;
}

// The first "Estimated Cardinality" in an EXPLAIN (FORMAT JSON) tree (the root's).
std::optional<uint64_t> FindCardinality(const nlohmann::json& node) {
  if (node.is_object()) {
    if (auto extra = node.find("extra_info"); extra != node.end() && extra->is_object()) {
      if (auto card = extra->find("Estimated Cardinality"); card != extra->end()) {
        std::string text = card->is_string() ? card->get<std::string>() : card->dump();
        text.erase(std::remove(text.begin(), text.end(), '~'), text.end());
        try {
          return std::stoull(text);
        } catch (const std::exception&) {
        }
      }
    }
    if (auto children = node.find("children"); children != node.end()) return FindCardinality(*children);
  } else if (node.is_array()) {
    for (const auto& child : node) {
      if (auto found = FindCardinality(child)) return found;
    }
  }
  return std::nullopt;
}

duckdb::unique_ptr<duckdb::QueryResult> Execute(duckdb::Connection& conn, const std::string& sql,
                                                const SqlParams& params, bool stream) {
  auto prepared = conn.Prepare(sql);
  if (prepared->HasError()) ThrowSqlError(prepared->GetErrorObject());
  auto values = params;
  auto pending = prepared->PendingQuery(values, stream);
  if (pending->HasError()) ThrowSqlError(pending->GetErrorObject());
  auto result = pending->Execute();
  if (result->HasError()) ThrowSqlError(result->GetErrorObject());
  return result;
}

}  // namespace

ScanPlan PlanScan(const TypedTable& table, const ScanRequest& request) {
  ScanPlan plan;
  std::set<std::string> seen;
  std::string select;
  for (const auto& name : request.columns) {
    const TypedColumn* column = table.Find(name);
    if (!column) {
      throw InvalidArgument("column_not_found",
                            "column '" + name + "' does not exist in table '" + table.name + "'",
                            {{"column", name}});
    }
    if (!seen.insert(duckdb::StringUtil::Lower(column->name)).second) continue;
    plan.columns.push_back(column->name);
    select += (select.empty() ? "" : ", ") + QuoteIdent(column->name);
  }
  // Without columns every matching row still counts: one constant per row.
  plan.sql = "SELECT " + (select.empty() ? std::string("NULL") : select) + " FROM " +
             QualifiedName(table.bucket, table.name);

  std::string where;
  for (const auto& condition : request.conditions) {
    std::string why;
    auto sql = ConditionSql(table, condition, plan.params, plan.exact, why);
    if (sql) {
      where += (where.empty() ? " WHERE " : " AND ") + *sql;
    } else {
      plan.exact = false;
    }
    if (!why.empty()) plan.skipped.push_back(condition.column + ": " + why);
  }
  plan.sql += where;

  if (!request.sort.empty()) {
    if (SortablePrefix(table, request.sort) != request.sort.size()) {
      throw InvalidArgument("unsupported_sort", "the requested order cannot be guaranteed");
    }
    std::string order;
    for (const auto& key : request.sort) {
      order += (order.empty() ? " ORDER BY " : ", ") + QuoteIdent(table.Find(key.column)->name) +
               (key.descending ? " DESC" : " ASC") + (key.nulls_first ? " NULLS FIRST" : " NULLS LAST");
    }
    plan.sql += order;
  }
  if (request.limit && plan.exact && request.conditions_complete) {
    plan.sql += " LIMIT " + std::to_string(*request.limit);
    plan.limited = true;
  }
  return plan;
}

size_t SortablePrefix(const TypedTable& table, const std::vector<ScanSortKey>& keys) {
  size_t n = 0;
  while (n < keys.size() && Sortable(table, keys[n])) ++n;
  return n;
}

void ScanCancellation::Cancel() {
  std::lock_guard lock(mutex_);
  if (cancelled_) return;
  cancelled_ = true;
  if (running_) running_->Interrupt();
}

bool ScanCancellation::cancelled() const {
  std::lock_guard lock(mutex_);
  return cancelled_;
}

void StreamScan(duckdb::Connection& conn, const ScanPlan& plan,
                const std::function<bool(duckdb::DataChunk&)>& sink, ScanCancellation* cancellation) {
  if (cancellation) {
    std::lock_guard lock(cancellation->mutex_);
    if (cancellation->cancelled_) return;
    cancellation->running_ = &conn;
  }
  ScopeExit unregister([&] {
    if (!cancellation) return;
    std::lock_guard lock(cancellation->mutex_);
    cancellation->running_ = nullptr;
  });
  auto result = Execute(conn, plan.sql, plan.params, /*stream=*/true);
  while (true) {
    auto chunk = result->Fetch();
    if (result->HasError()) ThrowSqlError(result->GetErrorObject());
    if (!chunk || chunk->size() == 0) return;
    if (cancellation && cancellation->cancelled()) return;
    if (!sink(*chunk)) return;
  }
}

uint64_t EstimateRows(duckdb::Connection& conn, const ScanPlan& plan) {
  auto result = Execute(conn, "EXPLAIN (FORMAT JSON) " + plan.sql, plan.params, /*stream=*/false);
  auto& materialized = result->Cast<duckdb::MaterializedQueryResult>();
  for (size_t row = 0; row < materialized.RowCount(); ++row) {
    auto text = materialized.GetValue(1, row).ToString();
    auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (auto rows = FindCardinality(parsed)) return *rows;
  }
  return 0;
}

std::vector<std::string> ExplainScan(duckdb::Connection& conn, const ScanPlan& plan) {
  auto result = Execute(conn, "EXPLAIN " + plan.sql, plan.params, /*stream=*/false);
  auto& materialized = result->Cast<duckdb::MaterializedQueryResult>();
  std::vector<std::string> lines;
  for (size_t row = 0; row < materialized.RowCount(); ++row) {
    std::string text = materialized.GetValue(1, row).ToString();
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      if (line.find_first_not_of(' ') != std::string::npos) lines.push_back(std::move(line));
      start = end + 1;
    }
  }
  return lines;
}

}  // namespace duckstore
