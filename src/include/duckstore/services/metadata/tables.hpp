// Tables of a bucket: definition (columns, Keboola primary key), structure changes, preview and profile, row
// writes. One class, implemented by responsibility: table_ddl.cpp (definitions and structure),
// table_reads.cpp (preview, profile), table_time_travel.cpp, table_rows.cpp (text row writes, deletion by
// conditions), table_typed_rows.cpp (typed writes). How a table is opened on a branch is table_access.hpp's;
// reading a table's description is storage/engine/project_metadata.hpp's.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>
#include "duckdb/common/types/value.hpp"

#include "duckstore/services/audit/operation_log.hpp"
#include "duckstore/services/metadata/branch_view.hpp"
#include "duckstore/services/model/table_model.hpp"
#include "duckstore/storage/engine/typed_rows.hpp"

namespace duckstore {

struct ColumnChange {
  std::optional<std::string> new_name;
  std::optional<std::string> type;
  std::optional<bool> nullable;
  // Outer optional: change the default or not; inner nullopt: remove the default.
  std::optional<std::optional<std::string>> default_value;
};

struct PreviewResult {
  std::vector<std::string> columns;
  std::vector<std::vector<nlohmann::json>> rows;
  // Cells whose text was cut to kPreviewMaxCellChars: (row index, column index).
  std::vector<std::pair<size_t, size_t>> truncated;
  int64_t total_row_count = 0;
};

// Statistics of a table and each of its columns (the Keboola driver's profile): table keys rowCount,
// columnCount, dataSize; column keys distinctCount, duplicateCount (non-NULL values minus distinct ones),
// nullCount, plus numericStatistics {avg, median, min, max} for numbers and length {avg, min, max} for
// strings. A metric that cannot be computed for a column is left out (and logged).
struct TableProfile {
  std::string bucket;
  std::string table;
  nlohmann::json profile;
  std::vector<std::pair<std::string, nlohmann::json>> columns;
};

struct DeleteRowsResult {
  int64_t deleted_rows = 0;
  int64_t rows_after = 0;
};

// The column a table's writes stamp with the write time, when the table has it (Keboola's convention).
inline constexpr const char* kTimestampColumn = "_timestamp";

inline constexpr int64_t kPreviewDefaultLimit = 100;
inline constexpr int64_t kPreviewMaxLimit = 1000;
inline constexpr size_t kPreviewMaxCellChars = 16384;

class TableService {
 public:
  TableService(BranchResolver& branches, OperationLog& ops) : branches_(branches), ops_(ops) {}

  TableInfo Create(const TableRef& ref, const std::vector<ColumnDefinition>& columns,
                   const std::vector<std::string>& primary_key);
  Page<TableInfo> List(const BranchRef& branch, const std::string& bucket, const PageRequest& page);
  TableInfo Get(const TableRef& ref);
  void Delete(const TableRef& ref);

  TableInfo AddColumn(const TableRef& ref, const ColumnDefinition& column);
  TableInfo DropColumn(const TableRef& ref, const std::string& column);
  TableInfo AlterColumn(const TableRef& ref, const std::string& column, const ColumnChange& change);
  // Checks the data first: NULLs or duplicates in the key columns give kConflict with examples.
  struct PrimaryKeyOptions {
    // Keboola driver semantics: a key column must already be NOT NULL (kInvalidArgument
    // "primary_key_column_nullable") instead of being made NOT NULL when it holds no NULLs.
    bool require_not_null_columns = false;
    bool check_duplicates = true;
  };
  TableInfo AddPrimaryKey(const TableRef& ref, const std::vector<std::string>& columns,
                          const PrimaryKeyOptions& options);
  TableInfo AddPrimaryKey(const TableRef& ref, const std::vector<std::string>& columns) {
    return AddPrimaryKey(ref, columns, PrimaryKeyOptions{});
  }
  TableInfo DropPrimaryKey(const TableRef& ref);

  PreviewResult Preview(const TableRef& ref, const PreviewRequest& request);
  TableProfile Profile(const TableRef& ref);
  // A new table `destination` with `source`'s data as of `unix_seconds`. duckstore retains no history of
  // table data, so only what provably is that state could be served; nothing is: kNotFound
  // ("table_not_found") when the source did not exist then (or does not now), otherwise
  // kInvalidArgument("time_travel_data_not_retained"). Validates both tables first.
  TableInfo CreateFromTimeTravel(const TableRef& source, const TableRef& destination, int64_t unix_seconds);
  // Appends rows given as column name -> text value (nullopt = NULL); values are cast to the column types,
  // columns left out take their defaults. All rows or none are inserted. Returns the rows after.
  using Row = std::vector<std::pair<std::string, std::optional<std::string>>>;
  int64_t InsertRows(const TableRef& ref, const std::vector<Row>& rows);
  // No conditions = truncate.
  DeleteRowsResult DeleteRows(const TableRef& ref, const DeleteRowsRequest& request);
  DeleteRowsResult DeleteRows(const TableRef& ref, const std::vector<ColumnFilter>& filters) {
    return DeleteRows(ref, DeleteRowsRequest{filters, {}, {}});
  }

  // Typed writes (DAS). A typed row maps column names to values, cast to the column types (kUnprocessable
  // "invalid_data" when impossible). A NULL for a NOT NULL column that has a default takes the default;
  // a `_timestamp` column is set to the write time. All rows or none are written; the rows as stored are
  // returned.
  using TypedRow = std::vector<std::pair<std::string, duckdb::Value>>;
  TypedRows InsertTypedRows(const TableRef& ref, const std::vector<TypedRow>& rows);
  // Replaces the given columns of the rows whose `key_column` equals `key`; kNotFound "row_not_found"
  // when there is none.
  TypedRows UpdateRowsByKey(const TableRef& ref, const std::string& key_column, const duckdb::Value& key,
                            const TypedRow& values);
  // Deletes the rows whose `key_column` equals `key`; returns how many.
  int64_t DeleteRowsByKey(const TableRef& ref, const std::string& key_column, const duckdb::Value& key);

 private:
  BranchResolver& branches_;
  OperationLog& ops_;
};

}  // namespace duckstore
