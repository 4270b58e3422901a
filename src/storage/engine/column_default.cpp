#include "duckstore/storage/engine/column_default.hpp"

#include <string_view>

#include "duckstore/common/identifiers.hpp"

namespace duckstore {

std::string DefaultLiteral(const std::string& value, const std::string& type) {
  return "CAST(" + QuoteLiteral(value) + " AS " + type + ")";
}

std::string DefaultValue(const std::string& expression) {
  constexpr std::string_view kPrefix = "CAST('";
  if (!expression.starts_with(kPrefix)) return expression;
  std::string value;
  for (size_t i = kPrefix.size(); i < expression.size(); ++i) {
    if (expression[i] != '\'') {
      value += expression[i];
    } else if (i + 1 < expression.size() && expression[i + 1] == '\'') {
      value += '\'';  // '' is an escaped quote
      ++i;
    } else {
      std::string_view rest = std::string_view(expression).substr(i + 1);
      return rest.starts_with(" AS ") && rest.ends_with(")") ? value : expression;
    }
  }
  return expression;
}

}  // namespace duckstore
