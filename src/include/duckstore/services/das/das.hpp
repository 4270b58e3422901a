// The Data Access Service over duckstore tables: the rules behind the DAS gRPC services (table naming,
// scans with pushdown, estimates, unique columns, writes, functions), independent of the wire format.
//
// Every call takes a DasScope resolved by DasRegistry (which checks the registration's key each time). A
// scope exposes either a project branch's tables or, read-only, every table of a standalone DuckDB file
// (named the same way, with its schema in place of the bucket: `main.orders` is `main__orders`).
// Table names: a table `orders` of bucket `in.c-sales` is `in_c_sales__orders` (each name lower-cased,
// every character outside [a-z0-9_] replaced by '_', joined by "__"). Should two tables map to the same
// name, each is published by its exact form `<bucket>/<table>` instead ('/' never occurs in names);
// the exact form is accepted for every table. docs/design/das.md.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "duckstore/services/das/das_registry.hpp"
#include "duckstore/services/metadata/tables.hpp"
#include "duckstore/services/query/scan.hpp"

namespace duckstore {

struct DasTable {
  std::string name;  // the DAS table name
  TypedTable table;
  std::string description;
};

struct DasEstimate {
  uint64_t rows = 0;
  uint32_t row_width_bytes = 0;
};

struct DasPathKey {
  std::vector<std::string> columns;
  uint64_t expected_rows = 0;
};

struct DasFunctionParameter {
  std::string name;
  std::optional<duckdb::LogicalType> type;   // nullopt: untyped macro parameter
  std::optional<std::string> default_value;  // SQL text of the default
};

struct DasFunction {
  std::string name;  // DAS function name (macros of bucket schemas are prefixed like tables)
  std::string schema;
  std::string macro;
  bool table_macro = false;
  std::string description;
  std::vector<DasFunctionParameter> params;
};

struct DasArgument {
  std::optional<std::string> name;  // nullopt: positional
  duckdb::Value value;
};

// A function's result: a scalar macro gives one value; a table macro its rows.
struct DasFunctionResult {
  bool table = false;
  duckdb::Value value;
  TypedRows rows;
};

// The DAS name of a table (the friendly form described above).
std::string DasTableName(const std::string& bucket, const std::string& table);

class DasService {
 public:
  DasService(BranchResolver& branches, StandaloneDatabases& standalone, TableService& tables,
             DasRegistry& registry)
      : branches_(branches), standalone_(standalone), tables_(tables), registry_(registry) {}

  std::vector<DasTable> ListTables(const DasScope& scope);
  // kNotFound "table_not_found" for names that are not (or no longer) exposed.
  DasTable GetTable(const DasScope& scope, const std::string& name);

  DasEstimate Estimate(const DasScope& scope, const std::string& name, const ScanRequest& request);
  std::vector<std::string> Explain(const DasScope& scope, const std::string& name,
                                   const ScanRequest& request);
  // Streams the scan: `sink` gets the plan's result column names and every chunk; it returns false to stop.
  void Execute(const DasScope& scope, const std::string& name, const ScanRequest& request,
               const std::function<bool(const std::vector<std::string>&, duckdb::DataChunk&)>& sink,
               ScanCancellation* cancellation = nullptr);
  std::vector<ScanSortKey> SortOrders(const DasScope& scope, const std::string& name,
                                      const std::vector<ScanSortKey>& keys);
  // Equality on the primary key columns finds one row.
  std::vector<DasPathKey> PathKeys(const DasScope& scope, const std::string& name);
  // The single-column primary key; kUnimplemented "no_unique_column" for tables without one and
  // "read_only_database" for a standalone database (read-only, like every write).
  std::string UniqueColumn(const DasScope& scope, const std::string& name);

  // Writes need a key with write access to the branch and a table with a unique column.
  TypedRows Insert(const DasScope& scope, const std::string& name,
                   const std::vector<TableService::TypedRow>& rows);
  TypedRows Update(const DasScope& scope, const std::string& name, const duckdb::Value& key,
                   const TableService::TypedRow& row);
  void Delete(const DasScope& scope, const std::string& name, const duckdb::Value& key);

  // Scalar and table macros of the project database (`main` and the exposed buckets).
  std::vector<DasFunction> ListFunctions(const DasScope& scope);
  // Runs a macro with bound arguments (named ones matched to the parameters); kNotFound
  // "function_not_found" for unknown names.
  DasFunctionResult ExecuteFunction(const DasScope& scope, const std::string& name,
                                    const std::vector<DasArgument>& args);

 private:
  // A connection to the registration's database (a project branch or a standalone file), keeping the
  // database open while it lives.
  struct Connection {
    std::shared_ptr<void> db;
    std::unique_ptr<duckdb::Connection> conn;
  };
  Connection Open(const DasScope& scope);
  TableRef RefOf(const DasScope& scope, const DasTable& table) const;

  BranchResolver& branches_;
  StandaloneDatabases& standalone_;
  TableService& tables_;
  DasRegistry& registry_;
};

}  // namespace duckstore
