// Descriptions of the tables and views of a project database, as the project-metadata module
// (project_metadata.hpp) reads them: plain data, no behaviour beyond lookups. They live in storage so that
// the storage layer can fill them without knowing the services; services/model/table_model.hpp re-exports
// them for every other caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace duckstore {

struct ColumnInfo {
  std::string name;
  std::string type;
  bool nullable = true;
  std::optional<std::string> default_value;
  int64_t ordinal_position = 0;  // 1-based
};

struct TableInfo {
  std::string bucket;
  std::string name;
  std::vector<ColumnInfo> columns;
  std::vector<std::string> primary_key;
  int64_t row_count = 0;
  int64_t size_bytes = 0;
  std::string created_at;
  // A view (created by a VIEW import): columns as its query returns them, no key, no stats.
  bool is_view = false;

  // Case-insensitive; nullptr when the table has no such column.
  const ColumnInfo* FindColumn(const std::string& name) const;
};

struct ViewInfo {
  std::string bucket;
  std::string name;
  std::vector<ColumnInfo> columns;  // every column nullable; no defaults
};

// Attributes of a bucket that DuckDB's catalog cannot hold (kept in _duckstore.buckets).
struct BucketAttributes {
  std::string description;
  std::string created_at;  // ISO-8601 UTC with milliseconds
};

// Attributes of a table that DuckDB's catalog cannot hold (kept in _duckstore.tables).
struct TableAttributes {
  std::vector<std::string> primary_key;  // Keboola's, not a DuckDB constraint
  std::string created_at;                // ISO-8601 UTC with milliseconds
};

}  // namespace duckstore
