// The one owner of the project-metadata schema `_duckstore.*` (created by project_schema.hpp) and of the
// readers of table and view descriptions. Every statement on `_duckstore.*` is here; services call these
// typed functions and never write that SQL (scripts/check_layers.py keeps it so). docs/design/metadata.md.
//
// Every function works on the default database of `conn` (the project database, a dev branch's database or
// a linked bucket's source: whatever the caller's connection resolves unqualified names in) and runs inside
// the caller's transaction when there is one, so a table and its attributes change together. Names match
// case-insensitively, as DuckDB matches schema and table names; names returned are canonical.
#pragma once

#include <duckdb.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "duckstore/storage/engine/metadata_types.hpp"

namespace duckstore {

// ---- Table and view descriptions ----

// How much LoadTable reads: the definition alone (columns, key) is a catalog lookup; the row count and
// storage size cost a count and a walk over the table's storage segments.
enum class TableDetail { kDefinition, kWithStats };

// Reads a table (DuckDB's catalog plus _duckstore attributes; key: the Keboola key, else the PRIMARY KEY,
// else the first UNIQUE constraint); nullopt if none or a view. row_count, size_bytes 0 for kDefinition.
std::optional<TableInfo> LoadTable(duckdb::Connection& conn, const std::string& bucket,
                                   const std::string& table, TableDetail detail = TableDetail::kWithStats);

// Reads the named tables of one bucket as LoadTable does, in the order given, skipping names that are not
// tables (any more). For listings: the attributes of all of them are read in one query, where a LoadTable
// each would scan _duckstore.tables once per table (a cost that grew with the project's size).
std::vector<TableInfo> LoadTables(duckdb::Connection& conn, const std::string& bucket,
                                  const std::vector<std::string>& tables,
                                  TableDetail detail = TableDetail::kWithStats);

// Reads a view; nullopt if there is none of that name.
std::optional<ViewInfo> LoadView(duckdb::Connection& conn, const std::string& bucket,
                                 const std::string& view);

// A view as a TableInfo (is_view set): its columns as LoadView reads them, nullable, no key, no stats
// (counting would run the view's query).
std::optional<TableInfo> LoadViewAsTable(duckdb::Connection& conn, const std::string& bucket,
                                         const std::string& view);

struct TypedColumn {
  std::string name;
  duckdb::LogicalType type;
  bool nullable = true;
};

// A table with DuckDB types (what a typed scan needs to bind values and check orderings).
struct TypedTable {
  std::string bucket;
  std::string name;
  std::vector<TypedColumn> columns;
  std::vector<std::string> primary_key;

  const TypedColumn* Find(const std::string& column) const;  // case-insensitive
};

// A table of a project database with its column types and Keboola primary key; nullopt if it does not
// exist.
std::optional<TypedTable> LoadTypedTable(duckdb::Connection& conn, const std::string& bucket,
                                         const std::string& table);

// A table from DuckDB's catalog alone (any DuckDB database, no duckstore metadata): the key (the PRIMARY KEY,
// else the first UNIQUE constraint) and NOT NULL are DuckDB's constraints. nullopt if it does not exist.
std::optional<TypedTable> LoadCatalogTable(duckdb::Connection& conn, const std::string& schema,
                                           const std::string& table);

// ---- Bucket attributes (_duckstore.buckets) ----

// nullopt when the bucket has no attributes row.
std::optional<BucketAttributes> LoadBucketAttributes(duckdb::Connection& conn, const std::string& bucket);
// Records a new bucket, created now.
void RecordBucket(duckdb::Connection& conn, const std::string& bucket, const std::string& description);
// Forgets a dropped bucket: its attributes and those of all its tables.
void ForgetBucket(duckdb::Connection& conn, const std::string& bucket);

// ---- Table attributes (_duckstore.tables) ----

// nullopt when the table has no attributes row.
std::optional<TableAttributes> LoadTableAttributes(duckdb::Connection& conn, const std::string& bucket,
                                                   const std::string& table);
// The attributes of every table of a bucket that has them, by lower-cased name, in one query (LoadTables).
std::map<std::string, TableAttributes> LoadBucketTableAttributes(duckdb::Connection& conn,
                                                                 const std::string& bucket);
// Records a new table with its Keboola primary key, created now.
void RecordTable(duckdb::Connection& conn, const std::string& bucket, const std::string& table,
                 const std::vector<std::string>& primary_key);
// Forgets a dropped table's attributes.
void ForgetTable(duckdb::Connection& conn, const std::string& bucket, const std::string& table);
// Replaces a table's Keboola primary key (empty: none).
void SavePrimaryKey(duckdb::Connection& conn, const std::string& bucket, const std::string& table,
                    const std::vector<std::string>& primary_key);
// When the table was created, "YYYY-MM-DD HH:MM:SS" UTC; nullopt when it has no attributes row.
std::optional<std::string> TableCreatedAt(duckdb::Connection& conn, const std::string& bucket,
                                          const std::string& table);

// ---- Copy-on-write of a dev branch (attributes copied from the database `source_catalog`) ----

void CopyBucketAttributes(duckdb::Connection& conn, const std::string& source_catalog,
                          const std::string& bucket);
void CopyTableAttributes(duckdb::Connection& conn, const std::string& source_catalog,
                         const std::string& bucket, const std::string& table);

// ---- Tombstones of a dev branch (_duckstore.branch_hidden); `table` "" stands for the whole bucket ----

bool IsHidden(duckdb::Connection& conn, const std::string& bucket, const std::string& table);
void RecordHidden(duckdb::Connection& conn, const std::string& bucket, const std::string& table);
// Removes one tombstone; returns whether there was one.
bool ForgetHidden(duckdb::Connection& conn, const std::string& bucket, const std::string& table);
// Removes every tombstone of a bucket (the bucket's own and its tables').
void ForgetHiddenInBucket(duckdb::Connection& conn, const std::string& bucket);
// Lower-cased names of the hidden buckets.
std::set<std::string> HiddenBuckets(duckdb::Connection& conn);
// Lower-cased names of the hidden tables of a bucket.
std::set<std::string> HiddenTables(duckdb::Connection& conn, const std::string& bucket);

}  // namespace duckstore
