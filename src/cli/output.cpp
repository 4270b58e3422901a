#include "duckstore/cli/output.hpp"

#include <algorithm>

#include "duckstore/cli/rest_client.hpp"

namespace duckstore::cli {
namespace {

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Control characters would let a value move the cursor or clear the terminal: shown escaped in tables.
std::string Printable(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Display width of UTF-8 text: code points, not bytes (wide characters count as one; good enough here).
size_t Width(const std::string& text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

OutputFormat ParseOutputFormat(const std::string& name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "json") return OutputFormat::kJson;
  if (name == "csv") return OutputFormat::kCsv;
  throw ApiError(0, "invalid_output", "--output must be table, json or csv");
}

std::string CellText(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

void PrintRows(std::ostream& out, OutputFormat format, const nlohmann::json& rows,
               const std::vector<std::string>& columns) {
  if (format == OutputFormat::kJson) {
    out << rows.dump(2) << "\n";
    return;
  }
  nlohmann::json list = rows.is_array() ? rows : nlohmann::json::array({rows});
  std::vector<std::string> names = columns;
  if (names.empty()) {
    for (const auto& row : list) {
      for (const auto& [name, value] : row.items()) {
        if (!value.is_structured() && std::find(names.begin(), names.end(), name) == names.end())
          names.push_back(name);
      }
    }
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : list) {
    auto& line = cells.emplace_back();
    for (const auto& name : names) line.push_back(row.contains(name) ? CellText(row[name]) : "");
  }
  if (format == OutputFormat::kCsv) {
    for (size_t i = 0; i < names.size(); ++i) out << (i ? "," : "") << CsvField(names[i]);
    out << "\n";
    for (const auto& line : cells) {
      for (size_t i = 0; i < line.size(); ++i) out << (i ? "," : "") << CsvField(line[i]);
      out << "\n";
    }
    return;
  }
  std::vector<size_t> widths;
  widths.reserve(names.size());
  for (const auto& name : names) widths.push_back(Width(name));
  for (auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i) {
      line[i] = Printable(line[i]);
      widths[i] = std::max(widths[i], Width(line[i]));
    }
  }
  auto print_line = [&](const std::vector<std::string>& line) {
    for (size_t i = 0; i < line.size(); ++i) {
      out << line[i];
      if (i + 1 < line.size()) out << std::string(widths[i] - Width(line[i]) + 2, ' ');
    }
    out << "\n";
  };
  std::vector<std::string> header;
  for (const auto& name : names) {
    std::string upper = name;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    header.push_back(upper);
  }
  print_line(header);
  for (const auto& line : cells) print_line(line);
}

}  // namespace duckstore::cli
