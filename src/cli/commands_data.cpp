// Client subcommands for buckets and tables: list, create (tables from a column list or a CSV's header),
// describe, preview with filters and sort, delete.
#include <fstream>
#include <iostream>

#include "duckstore/cli/commands.hpp"

namespace duckstore::cli {
namespace {

// The first record of a CSV file: its column names (quoted names, doubled quotes, a UTF-8 BOM, CRLF).
std::vector<std::string> CsvHeader(const std::string& path, char delimiter) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ApiError(0, "file_not_readable", "cannot read " + path);
  std::vector<std::string> names(1);
  bool quoted = false;
  bool first = true;
  for (char c; in.get(c);) {
    if (first && c == '\xEF') {  // a UTF-8 byte order mark
      char rest[2];
      if (in.read(rest, 2) && rest[0] == '\xBB' && rest[1] == '\xBF') {
        first = false;
        continue;
      }
      throw ApiError(0, "invalid_csv", path + " does not start with a valid header");
    }
    first = false;
    if (quoted) {
      if (c == '"') {
        if (in.peek() == '"') {
          names.back() += static_cast<char>(in.get());
        } else {
          quoted = false;
        }
      } else {
        names.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter) {
      names.emplace_back();
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      names.back() += c;
    }
  }
  if (names.size() == 1 && names[0].empty()) throw ApiError(0, "invalid_csv", path + " has no header line");
  return names;
}

// "name:TYPE" (TYPE defaults to VARCHAR).
nlohmann::json ColumnOf(const std::string& spec) {
  auto colon = spec.find(':');
  if (colon == 0) throw ApiError(0, "invalid_column", "a column is name[:TYPE], not '" + spec + "'");
  return {{"name", spec.substr(0, colon)},
          {"type", colon == std::string::npos ? "VARCHAR" : spec.substr(colon + 1)}};
}

// "column=value", "column!=value", "column>value"... as a REST filter.
nlohmann::json FilterOf(const std::string& spec) {
  static const std::vector<std::pair<std::string, std::string>> kOperators = {
      {"!=", "ne"}, {">=", "ge"}, {"<=", "le"}, {"=", "eq"}, {">", "gt"}, {"<", "lt"}};
  for (const auto& [symbol, name] : kOperators) {
    auto at = spec.find(symbol);
    if (at == std::string::npos || at == 0) continue;
    return {{"column", spec.substr(0, at)}, {"operator", name}, {"value", spec.substr(at + symbol.size())}};
  }
  throw ApiError(0, "invalid_filter", "a filter is column=value (or != > >= < <=), not '" + spec + "'");
}

void AddBuckets(CLI::App& app, ClientOptions& o) {
  auto* buckets = app.add_subcommand("buckets", "buckets of the branch");
  buckets->require_subcommand(1);
  buckets->add_subcommand("list", "list buckets")->callback([&o] {
    o.Print(ListAll(o.Client(), o.BranchPath() + "/buckets", "buckets"),
            {"name", "description", "table_count", "is_linked", "created_at"});
  });
  auto* create = buckets->add_subcommand("create", "create a bucket");
  auto name = Value(*create, "name", "bucket name, e.g. in.c-sales");
  auto description = Value(*create, "--description", "description", false);
  create->callback([&o, name, description] {
    o.Print(o.Client().Call("POST", o.BranchPath() + "/buckets",
                            {{"name", *name}, {"description", *description}}),
            {"name", "description", "created_at"});
  });
  auto* remove = buckets->add_subcommand("delete", "delete a bucket");
  auto remove_name = Value(*remove, "name", "bucket name");
  remove->callback([&o, remove_name] {
    o.Client().Call("DELETE", o.BranchPath() + "/buckets/" + Segment(*remove_name));
    std::cerr << "deleted bucket " << *remove_name << "\n";
  });
}

void AddTables(CLI::App& app, ClientOptions& o) {
  auto* tables = app.add_subcommand("tables", "tables of a bucket");
  tables->require_subcommand(1);
  auto* list = tables->add_subcommand("list", "tables with row counts and sizes");
  auto list_bucket = Value(*list, "bucket", "bucket name");
  list->callback([&o, list_bucket] {
    o.Print(ListAll(o.Client(), o.BranchPath() + "/buckets/" + Segment(*list_bucket) + "/tables", "tables"),
            {"name", "type", "row_count", "size_bytes", "primary_key", "created_at"});
  });

  auto* create =
      tables->add_subcommand("create", "create a table from --column name:TYPE... or a CSV's header");
  auto bucket = Value(*create, "bucket", "bucket name");
  auto table = Value(*create, "table", "table name");
  auto columns = std::make_shared<std::vector<std::string>>();
  create->add_option("-c,--column", *columns, "a column name[:TYPE] (repeatable; TYPE defaults to VARCHAR)");
  auto from_csv =
      Value(*create, "--from-csv", "take the column names from this CSV file's header (VARCHAR)", false);
  auto delimiter = Value(*create, "--delimiter", "the CSV's delimiter (default ,)", false);
  auto primary_key = std::make_shared<std::vector<std::string>>();
  create->add_option("--primary-key", *primary_key, "primary key column (repeatable)");
  create->callback([&o, bucket, table, columns, from_csv, delimiter, primary_key] {
    if (columns->empty() == from_csv->empty()) {
      throw ApiError(0, "invalid_arguments", "give either --column (one or more) or --from-csv");
    }
    nlohmann::json definition = nlohmann::json::array();
    for (const auto& spec : *columns) definition.push_back(ColumnOf(spec));
    if (!from_csv->empty()) {
      for (const auto& name : CsvHeader(*from_csv, delimiter->empty() ? ',' : (*delimiter)[0]))
        definition.push_back({{"name", name}, {"type", "VARCHAR"}});
    }
    nlohmann::json body = {{"name", *table}, {"columns", definition}};
    if (!primary_key->empty()) body["primary_key"] = *primary_key;
    auto created = o.Client().Call("POST", o.BranchPath() + "/buckets/" + Segment(*bucket) + "/tables", body);
    o.Print(created, {"name", "bucket", "row_count", "primary_key", "created_at"});
  });

  auto* describe = tables->add_subcommand("describe", "a table's columns, primary key and statistics");
  auto describe_bucket = Value(*describe, "bucket", "bucket name");
  auto describe_table = Value(*describe, "table", "table name");
  describe->callback([&o, describe_bucket, describe_table] {
    auto info = o.Client().Call("GET", o.TablePath(*describe_bucket, *describe_table));
    if (o.Format() == OutputFormat::kJson) return o.Print(info);
    nlohmann::json columns = nlohmann::json::array();
    const auto& key = info["primary_key"];
    for (const auto& column : info["columns"]) {
      bool in_key = std::find(key.begin(), key.end(), column["name"]) != key.end();
      columns.push_back({{"column", column["name"]},
                         {"type", column["type"]},
                         {"nullable", column["nullable"]},
                         {"default", column["default"]},
                         {"primary_key", in_key}});
    }
    o.Print(columns, {"column", "type", "nullable", "default", "primary_key"});
    if (o.Format() == OutputFormat::kTable) {
      std::cout << "\nrows: " << CellText(info["row_count"]) << "  size: " << CellText(info["size_bytes"])
                << " bytes  created: " << CellText(info["created_at"]) << "\n";
    }
  });

  auto* preview = tables->add_subcommand("preview", "rows of a table, filtered and sorted on the server");
  auto preview_bucket = Value(*preview, "bucket", "bucket name");
  auto preview_table = Value(*preview, "table", "table name");
  auto where = std::make_shared<std::vector<std::string>>();
  preview->add_option("-w,--where", *where,
                      "filter column=value (or != > >= < <=); repeatable, all must hold");
  auto order = std::make_shared<std::vector<std::string>>();
  preview->add_option("--order-by", *order, "column[:desc] (repeatable)");
  auto limit = std::make_shared<int>(100);
  preview->add_option("--limit", *limit, "rows at most (default 100)")->check(CLI::Range(1, 1000));
  preview->callback([&o, preview_bucket, preview_table, where, order, limit] {
    nlohmann::json body = {
        {"limit", *limit}, {"filters", nlohmann::json::array()}, {"order_by", nlohmann::json::array()}};
    for (const auto& spec : *where) body["filters"].push_back(FilterOf(spec));
    for (const auto& spec : *order) {
      std::string column = spec, direction = "asc";
      if (auto colon = spec.rfind(':'); colon != std::string::npos) {
        direction = spec.substr(colon + 1);
        column = spec.substr(0, colon);
      }
      body["order_by"].push_back({{"column", column}, {"order", direction}});
    }
    auto result = o.Client().Call("POST", o.TablePath(*preview_bucket, *preview_table) + "/preview", body);
    if (o.Format() == OutputFormat::kJson) return o.Print(result);
    o.Print(result["rows"], result["columns"].get<std::vector<std::string>>());
  });

  auto* remove = tables->add_subcommand("delete", "delete a table");
  auto remove_bucket = Value(*remove, "bucket", "bucket name");
  auto remove_table = Value(*remove, "table", "table name");
  remove->callback([&o, remove_bucket, remove_table] {
    o.Client().Call("DELETE", o.TablePath(*remove_bucket, *remove_table));
    std::cerr << "deleted table " << *remove_bucket << "." << *remove_table << "\n";
  });
}

}  // namespace

void AddDataCommands(CLI::App& app, ClientOptions& options) {
  AddBuckets(app, options);
  AddTables(app, options);
}

}  // namespace duckstore::cli
