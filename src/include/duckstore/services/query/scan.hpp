// Typed table scans: a projection, AND-ed conditions, a sort and a limit, turned into one SELECT with
// bound values and streamed chunk by chunk. Transport-neutral (DAS uses it; any door streaming typed rows
// can). Conditions are hints that may be applied approximately: a scan never returns fewer rows than
// the conditions allow, it may return more (the caller rechecks), and then it drops the limit too.
#pragma once

#include <duckdb.hpp>

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "duckstore/storage/engine/project_metadata.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {

// TypedTable and its readers (LoadTypedTable, LoadCatalogTable) are storage/engine/project_metadata.hpp's.

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe, kLike, kNotLike, kILike, kNotILike };
// How a condition uses its values: one value, or a list where the comparison must hold for any / all.
enum class Quantifier { kSingle, kAny, kAll };

// `column op value`. LIKE patterns use SQL wildcards with backslash as the escape character. A NULL
// value with kEq / kNe means IS NULL / IS NOT NULL.
struct ScanCondition {
  std::string column;
  CompareOp op = CompareOp::kEq;
  Quantifier quantifier = Quantifier::kSingle;
  std::vector<duckdb::Value> values;
};

// Sort with explicit NULL placement; `collation` "" is the default, "C"/"POSIX" byte order.
struct ScanSortKey {
  std::string column;
  bool descending = false;
  bool nulls_first = false;
  std::string collation;
};

struct ScanRequest {
  std::vector<std::string> columns;  // empty: no columns, one empty row per match
  std::vector<ScanCondition> conditions;
  std::vector<ScanSortKey> sort;  // must be sortable (SortablePrefix), else kInvalidArgument
  std::optional<uint64_t> limit;
  // False when the caller dropped conditions it could not express: the limit is then not applied.
  bool conditions_complete = true;
};

struct ScanPlan {
  std::string sql;
  SqlParams params;
  std::vector<std::string> columns;  // canonical names of the result columns, in result order
  bool exact = true;                 // every condition was applied exactly
  bool limited = false;              // the limit was applied
  std::vector<std::string> skipped;  // why conditions were not applied exactly (for EXPLAIN)
};

// Plans a scan of `table` (unknown projected columns: kInvalidArgument "column_not_found"). Rules:
//  - a condition is applied only when its result is certain to match DuckDB's and a SQL engine's
//    comparison semantics: values are coerced to the column type only when the coercion is lossless
//    (numbers that do not fit compare as numbers), string ordering (<, >, ...) is never applied (it
//    depends on the caller's collation), nested and JSON columns take no conditions;
//  - kAll over a non-empty list is applied as kAny (a superset) and is inexact;
//  - the limit is applied only when every condition is exact.
ScanPlan PlanScan(const TypedTable& table, const ScanRequest& request);

// The longest prefix of `keys` whose order the scan can guarantee with NULL placement and collation as
// asked: numbers, booleans, dates, times, timestamps, binary, and strings under the C collation.
size_t SortablePrefix(const TypedTable& table, const std::vector<ScanSortKey>& keys);

// Lets another thread stop a running scan, even in the middle of DuckDB producing a chunk.
class ScanCancellation {
 public:
  // Idempotent; the scan then ends with kCancelled (or quietly, between chunks).
  void Cancel();
  bool cancelled() const;

 private:
  friend void StreamScan(duckdb::Connection&, const ScanPlan&, const std::function<bool(duckdb::DataChunk&)>&,
                         ScanCancellation*);
  mutable std::mutex mutex_;
  duckdb::Connection* running_ = nullptr;
  bool cancelled_ = false;
};

// Runs `plan` as a streaming query and hands every chunk to `sink` until the result ends, `sink`
// returns false or `cancellation` is cancelled (then the query is abandoned and its resources released).
void StreamScan(duckdb::Connection& conn, const ScanPlan& plan,
                const std::function<bool(duckdb::DataChunk&)>& sink,
                ScanCancellation* cancellation = nullptr);

// DuckDB's row estimate for the plan's conditions (from the optimizer's statistics; no data is read).
uint64_t EstimateRows(duckdb::Connection& conn, const ScanPlan& plan);

// DuckDB's physical plan for the scan, one line each.
std::vector<std::string> ExplainScan(duckdb::Connection& conn, const ScanPlan& plan);

}  // namespace duckstore
