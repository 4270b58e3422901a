#include "duckstore/services/import/column_plan.hpp"

#include <algorithm>
#include <set>

#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/import/import_errors.hpp"

namespace duckstore {
namespace {

std::string Lower(const std::string& text) {
  return duckdb::StringUtil::Lower(text);
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return duckdb::StringUtil::CIEquals(n, name); });
}

}  // namespace

bool IsStringType(const std::string& type) {
  return type == "VARCHAR";
}

std::string ColumnPlan::SelectList() const {
  std::string out;
  for (size_t i = 0; i < target_columns.size(); ++i) {
    out += (i ? ", " : "") + expressions[i] + " AS " + QuoteIdent(target_columns[i]);
  }
  return out;
}

std::string ColumnPlan::TargetList() const {
  std::string out;
  for (size_t i = 0; i < target_columns.size(); ++i) out += (i ? ", " : "") + QuoteIdent(target_columns[i]);
  return out;
}

ColumnPlan PlanColumns(const SourceRelation& source, const TableInfo& table, const ImportOptions& options,
                       const std::string& now) {
  ValidateSourceColumns(source.columns);
  std::map<std::string, std::string> source_by_lower;
  for (const auto& name : source.columns) source_by_lower[Lower(name)] = name;

  for (const auto& name : options.convert_empty_values_to_null) {
    if (!table.FindColumn(name)) {
      throw InvalidArgument(
          "column_not_found",
          "convertEmptyValuesToNullOnColumns names column '" + name + "', which the table lacks",
          {{"column", name}});
    }
  }

  const ColumnInfo* timestamp =
      options.timestamp_column.empty() ? nullptr : table.FindColumn(options.timestamp_column);
  if (options.timestamp_mode == TimestampMode::kFromSource && !options.timestamp_column.empty() &&
      !source_by_lower.contains(Lower(options.timestamp_column))) {
    throw ImportError(
        ErrorKind::kInvalidArgument, "columns_mismatch",
        "timestamp mode FROM_SOURCE needs column '" + options.timestamp_column + "' in the source",
        DriverCode::kColumnsCountNotMatch, {{"missing", {options.timestamp_column}}});
  }

  ColumnPlan plan;
  std::vector<std::string> missing, extra;
  for (const auto& name : source.columns) {
    if (!table.FindColumn(name)) extra.push_back(name);
  }
  for (const auto& column : table.columns) {
    auto found = source_by_lower.find(Lower(column.name));
    if (found == source_by_lower.end()) {
      if (timestamp && &column == timestamp) {
        if (options.timestamp_mode == TimestampMode::kCurrentTime) {
          plan.managed_timestamp = column.name;
          plan.target_columns.push_back(column.name);
          plan.expressions.push_back("CAST(" + now + " AS " + column.type + ")");
        }
        continue;  // kNone: the column takes its default
      }
      missing.push_back(column.name);
      continue;
    }
    const std::string& src = found->second;
    std::string ident = QuoteIdent(src);
    bool string_column = IsStringType(column.type);
    bool empty_to_null = Contains(options.convert_empty_values_to_null, column.name);
    std::string expr;
    if (source.text) {
      if (string_column) {
        if (options.import_as_null.empty()) {
          expr = empty_to_null ? ident : "COALESCE(" + ident + ", '')";
        } else {
          expr = empty_to_null ? "NULLIF(" + ident + ", '')" : ident;
        }
      } else {
        expr = "CAST(NULLIF(" + ident + ", '') AS " + column.type + ")";
        plan.casts[src] = column.type;
      }
    } else {
      expr = "CAST(" + ident + " AS " + column.type + ")";
      if (empty_to_null && string_column) expr = "NULLIF(" + expr + ", '')";
      plan.casts[src] = column.type;
    }
    plan.target_columns.push_back(column.name);
    plan.expressions.push_back(expr);
    plan.imported_columns.push_back(column.name);
  }
  if (!missing.empty() || !extra.empty()) {
    std::string message = "the source's columns do not match table '" + table.name + "'";
    if (!missing.empty()) message += "; missing in the source: " + JoinNames(missing);
    if (!extra.empty()) message += "; not in the table: " + JoinNames(extra);
    throw ImportError(ErrorKind::kInvalidArgument, "columns_mismatch", message,
                      DriverCode::kColumnsCountNotMatch, {{"missing", missing}, {"extra", extra}});
  }

  const auto& key_names = options.dedup_columns.empty() ? table.primary_key : options.dedup_columns;
  std::set<std::string> seen;
  for (const auto& name : key_names) {
    const ColumnInfo* column = table.FindColumn(name);
    if (!column) {
      throw InvalidArgument("column_not_found", "dedup column '" + name + "' does not exist",
                            {{"column", name}});
    }
    if (seen.insert(Lower(column->name)).second) plan.key.push_back(column->name);
  }
  return plan;
}

}  // namespace duckstore
