// Matches a source's columns to the destination table's by name (case-insensitively, never by position)
// and builds the SELECT list that converts source values into destination values:
//
// - text sources (CSV): values equal to an importAsNull marker are NULL; an empty value is NULL in a
//   non-string column, and in a string column stays '' unless the column is listed in
//   convertEmptyValuesToNullOnColumns; other values are CAST to the column type.
// - typed sources (Parquet, tables): values are CAST to the column type; listed string columns turn ''
//   into NULL.
// - the managed timestamp column (TimestampMode::kCurrentTime, destination has it, source lacks it) gets
//   the import's start time.
//
// A source column the table lacks, or a table column the source lacks (other than a managed or unmanaged
// timestamp column), is kInvalidArgument("columns_mismatch", driver code 4100) listing both sides.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "duckstore/services/import/import_request.hpp"
#include "duckstore/services/import/source_reader.hpp"

namespace duckstore {

struct ColumnPlan {
  std::vector<std::string> target_columns;       // destination columns written, canonical names
  std::vector<std::string> expressions;          // one SQL expression over the source per target column
  std::vector<std::string> imported_columns;     // destination columns the source fills
  std::vector<std::string> key;                  // deduplication key (canonical names); empty = none
  std::optional<std::string> managed_timestamp;  // set to the import time on inserted/changed rows
  std::map<std::string, std::string> casts;      // source column -> destination type it is cast to

  // "expr AS "col", ..." over the source.
  std::string SelectList() const;
  // ""col", ..." of the target columns.
  std::string TargetList() const;
};

// `now` is the import's start time as a TIMESTAMP literal expression.
ColumnPlan PlanColumns(const SourceRelation& source, const TableInfo& table, const ImportOptions& options,
                       const std::string& now);

// True for DuckDB's string type (VARCHAR and its aliases as LoadTable reports them).
bool IsStringType(const std::string& type);

}  // namespace duckstore
