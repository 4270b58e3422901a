// How the command-line client prints results: --output table (aligned columns, the default), json (the
// server's JSON as it came) or csv (RFC 4180, header first). Lists and single objects alike; `columns`
// picks and orders the fields shown in table and csv output (all scalar fields when empty).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace duckstore::cli {

enum class OutputFormat { kTable, kJson, kCsv };

OutputFormat ParseOutputFormat(const std::string& name);
// `rows`: an array of objects, or one object.
void PrintRows(std::ostream& out, OutputFormat format, const nlohmann::json& rows,
               const std::vector<std::string>& columns = {});
// A field as text: strings unquoted, null empty, everything else as JSON.
std::string CellText(const nlohmann::json& value);

}  // namespace duckstore::cli
