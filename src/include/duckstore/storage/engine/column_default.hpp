// How a column default is written into DDL and read back from DuckDB's catalog. duckstore stores every
// default as a typed literal, so the text a caller gave is what a table description returns.
#pragma once

#include <string>

namespace duckstore {

// A typed literal for a column default: CAST('text' AS TYPE), text escaped.
std::string DefaultLiteral(const std::string& value, const std::string& type);

// The text of a default written by DefaultLiteral, from the expression DuckDB reports for it
// ("CAST('it''s' AS VARCHAR)" -> "it's"); any other expression is returned unchanged.
std::string DefaultValue(const std::string& expression);

}  // namespace duckstore
