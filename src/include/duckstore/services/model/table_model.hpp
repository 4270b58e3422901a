// Transport-neutral descriptions of buckets, tables, columns and row filters, used by the services and
// filled in by every transport (REST JSON, driver protobuf, DAS). Table, column and view descriptions are
// storage's (storage/engine/metadata_types.hpp), re-exported here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "duckstore/storage/engine/metadata_types.hpp"

namespace duckstore {

// Where a bucket or table lives: a project and one of its branches ("default" = main).
struct BranchRef {
  std::string project_id;
  std::string branch_id = "default";
};

struct TableRef {
  BranchRef branch;
  std::string bucket;
  std::string table;
  std::string Qualified() const { return bucket + "." + table; }
};

struct BucketInfo {
  std::string name;
  std::string description;
  std::string created_at;
  int64_t table_count = 0;
  // Set for a linked bucket: a read-only view of a bucket another project shares.
  std::optional<std::string> source_project_id;
  std::optional<std::string> source_bucket;
};

struct ColumnDefinition {
  std::string name;
  std::string type;  // a DuckDB type; normalized by the services
  bool nullable = true;
  std::optional<std::string> default_value;  // a literal of the column's type (never an expression)
};

// One condition on one column; `values` are text, cast to the column's type by the database, so the
// comparison is typed (numbers compare as numbers). A nullopt value is SQL NULL.
enum class FilterOp { kEq, kNe, kGt, kGe, kLt, kLe, kIn, kNotIn, kLike, kNotLike, kIsNull, kIsNotNull };
struct ColumnFilter {
  std::string column;
  FilterOp op = FilterOp::kEq;
  std::vector<std::optional<std::string>> values;
  // Compare as this DuckDB type instead of the column's (Keboola's typed filters): on a string column the
  // column is cast leniently (TRY_CAST); other columns compare as their own type. Filtering nested, BLOB,
  // JSON and INTERVAL columns this way is rejected ("unsupported_filter_column").
  std::optional<std::string> compare_as;
};
// Throws kInvalidArgument("invalid_filter") for an unknown operator name (eq, ne, gt, ge, lt, le, in,
// not_in, like, not_like, is_null, is_not_null).
FilterOp ParseFilterOp(const std::string& name);

struct OrderBy {
  std::string column;
  bool descending = false;
  // Order a string column as this DuckDB type (TRY_CAST; values that do not convert sort as NULL).
  std::optional<std::string> cast_as;
};

// Rows changed in [since, until) by the `_timestamp` column Keboola tables carry (unix seconds, UTC).
struct ChangeWindow {
  std::optional<int64_t> since;
  std::optional<int64_t> until;
};

struct PreviewRequest {
  std::vector<std::string> columns;   // empty = all
  std::vector<ColumnFilter> filters;  // AND-ed
  std::vector<OrderBy> order_by;
  int64_t limit = 100;
  // Rows where any string column contains this text; cannot be combined with `filters`.
  std::optional<std::string> fulltext;
  ChangeWindow changed;
  // Cells as DuckDB's text form (strings or null) instead of typed JSON values.
  bool as_text = false;
};

// A row condition against another table: `column` [NOT] IN (SELECT ref_column FROM ref_bucket.ref_table).
struct RefTableFilter {
  std::string column;
  bool negate = false;
  std::string ref_bucket;
  std::string ref_table;
  std::string ref_column;
};

struct DeleteRowsRequest {
  std::vector<ColumnFilter> filters;
  std::vector<RefTableFilter> ref_filters;
  ChangeWindow changed;
};

}  // namespace duckstore
