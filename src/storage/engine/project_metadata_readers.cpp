// The readers of table and view descriptions: DuckDB's catalog (lookups, not scans of duckdb_columns())
// joined with the _duckstore attributes.
#include "duckstore/storage/engine/project_metadata.hpp"

#include <set>

#include "duckdb/catalog/catalog.hpp"
#include "duckdb/catalog/catalog_entry/table_catalog_entry.hpp"
#include "duckdb/catalog/catalog_entry/view_catalog_entry.hpp"
#include "duckdb/catalog/entry_lookup_info.hpp"
#include "duckdb/main/attached_database.hpp"
#include "duckdb/main/client_context.hpp"
#include "duckdb/parser/constraints/not_null_constraint.hpp"
#include "duckdb/parser/constraints/unique_constraint.hpp"
#include "duckdb/storage/storage_manager.hpp"
#include "duckdb/storage/table_storage_info.hpp"

#include "duckstore/common/identifiers.hpp"
#include "duckstore/storage/engine/column_default.hpp"
#include "duckstore/storage/engine/project_schema.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {
namespace {

// The catalog entry of `name` in `schema` of the connection's default database when it is of `type`,
// handed to `read` inside a transaction; false when there is none.
bool WithEntry(duckdb::Connection& conn, const std::string& schema, const std::string& name,
               duckdb::CatalogType type, const std::function<void(duckdb::CatalogEntry&)>& read) {
  bool found = false;
  conn.context->RunFunctionInTransaction([&] {
    duckdb::EntryLookupInfo lookup(type, name);
    auto entry = duckdb::Catalog::GetEntry(*conn.context, INVALID_CATALOG, schema, lookup,
                                           duckdb::OnEntryNotFound::RETURN_NULL);
    if (!entry || entry->type != type) return;
    read(*entry);
    found = true;
  });
  return found;
}

std::set<duckdb::idx_t> NotNullColumns(duckdb::TableCatalogEntry& table) {
  std::set<duckdb::idx_t> not_null;
  for (const auto& constraint : table.GetConstraints()) {
    if (constraint->type == duckdb::ConstraintType::NOT_NULL) {
      not_null.insert(constraint->Cast<duckdb::NotNullConstraint>().index.index);
    }
  }
  return not_null;
}

// The key DuckDB enforces on a table: its PRIMARY KEY, else its first UNIQUE constraint (in declaration
// order); empty when it has neither. Names as the table's columns spell them.
std::vector<std::string> EnforcedKey(duckdb::TableCatalogEntry& table) {
  std::vector<std::string> unique_key;
  for (const auto& constraint : table.GetConstraints()) {
    if (constraint->type != duckdb::ConstraintType::UNIQUE) continue;
    const auto& unique = constraint->Cast<duckdb::UniqueConstraint>();
    std::vector<std::string> key;
    if (unique.HasIndex()) {
      key.push_back(table.GetColumn(unique.GetIndex()).Name());
    } else {
      for (const auto& name : unique.GetColumnNames()) key.push_back(table.GetColumn(name).Name());
    }
    if (unique.IsPrimaryKey()) return key;
    if (unique_key.empty()) unique_key = std::move(key);
  }
  return unique_key;
}

// Bytes of storage the table uses: its distinct persistent (checkpointed) blocks times the database's block
// size, read from DuckDB's catalog and storage manager (what pragma_database_size reports, without a query).
// Read from the catalog entry: pragma_storage_info() takes the table as a qualified-name string whose parser
// has no escape for '"' inside a quoted name.
int64_t PersistentBytes(duckdb::Connection& conn, const std::string& bucket, const std::string& table) {
  std::set<duckdb::block_id_t> blocks;
  duckdb::idx_t block_size = 0;
  conn.context->RunFunctionInTransaction([&] {
    auto& entry =
        duckdb::Catalog::GetEntry<duckdb::TableCatalogEntry>(*conn.context, INVALID_CATALOG, bucket, table);
    for (const auto& segment : entry.GetColumnSegmentInfo()) {
      if (segment.persistent) blocks.insert(segment.block_id);
    }
    block_size = entry.ParentCatalog().GetAttached().GetStorageManager().GetDatabaseSize().block_size;
  });
  return static_cast<int64_t>(blocks.size() * block_size);
}

}  // namespace

const ColumnInfo* TableInfo::FindColumn(const std::string& name) const {
  for (const auto& column : columns) {
    if (duckdb::StringUtil::CIEquals(column.name, name)) return &column;
  }
  return nullptr;
}

const TypedColumn* TypedTable::Find(const std::string& column) const {
  for (const auto& c : columns) {
    if (duckdb::StringUtil::CIEquals(c.name, column)) return &c;
  }
  return nullptr;
}

namespace {

// A table's definition from DuckDB's catalog (key: the one DuckDB enforces); nullopt if none or a view.
std::optional<TableInfo> LoadDefinition(duckdb::Connection& conn, const std::string& bucket,
                                        const std::string& table) {
  if (IsReservedSchemaName(bucket)) return std::nullopt;
  TableInfo info;
  bool found =
      WithEntry(conn, bucket, table, duckdb::CatalogType::TABLE_ENTRY, [&](duckdb::CatalogEntry& entry) {
        auto& table_entry = entry.Cast<duckdb::TableCatalogEntry>();
        info.bucket = table_entry.schema.name;
        info.name = table_entry.name;
        info.primary_key = EnforcedKey(table_entry);
        auto not_null = NotNullColumns(table_entry);
        for (const auto& column : table_entry.GetColumns().Logical()) {
          ColumnInfo out;
          out.name = column.Name();
          out.type = column.Type().ToString();
          out.nullable = !not_null.contains(column.Logical().index);
          if (column.HasDefaultValue()) out.default_value = DefaultValue(column.DefaultValue().ToString());
          out.ordinal_position = static_cast<int64_t>(column.Logical().index) + 1;
          info.columns.push_back(std::move(out));
        }
      });
  if (!found) return std::nullopt;
  return info;
}

// Completes a definition with its _duckstore attributes (when it has them) and, for kWithStats, its stats.
void Complete(duckdb::Connection& conn, TableInfo& info, std::optional<TableAttributes> attributes,
              TableDetail detail) {
  // An explicit Keboola primary key wins over the key DuckDB enforces.
  if (attributes) {
    if (!attributes->primary_key.empty()) info.primary_key = std::move(attributes->primary_key);
    info.created_at = std::move(attributes->created_at);
  }
  if (detail == TableDetail::kDefinition) return;
  std::string qualified = QuoteIdent(info.bucket) + "." + QuoteIdent(info.name);
  info.row_count = RunSql(conn, "SELECT count(*) FROM " + qualified)->GetValue(0, 0).GetValue<int64_t>();
  info.size_bytes = PersistentBytes(conn, info.bucket, info.name);
}

}  // namespace

std::optional<TableInfo> LoadTable(duckdb::Connection& conn, const std::string& bucket,
                                   const std::string& table, TableDetail detail) {
  auto info = LoadDefinition(conn, bucket, table);
  if (!info) return std::nullopt;
  Complete(conn, *info, LoadTableAttributes(conn, info->bucket, info->name), detail);
  return info;
}

std::vector<TableInfo> LoadTables(duckdb::Connection& conn, const std::string& bucket,
                                  const std::vector<std::string>& tables, TableDetail detail) {
  std::vector<TableInfo> out;
  if (tables.empty() || IsReservedSchemaName(bucket)) return out;
  auto attributes = LoadBucketTableAttributes(conn, bucket);
  for (const auto& table : tables) {
    auto info = LoadDefinition(conn, bucket, table);
    if (!info) continue;
    std::optional<TableAttributes> of_table;
    if (auto found = attributes.find(duckdb::StringUtil::Lower(info->name)); found != attributes.end())
      of_table = std::move(found->second);
    Complete(conn, *info, std::move(of_table), detail);
    out.push_back(std::move(*info));
  }
  return out;
}

std::optional<ViewInfo> LoadView(duckdb::Connection& conn, const std::string& bucket,
                                 const std::string& view) {
  if (IsReservedSchemaName(bucket)) return std::nullopt;
  ViewInfo info;
  bool found =
      WithEntry(conn, bucket, view, duckdb::CatalogType::VIEW_ENTRY, [&](duckdb::CatalogEntry& entry) {
        auto& view_entry = entry.Cast<duckdb::ViewCatalogEntry>();
        info.bucket = view_entry.schema.name;
        info.name = view_entry.name;
        for (size_t i = 0; i < view_entry.types.size(); ++i) {
          ColumnInfo column;
          column.name = i < view_entry.aliases.size() && !view_entry.aliases[i].empty()
                            ? view_entry.aliases[i]
                            : view_entry.names[i];
          column.type = view_entry.types[i].ToString();
          column.ordinal_position = static_cast<int64_t>(i) + 1;
          info.columns.push_back(std::move(column));
        }
      });
  if (!found) return std::nullopt;
  return info;
}

std::optional<TableInfo> LoadViewAsTable(duckdb::Connection& conn, const std::string& bucket,
                                         const std::string& name) {
  auto view = LoadView(conn, bucket, name);
  if (!view) return std::nullopt;
  TableInfo info;
  info.bucket = std::move(view->bucket);
  info.name = std::move(view->name);
  info.is_view = true;
  info.columns = std::move(view->columns);
  return info;
}

std::optional<TypedTable> LoadTypedTable(duckdb::Connection& conn, const std::string& bucket,
                                         const std::string& table) {
  auto info = LoadTable(conn, bucket, table, TableDetail::kDefinition);
  if (!info) return std::nullopt;
  auto description = conn.TableInfo(info->bucket, info->name);
  if (!description) return std::nullopt;
  TypedTable out;
  out.bucket = info->bucket;
  out.name = info->name;
  out.primary_key = info->primary_key;
  for (const auto& definition : description->columns) {
    const ColumnInfo* column = info->FindColumn(definition.Name());
    out.columns.push_back({definition.Name(), definition.Type(), column ? column->nullable : true});
  }
  return out;
}

std::optional<TypedTable> LoadCatalogTable(duckdb::Connection& conn, const std::string& schema,
                                           const std::string& table) {
  TypedTable out;
  bool found =
      WithEntry(conn, schema, table, duckdb::CatalogType::TABLE_ENTRY, [&](duckdb::CatalogEntry& entry) {
        auto& table_entry = entry.Cast<duckdb::TableCatalogEntry>();
        out.bucket = table_entry.schema.name;
        out.name = table_entry.name;
        out.primary_key = EnforcedKey(table_entry);
        auto not_null = NotNullColumns(table_entry);
        for (const auto& column : table_entry.GetColumns().Logical()) {
          out.columns.push_back({column.Name(), column.Type(), !not_null.contains(column.Logical().index)});
        }
      });
  if (!found) return std::nullopt;
  return out;
}

}  // namespace duckstore
