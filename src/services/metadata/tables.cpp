#include "duckstore/services/metadata/tables.hpp"

#include <map>
#include <set>

#include "duckdb/catalog/catalog.hpp"
#include "duckdb/catalog/catalog_entry/table_catalog_entry.hpp"
#include "duckdb/catalog/entry_lookup_info.hpp"
#include "duckdb/common/types/timestamp.hpp"
#include "duckdb/main/attached_database.hpp"
#include "duckdb/main/client_context.hpp"
#include "duckdb/parser/constraints/not_null_constraint.hpp"
#include "duckdb/storage/storage_manager.hpp"
#include "duckdb/storage/table_storage_info.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/common/log.hpp"
#include "duckstore/services/metadata/views.hpp"
#include "duckstore/services/model/sql_builder.hpp"
#include "duckstore/storage/engine/project_schema.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {
namespace {

constexpr const char* kTimestampFormat = "'%Y-%m-%dT%H:%M:%S.%gZ'";

std::vector<std::string> ListOfStrings(const duckdb::Value& value) {
  std::vector<std::string> out;
  if (value.IsNull()) return out;
  for (const auto& child : duckdb::ListValue::GetChildren(value)) out.push_back(child.ToString());
  return out;
}

duckdb::Value StringList(const std::vector<std::string>& items) {
  duckdb::vector<duckdb::Value> values;
  for (const auto& item : items) values.emplace_back(item);
  return duckdb::Value::LIST(duckdb::LogicalType::VARCHAR, std::move(values));
}

// Keeps at most `max_chars` UTF-8 characters.
bool TruncateUtf8(std::string& text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && chars++ == max_chars) {
      text.resize(i);
      return true;
    }
  }
  return false;
}

[[noreturn]] void ThrowTableNotFound(const TableRef& ref) {
  throw NotFound("table_not_found",
                 "table '" + ref.table + "' does not exist in bucket '" + ref.bucket + "'");
}

// A view of a bucket (VIEW imports) as a TableInfo: its columns as views.hpp's LoadView reads them,
// nullable, no key, no stats (counting would run the view's query).
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

}  // namespace

OpenTable OpenForRead(BranchView& view, const TableRef& ref, TableDetail detail, bool views_too) {
  ValidateObjectName(ref.bucket, "bucket name");
  ValidateObjectName(ref.table, "table name");
  OpenTable open;
  auto bucket = view.RequireBucket(ref.bucket);
  auto table = view.FindTable(bucket, ref.table);
  if (!table) ThrowTableNotFound(ref);
  open.conn = &view.Conn(table->source, &bucket);
  open.schema = BranchView::PhysicalBucket(bucket, table->source);
  open.bucket = bucket;
  auto info = table->is_view
                  ? (views_too ? LoadViewAsTable(*open.conn, open.schema, table->name) : std::nullopt)
                  : LoadTable(*open.conn, open.schema, table->name, detail);
  if (!info) ThrowTableNotFound(ref);
  open.info = std::move(*info);
  open.info.bucket = bucket.name;
  open.location = *table;
  return open;
}

OpenTable OpenForRead(BranchResolver& branches, const TableRef& ref, TableDetail detail, bool views_too) {
  auto view = branches.View(ref.branch);
  auto open = OpenForRead(*view, ref, detail, views_too);
  open.view = std::move(view);
  return open;
}

namespace {

// A table to change: in the branch's own database (copied up first on a dev branch), locked.
OpenTable OpenForChange(BranchResolver& branches, const TableRef& ref) {
  auto writable = OpenForWrite(branches, ref);
  auto info = LoadTable(*writable.conn, writable.bucket, writable.table, TableDetail::kDefinition);
  if (!info) ThrowTableNotFound(ref);  // a view
  OpenTable open;
  open.view = std::move(writable.view);
  open.lock = std::move(writable.lock);
  open.conn = writable.conn;
  open.schema = writable.bucket;
  open.info = std::move(*info);
  return open;
}

void SavePrimaryKey(duckdb::Connection& conn, const TableInfo& table, const std::vector<std::string>& key) {
  RunSql(conn,
         "UPDATE _duckstore.tables SET primary_key = $3 WHERE lower(bucket) = lower($1) AND lower(name) = "
         "lower($2)",
         {duckdb::Value(table.bucket), duckdb::Value(table.name), StringList(key)});
}

// Resolves key column names to their canonical spelling; rejects unknown and repeated columns.
std::vector<std::string> CanonicalKey(const TableInfo& table, const std::vector<std::string>& columns) {
  std::vector<std::string> key;
  std::set<std::string> seen;
  for (const auto& name : columns) {
    const ColumnInfo* column = table.FindColumn(name);
    if (!column)
      throw InvalidArgument("column_not_found", "primary key column '" + name + "' does not exist");
    if (!seen.insert(duckdb::StringUtil::Lower(name)).second) {
      throw InvalidArgument("invalid_primary_key", "column '" + name + "' appears twice in the primary key");
    }
    key.push_back(column->name);
  }
  return key;
}

void ValidateColumnDefinitions(const std::vector<ColumnDefinition>& columns) {
  if (columns.empty()) throw InvalidArgument("invalid_request", "a table needs at least one column");
  std::set<std::string> seen;
  for (const auto& column : columns) {
    ValidateObjectName(column.name, "column name");
    if (!seen.insert(duckdb::StringUtil::Lower(column.name)).second) {
      throw InvalidArgument("duplicate_column", "column '" + column.name + "' is defined twice");
    }
  }
}

// DuckDB evaluates a default only when a row needs it; checking it up front keeps a default that is not a
// value of the column's type from failing every later insert.
void CheckDefault(duckdb::Connection& conn, const std::string& column,
                  const std::optional<std::string>& value, const std::string& type) {
  if (!value) return;
  try {
    RunSql(conn, "SELECT " + DefaultLiteral(*value, type));
  } catch (const Error& e) {
    throw Error(e.kind(), e.code(), "invalid default of column '" + column + "': " + e.what(),
                {{"column", column}});
  }
}

// The number of checkpointed storage blocks of a table. Read from the catalog entry: pragma_storage_info()
// takes the table as a qualified-name string whose parser has no escape for '"' inside a quoted name.
// Bytes of storage the table uses: its distinct persistent (checkpointed) blocks times the database's block
// size, read from DuckDB's catalog and storage manager (what pragma_database_size reports, without a query).
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

// "YYYY-MM-DD HH:MM:SS" (UTC) of unix seconds.
std::string UtcText(int64_t seconds) {
  try {
    return duckdb::Timestamp::ToString(duckdb::Timestamp::FromEpochSeconds(seconds));
  } catch (const std::exception&) {
    throw InvalidArgument("invalid_filter", std::to_string(seconds) + " is not a valid unix time");
  }
}

// Filters on the `_timestamp` column for a change window; kInvalidArgument when the table has none.
void AddChangeWindow(const ChangeWindow& window, const TableInfo& table, std::vector<ColumnFilter>& filters) {
  if (!window.since && !window.until) return;
  if (!table.FindColumn("_timestamp")) {
    throw InvalidArgument("column_not_found",
                          "table '" + table.name + "' has no _timestamp column to filter changes by",
                          {{"column", "_timestamp"}});
  }
  if (window.since)
    filters.push_back({"_timestamp", FilterOp::kGe, {UtcText(*window.since)}, std::string("TIMESTAMP")});
  if (window.until)
    filters.push_back({"_timestamp", FilterOp::kLt, {UtcText(*window.until)}, std::string("TIMESTAMP")});
}

std::string ColumnDdl(const ColumnDefinition& column) {
  std::string type = NormalizeType(column.type);
  std::string ddl = QuoteIdent(column.name) + " " + type;
  if (column.default_value) ddl += " DEFAULT " + DefaultLiteral(*column.default_value, type);
  if (!column.nullable) ddl += " NOT NULL";
  return ddl;
}

}  // namespace

std::optional<TableInfo> LoadTable(duckdb::Connection& conn, const std::string& bucket,
                                   const std::string& table, TableDetail detail) {
  if (IsReservedSchemaName(bucket)) return std::nullopt;
  // The definition comes straight from DuckDB's catalog (a lookup, not a scan of duckdb_columns()).
  std::optional<TableInfo> found;
  conn.context->RunFunctionInTransaction([&] {
    duckdb::EntryLookupInfo lookup(duckdb::CatalogType::TABLE_ENTRY, table);
    auto entry = duckdb::Catalog::GetEntry(*conn.context, INVALID_CATALOG, bucket, lookup,
                                           duckdb::OnEntryNotFound::RETURN_NULL);
    if (!entry || entry->type != duckdb::CatalogType::TABLE_ENTRY) return;
    auto& table_entry = entry->Cast<duckdb::TableCatalogEntry>();
    TableInfo info;
    info.bucket = table_entry.schema.name;
    info.name = table_entry.name;
    std::set<duckdb::idx_t> not_null;
    for (const auto& constraint : table_entry.GetConstraints()) {
      if (constraint->type == duckdb::ConstraintType::NOT_NULL) {
        not_null.insert(constraint->Cast<duckdb::NotNullConstraint>().index.index);
      }
    }
    for (const auto& column : table_entry.GetColumns().Logical()) {
      ColumnInfo out;
      out.name = column.Name();
      out.type = column.Type().ToString();
      out.nullable = !not_null.contains(column.Logical().index);
      if (column.HasDefaultValue()) out.default_value = DefaultValue(column.DefaultValue().ToString());
      out.ordinal_position = static_cast<int64_t>(column.Logical().index) + 1;
      info.columns.push_back(std::move(out));
    }
    found = std::move(info);
  });
  if (!found) return std::nullopt;
  TableInfo info = std::move(*found);
  auto meta =
      RunSql(conn,
             std::string("SELECT primary_key, strftime(created_at AT TIME ZONE 'UTC', ") + kTimestampFormat +
                 ") FROM _duckstore.tables WHERE lower(bucket) = lower($1) AND lower(name) = lower($2)",
             {duckdb::Value(info.bucket), duckdb::Value(info.name)});
  if (meta->RowCount() > 0) {
    info.primary_key = ListOfStrings(meta->GetValue(0, 0));
    info.created_at = meta->GetValue(1, 0).ToString();
  }
  if (detail == TableDetail::kDefinition) return info;
  std::string qualified = QualifiedName(info.bucket, info.name);
  info.row_count = RunSql(conn, "SELECT count(*) FROM " + qualified)->GetValue(0, 0).GetValue<int64_t>();
  info.size_bytes = PersistentBytes(conn, info.bucket, info.name);
  return info;
}

TableInfo TableService::Create(const TableRef& ref, const std::vector<ColumnDefinition>& columns,
                               const std::vector<std::string>& primary_key) {
  ValidateObjectName(ref.bucket, "bucket name");
  ValidateObjectName(ref.table, "table name");
  ValidateColumnDefinitions(columns);
  return ops_.Run(ref.branch.project_id, "table.create", ref.Qualified(), [&] {
    auto view = branches_.View(ref.branch);
    auto location = view->RequireBucket(ref.bucket);
    RefuseLinked(location);
    auto lock = view->db().LockTable(view->own_catalog(), location.name, ref.table);
    location = view->RequireBucket(ref.bucket);  // as it is now that concurrent writers are held off
    if (view->FindTable(location, ref.table)) {
      throw Conflict("table_exists",
                     "table '" + ref.table + "' already exists in bucket '" + location.name + "'");
    }
    view->MaterializeBucket(location);
    auto* conn = &view->Conn(TableSource::kOwn);
    const std::string* bucket = &location.name;
    TableInfo draft;
    draft.name = ref.table;
    for (const auto& column : columns) draft.columns.push_back(ColumnInfo{column.name, column.type});
    std::vector<std::string> key = CanonicalKey(draft, primary_key);
    std::string ddl;
    for (const auto& column : columns) {
      bool in_key = std::find(key.begin(), key.end(), column.name) != key.end();
      ColumnDefinition definition = column;
      if (in_key) definition.nullable = false;  // Keboola primary key columns never hold NULL
      ddl += (ddl.empty() ? "" : ", ") + ColumnDdl(definition);
      CheckDefault(*conn, column.name, column.default_value, NormalizeType(column.type));
    }
    InSqlTransaction(*conn, [&] {
      RunDdl(*conn, "CREATE TABLE " + QualifiedName(*bucket, ref.table) + " (" + ddl + ")");
      RunSql(*conn, "INSERT INTO _duckstore.tables VALUES ($1, $2, $3, now())",
             {duckdb::Value(*bucket), duckdb::Value(ref.table), StringList(key)});
    });
    return *LoadTable(*conn, *bucket, ref.table);
  });
}

Page<TableInfo> TableService::List(const BranchRef& branch, const std::string& bucket,
                                   const PageRequest& page) {
  ValidateObjectName(bucket, "bucket name");
  auto view = branches_.View(branch);
  auto location = view->RequireBucket(bucket);
  auto tables = view->ListTables(location);
  Page<TableInfo> out;
  out.total = static_cast<int64_t>(tables.size());
  for (int64_t i = page.offset; i < out.total && i < page.offset + page.limit; ++i) {
    const auto& table = tables[i];
    auto& conn = view->Conn(table.source, &location);
    auto schema = BranchView::PhysicalBucket(location, table.source);
    auto info =
        table.is_view ? LoadViewAsTable(conn, schema, table.name) : LoadTable(conn, schema, table.name);
    if (!info) continue;  // dropped since ListTables
    info->bucket = location.name;
    out.items.push_back(std::move(*info));
  }
  return out;
}

TableInfo TableService::Get(const TableRef& ref) {
  return OpenForRead(branches_, ref, TableDetail::kWithStats, /*views_too=*/true).info;
}

void TableService::Delete(const TableRef& ref) {
  ops_.Run(ref.branch.project_id, "table.delete", ref.Qualified(), [&] {
    auto open = OpenForRead(branches_, ref);
    auto bucket = open.view->RequireBucket(ref.bucket);
    RefuseLinked(bucket);
    auto lock = open.view->db().LockTable(open.view->own_catalog(), bucket.name, open.info.name);
    bucket = open.view->RequireBucket(ref.bucket);  // as it is now that concurrent writers are held off
    auto table = open.view->FindTable(bucket, open.info.name);
    if (!table) ThrowTableNotFound(ref);
    auto& conn = open.view->Conn(TableSource::kOwn);
    InSqlTransaction(conn, [&] {
      if (table->source == TableSource::kOwn) {
        RunDdl(conn, "DROP TABLE " + QualifiedName(bucket.name, table->name));
        RunSql(conn,
               "DELETE FROM _duckstore.tables WHERE lower(bucket) = lower($1) AND lower(name) = lower($2)",
               {duckdb::Value(bucket.name), duckdb::Value(table->name)});
      }
      // On a dev branch the default branch's table of this name stops showing through.
      if (bucket.inherited) open.view->Hide(bucket.name, table->name);
    });
  });
}

TableInfo TableService::AddColumn(const TableRef& ref, const ColumnDefinition& column) {
  ValidateObjectName(column.name, "column name");
  return ops_.Run(ref.branch.project_id, "column.add", ref.Qualified() + "." + column.name, [&] {
    auto open = OpenForChange(branches_, ref);
    if (open.info.FindColumn(column.name)) {
      throw Conflict("column_exists", "column '" + column.name + "' already exists");
    }
    std::string table = QualifiedName(open.info.bucket, open.info.name);
    // DuckDB cannot add a column with a NOT NULL constraint in one step: add it, then constrain it.
    ColumnDefinition nullable = column;
    nullable.nullable = true;
    CheckDefault(*open.conn, column.name, column.default_value, NormalizeType(column.type));
    InSqlTransaction(*open.conn, [&] {
      RunDdl(*open.conn, "ALTER TABLE " + table + " ADD COLUMN " + ColumnDdl(nullable));
      if (!column.nullable) {
        bool empty =
            RunSql(*open.conn, "SELECT count(*) FROM " + table)->GetValue(0, 0).GetValue<int64_t>() == 0;
        if (!empty && !column.default_value) {
          throw InvalidArgument("invalid_request",
                                "a NOT NULL column added to a non-empty table needs a default");
        }
        RunDdl(*open.conn,
               "ALTER TABLE " + table + " ALTER COLUMN " + QuoteIdent(column.name) + " SET NOT NULL");
      }
    });
    return *LoadTable(*open.conn, open.info.bucket, open.info.name);
  });
}

TableInfo TableService::DropColumn(const TableRef& ref, const std::string& column_name) {
  ValidateObjectName(column_name, "column name");
  return ops_.Run(ref.branch.project_id, "column.drop", ref.Qualified() + "." + column_name, [&] {
    auto open = OpenForChange(branches_, ref);
    const ColumnInfo* column = open.info.FindColumn(column_name);
    if (!column) throw NotFound("column_not_found", "column '" + column_name + "' does not exist");
    if (open.info.columns.size() == 1) {
      throw InvalidArgument("cannot_drop_last_column", "a table must keep at least one column");
    }
    for (const auto& key : open.info.primary_key) {
      if (duckdb::StringUtil::CIEquals(key, column->name)) {
        throw InvalidArgument("column_in_primary_key",
                              "column '" + column->name + "' is part of the primary key; drop the key first");
      }
    }
    RunDdl(*open.conn, "ALTER TABLE " + QualifiedName(open.info.bucket, open.info.name) + " DROP COLUMN " +
                           QuoteIdent(column->name));
    return *LoadTable(*open.conn, open.info.bucket, open.info.name);
  });
}

TableInfo TableService::AlterColumn(const TableRef& ref, const std::string& column_name,
                                    const ColumnChange& change) {
  ValidateObjectName(column_name, "column name");
  return ops_.Run(ref.branch.project_id, "column.alter", ref.Qualified() + "." + column_name, [&] {
    if (!change.new_name && !change.type && !change.nullable && !change.default_value) {
      throw InvalidArgument("no_changes_specified",
                            "nothing to change: give new_name, type, nullable or default");
    }
    auto open = OpenForChange(branches_, ref);
    const ColumnInfo* found = open.info.FindColumn(column_name);
    if (!found) throw NotFound("column_not_found", "column '" + column_name + "' does not exist");
    ColumnInfo column = *found;
    bool in_key =
        std::any_of(open.info.primary_key.begin(), open.info.primary_key.end(),
                    [&](const std::string& k) { return duckdb::StringUtil::CIEquals(k, column.name); });
    std::string table = "ALTER TABLE " + QualifiedName(open.info.bucket, open.info.name);
    InSqlTransaction(*open.conn, [&] {
      std::string ident = QuoteIdent(column.name);
      if (change.type) {
        std::string type = NormalizeType(*change.type);
        RunDdl(*open.conn, table + " ALTER COLUMN " + ident + " SET DATA TYPE " + type);
        column.type = type;
      }
      if (change.default_value) {
        CheckDefault(*open.conn, column.name, *change.default_value, column.type);
        RunDdl(*open.conn, table + " ALTER COLUMN " + ident +
                               (*change.default_value
                                    ? " SET DEFAULT " + DefaultLiteral(**change.default_value, column.type)
                                    : std::string(" DROP DEFAULT")));
      }
      if (change.nullable) {
        if (*change.nullable && in_key) {
          throw InvalidArgument("column_in_primary_key", "primary key columns cannot be nullable");
        }
        RunDdl(*open.conn,
               table + " ALTER COLUMN " + ident + (*change.nullable ? " DROP NOT NULL" : " SET NOT NULL"));
      }
      if (change.new_name && *change.new_name != column.name) {
        ValidateObjectName(*change.new_name, "column name");
        const ColumnInfo* clash = open.info.FindColumn(*change.new_name);
        if (clash && clash->name != column.name) {
          throw Conflict("column_exists", "column '" + *change.new_name + "' already exists");
        }
        RunDdl(*open.conn, table + " RENAME COLUMN " + ident + " TO " + QuoteIdent(*change.new_name));
        if (in_key) {
          auto key = open.info.primary_key;
          for (auto& k : key) {
            if (duckdb::StringUtil::CIEquals(k, column.name)) k = *change.new_name;
          }
          SavePrimaryKey(*open.conn, open.info, key);
        }
        column.name = *change.new_name;
      }
    });
    return *LoadTable(*open.conn, open.info.bucket, open.info.name);
  });
}

TableInfo TableService::AddPrimaryKey(const TableRef& ref, const std::vector<std::string>& columns,
                                      const PrimaryKeyOptions& options) {
  return ops_.Run(ref.branch.project_id, "primary_key.add", ref.Qualified(), [&] {
    if (columns.empty())
      throw InvalidArgument("invalid_primary_key", "a primary key needs at least one column");
    auto open = OpenForChange(branches_, ref);
    if (!open.info.primary_key.empty()) {
      throw Conflict("primary_key_exists", "the table already has a primary key; drop it first",
                     {{"primary_key", open.info.primary_key}});
    }
    std::vector<std::string> key = CanonicalKey(open.info, columns);
    if (options.require_not_null_columns) {
      for (const auto& name : key) {
        if (open.info.FindColumn(name)->nullable) {
          throw InvalidArgument("primary_key_column_nullable", "Selected column \"" + name + "\" is nullable",
                                {{"column", name}});
        }
      }
    }
    std::string key_list, any_null;
    for (const auto& name : key) {
      key_list += (key_list.empty() ? "" : ", ") + QuoteIdent(name);
      any_null += (any_null.empty() ? "" : " OR ") + QuoteIdent(name) + " IS NULL";
    }
    std::string table = QualifiedName(open.info.bucket, open.info.name);
    InSqlTransaction(*open.conn, [&] {
      auto nulls = RunSql(*open.conn, "SELECT count(*) FROM " + table + " WHERE " + any_null);
      if (auto count = nulls->GetValue(0, 0).GetValue<int64_t>(); count > 0) {
        throw Conflict("primary_key_has_nulls", std::to_string(count) + " rows have NULL in the key columns",
                       {{"rows", count}});
      }
      if (options.check_duplicates) {
        auto duplicates =
            RunSql(*open.conn, "SELECT " + key_list + ", count(*) AS n FROM " + table + " GROUP BY " +
                                   key_list + " HAVING count(*) > 1 ORDER BY n DESC LIMIT 5");
        if (duplicates->RowCount() > 0) {
          nlohmann::json examples = nlohmann::json::array();
          for (size_t row = 0; row < duplicates->RowCount(); ++row) {
            nlohmann::json example = nlohmann::json::object();
            for (size_t col = 0; col < key.size(); ++col)
              example[key[col]] = ValueToJson(duplicates->GetValue(col, row));
            example["count"] = duplicates->GetValue(key.size(), row).GetValue<int64_t>();
            examples.push_back(example);
          }
          throw Conflict("duplicate_primary_key", "the key columns hold duplicate values",
                         {{"examples", examples}});
        }
      }
      for (const auto& name : key) {
        RunDdl(*open.conn, "ALTER TABLE " + table + " ALTER COLUMN " + QuoteIdent(name) + " SET NOT NULL");
      }
      SavePrimaryKey(*open.conn, open.info, key);
    });
    return *LoadTable(*open.conn, open.info.bucket, open.info.name);
  });
}

TableInfo TableService::DropPrimaryKey(const TableRef& ref) {
  return ops_.Run(ref.branch.project_id, "primary_key.drop", ref.Qualified(), [&] {
    auto open = OpenForChange(branches_, ref);
    if (open.info.primary_key.empty())
      throw InvalidArgument("no_primary_key", "the table has no primary key");
    SavePrimaryKey(*open.conn, open.info, {});
    return *LoadTable(*open.conn, open.info.bucket, open.info.name);
  });
}

PreviewResult TableService::Preview(const TableRef& ref, const PreviewRequest& request) {
  if (request.limit < 1 || request.limit > kPreviewMaxLimit) {
    throw InvalidArgument("invalid_limit", "limit must be between 1 and " + std::to_string(kPreviewMaxLimit));
  }
  if (request.fulltext && !request.filters.empty()) {
    throw InvalidArgument("invalid_filter", "a fulltext search cannot be combined with column filters");
  }
  // Views preview like tables (their columns as the view returns them).
  auto open = OpenForRead(branches_, ref, TableDetail::kDefinition, /*views_too=*/true);
  PreviewResult out;
  std::string select;
  if (request.columns.empty()) {
    for (const auto& column : open.info.columns) out.columns.push_back(column.name);
  } else {
    for (const auto& name : request.columns) {
      const ColumnInfo* column = open.info.FindColumn(name);
      if (!column)
        throw InvalidArgument("column_not_found", "column '" + name + "' does not exist", {{"column", name}});
      out.columns.push_back(column->name);
    }
  }
  for (const auto& name : out.columns) select += (select.empty() ? "" : ", ") + QuoteIdent(name);
  SqlParams params;
  std::vector<ColumnFilter> filters = request.filters;
  AddChangeWindow(request.changed, open.info, filters);
  std::string where = BuildWhere(filters, open.info, params);
  if (request.fulltext) {
    where +=
        (where.empty() ? " WHERE (" : " AND (") + BuildFulltext(*request.fulltext, open.info, params) + ")";
  }
  std::string order = BuildOrderBy(request.order_by, open.info);
  std::string table = QualifiedName(open.schema, open.info.name);
  auto result = RunSql(
      *open.conn,
      "SELECT " + select + " FROM " + table + where + order + " LIMIT " + std::to_string(request.limit),
      params);
  for (size_t row = 0; row < result->RowCount(); ++row) {
    std::vector<nlohmann::json> values;
    for (size_t col = 0; col < result->ColumnCount(); ++col) {
      duckdb::Value cell = result->GetValue(col, row);
      nlohmann::json value = !request.as_text ? ValueToJson(cell)
                             : cell.IsNull()  ? nlohmann::json(nullptr)
                                              : nlohmann::json(cell.ToString());
      if (value.is_string()) {
        auto& text = value.get_ref<std::string&>();
        if (TruncateUtf8(text, kPreviewMaxCellChars)) out.truncated.emplace_back(row, col);
      }
      values.push_back(std::move(value));
    }
    out.rows.push_back(std::move(values));
  }
  out.total_row_count =
      RunSql(*open.conn, "SELECT count(*) FROM " + table + where, params)->GetValue(0, 0).GetValue<int64_t>();
  return out;
}

int64_t TableService::InsertRows(const TableRef& ref, const std::vector<Row>& rows) {
  constexpr size_t kRowsPerStatement = 500;
  return ops_.Run(ref.branch.project_id, "table.insert_rows", ref.Qualified(), [&] {
    auto open = OpenForChange(branches_, ref);
    std::string table = QualifiedName(open.info.bucket, open.info.name);
    InSqlTransaction(*open.conn, [&] {
      // Rows are grouped by their column set so each statement has one column list.
      std::map<std::vector<std::string>, std::vector<const Row*>> groups;
      for (const auto& row : rows) {
        if (row.empty()) throw InvalidArgument("invalid_row", "a row must set at least one column");
        std::vector<std::string> names;
        for (const auto& [name, value] : row) {
          const ColumnInfo* column = open.info.FindColumn(name);
          if (!column)
            throw InvalidArgument("column_not_found", "column '" + name + "' does not exist",
                                  {{"column", name}});
          names.push_back(column->name);
        }
        groups[names].push_back(&row);
      }
      for (const auto& [names, group] : groups) {
        std::string columns;
        for (const auto& name : names) columns += (columns.empty() ? "" : ", ") + QuoteIdent(name);
        for (size_t start = 0; start < group.size(); start += kRowsPerStatement) {
          SqlParams params;
          std::string values;
          for (size_t i = start; i < std::min(group.size(), start + kRowsPerStatement); ++i) {
            std::string tuple;
            for (size_t c = 0; c < names.size(); ++c) {
              tuple += (tuple.empty() ? "" : ", ") + std::string("CAST($") +
                       std::to_string(params.size() + 1) + " AS " + open.info.FindColumn(names[c])->type +
                       ")";
              const auto& value = (*group[i])[c].second;
              params.push_back(value ? duckdb::Value(*value) : duckdb::Value(duckdb::LogicalType::VARCHAR));
            }
            values += (values.empty() ? "(" : ", (") + tuple + ")";
          }
          RunSql(*open.conn, "INSERT INTO " + table + " (" + columns + ") VALUES " + values, params);
        }
      }
    });
    return RunSql(*open.conn, "SELECT count(*) FROM " + table)->GetValue(0, 0).GetValue<int64_t>();
  });
}

DeleteRowsResult TableService::DeleteRows(const TableRef& ref, const DeleteRowsRequest& request) {
  return ops_.Run(ref.branch.project_id, "table.delete_rows", ref.Qualified(), [&] {
    auto open = OpenForChange(branches_, ref);
    SqlParams params;
    std::vector<ColumnFilter> filters = request.filters;
    AddChangeWindow(request.changed, open.info, filters);
    std::string where = BuildWhere(filters, open.info, params);
    for (const auto& filter : request.ref_filters) {
      const ColumnInfo* column = open.info.FindColumn(filter.column);
      if (!column) {
        throw InvalidArgument("column_not_found", "column '" + filter.column + "' does not exist",
                              {{"column", filter.column}});
      }
      ValidateObjectName(filter.ref_bucket, "bucket name");
      ValidateObjectName(filter.ref_table, "table name");
      // The reference table as the branch sees it, named with its database: the branch's own or the
      // default branch's. A linked bucket lives in another instance, out of this statement's reach.
      auto not_found = NotFound("table_not_found", "reference table '" + filter.ref_bucket + "." +
                                                       filter.ref_table + "' does not exist");
      auto ref_bucket = open.view->FindBucket(filter.ref_bucket);
      if (!ref_bucket) throw not_found;
      if (ref_bucket->linked()) {
        throw InvalidArgument("invalid_request", "a reference table cannot be in a linked bucket");
      }
      auto ref_location = open.view->FindTable(*ref_bucket, filter.ref_table);
      if (!ref_location) throw not_found;
      auto ref_table = LoadTable(open.view->Conn(ref_location->source), ref_bucket->name, ref_location->name,
                                 TableDetail::kDefinition);
      if (!ref_table) throw not_found;
      std::string ref_database =
          ref_location->source == TableSource::kOwn ? open.view->own_catalog() : std::string(kProjectCatalog);
      const ColumnInfo* ref_column = ref_table->FindColumn(filter.ref_column);
      if (!ref_column) {
        throw InvalidArgument("column_not_found",
                              "column '" + filter.ref_column + "' does not exist in the reference table",
                              {{"column", filter.ref_column}});
      }
      where += (where.empty() ? " WHERE " : " AND ") + QuoteIdent(column->name) +
               (filter.negate ? " NOT IN " : " IN ") + "(SELECT " + QuoteIdent(ref_column->name) + " FROM " +
               QuoteIdent(ref_database) + "." + QualifiedName(ref_table->bucket, ref_table->name) + ")";
    }
    std::string table = QualifiedName(open.info.bucket, open.info.name);
    DeleteRowsResult out;
    out.deleted_rows =
        RunSql(*open.conn, "DELETE FROM " + table + where, params)->GetValue(0, 0).GetValue<int64_t>();
    out.rows_after = RunSql(*open.conn, "SELECT count(*) FROM " + table)->GetValue(0, 0).GetValue<int64_t>();
    return out;
  });
}

}  // namespace duckstore

namespace duckstore {
namespace {

bool IsNumericType(const std::string& type) {
  static const char* kNumeric[] = {"TINYINT",   "SMALLINT", "INTEGER", "BIGINT",   "HUGEINT", "UTINYINT",
                                   "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT",   "DOUBLE"};
  for (const char* name : kNumeric) {
    if (type == name) return true;
  }
  return type.starts_with("DECIMAL");
}

// Runs one metric query of a column; nullopt (logged) when the column's type does not support it.
std::optional<duckdb::unique_ptr<duckdb::MaterializedQueryResult>> TryMetric(duckdb::Connection& conn,
                                                                             const std::string& sql,
                                                                             const std::string& column) {
  try {
    return RunSql(conn, sql);
  } catch (const Error& e) {
    spdlog::info("profile: metric of column {} skipped: {}", column, e.what());
    return std::nullopt;
  }
}

}  // namespace

TableProfile TableService::Profile(const TableRef& ref) {
  auto open = OpenForRead(branches_, ref, TableDetail::kWithStats);
  std::string table = QualifiedName(open.schema, open.info.name);
  TableProfile out;
  out.bucket = open.info.bucket;
  out.table = open.info.name;
  out.profile = {{"rowCount", open.info.row_count},
                 {"columnCount", open.info.columns.size()},
                 {"dataSize", open.info.size_bytes}};
  for (const auto& column : open.info.columns) {
    std::string c = QuoteIdent(column.name);
    nlohmann::json profile = nlohmann::json::object();
    if (auto counts = TryMetric(*open.conn,
                                "SELECT count(DISTINCT " + c + "), count(" + c + ") - count(DISTINCT " + c +
                                    "), count(*) - count(" + c + ") FROM " + table,
                                column.name)) {
      profile["distinctCount"] = (*counts)->GetValue(0, 0).GetValue<int64_t>();
      profile["duplicateCount"] = (*counts)->GetValue(1, 0).GetValue<int64_t>();
      profile["nullCount"] = (*counts)->GetValue(2, 0).GetValue<int64_t>();
    }
    if (IsNumericType(column.type)) {
      if (auto stats = TryMetric(*open.conn,
                                 "SELECT avg(" + c + ")::DOUBLE, median(" + c + ")::DOUBLE, min(" + c +
                                     "), max(" + c + ") FROM " + table,
                                 column.name)) {
        profile["numericStatistics"] = {{"avg", ValueToJson((*stats)->GetValue(0, 0))},
                                        {"median", ValueToJson((*stats)->GetValue(1, 0))},
                                        {"min", ValueToJson((*stats)->GetValue(2, 0))},
                                        {"max", ValueToJson((*stats)->GetValue(3, 0))}};
      }
    } else if (column.type == "VARCHAR") {
      if (auto stats = TryMetric(*open.conn,
                                 "SELECT avg(length(" + c + "))::DOUBLE, min(length(" + c +
                                     ")), max(length(" + c + ")) FROM " + table,
                                 column.name)) {
        profile["length"] = {{"avg", ValueToJson((*stats)->GetValue(0, 0))},
                             {"min", ValueToJson((*stats)->GetValue(1, 0))},
                             {"max", ValueToJson((*stats)->GetValue(2, 0))}};
      }
    }
    out.columns.emplace_back(column.name, std::move(profile));
  }
  return out;
}

TableInfo TableService::CreateFromTimeTravel(const TableRef& source, const TableRef& destination,
                                             int64_t unix_seconds) {
  return ops_.Run(
      destination.branch.project_id, "table.create_from_time_travel", destination.Qualified(),
      [&]() -> TableInfo {
        auto open = OpenForRead(branches_, source);
        ValidateObjectName(destination.bucket, "bucket name");
        ValidateObjectName(destination.table, "table name");
        auto target = branches_.View(destination.branch);
        auto bucket = target->RequireBucket(destination.bucket);
        RefuseLinked(bucket);
        if (target->FindTable(bucket, destination.table)) {
          throw Conflict("table_exists",
                         "table '" + destination.table + "' already exists in bucket '" + bucket.name + "'");
        }
        std::string as_of = UtcText(unix_seconds);
        auto created = RunSql(*open.conn,
                              "SELECT strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') "
                              "FROM _duckstore.tables WHERE lower(bucket) = lower($1) AND lower(name) = "
                              "lower($2)",
                              {duckdb::Value(open.schema), duckdb::Value(open.info.name)});
        if (created->RowCount() > 0 && as_of < created->GetValue(0, 0).ToString()) {
          throw NotFound("table_not_found",
                         "table '" + source.Qualified() + "' did not exist at " + as_of + " UTC",
                         {{"created_at", created->GetValue(0, 0).ToString()}});
        }
        throw InvalidArgument("time_travel_data_not_retained",
                              "the data of table '" + source.Qualified() + "' as of " + as_of +
                                  " UTC is not retained: duckstore keeps no history of table data",
                              {{"timestamp", unix_seconds}});
      });
}

}  // namespace duckstore

namespace duckstore {
namespace {

// The write time for a `_timestamp` column.
duckdb::Value WriteTimestamp() {
  return duckdb::Value::TIMESTAMP(duckdb::Timestamp::GetCurrentTimestamp());
}

const ColumnInfo* TimestampColumn(const TableInfo& table) {
  return table.FindColumn(kTimestampColumn);
}

TypedRows ReadRows(duckdb::MaterializedQueryResult& result) {
  TypedRows out;
  out.columns = result.names;
  for (size_t row = 0; row < result.RowCount(); ++row) {
    std::vector<duckdb::Value> values;
    for (size_t col = 0; col < result.ColumnCount(); ++col) values.push_back(result.GetValue(col, row));
    out.rows.push_back(std::move(values));
  }
  return out;
}

std::string TypedParam(const ColumnInfo& column, duckdb::Value value, SqlParams& params) {
  params.push_back(std::move(value));
  return "CAST($" + std::to_string(params.size()) + " AS " + column.type + ")";
}

}  // namespace

TypedRows TableService::InsertTypedRows(const TableRef& ref, const std::vector<TypedRow>& rows) {
  constexpr size_t kParamsPerStatement = 10'000;
  return ops_.Run(ref.branch.project_id, "table.insert_rows", ref.Qualified(), [&] {
    auto open = OpenForChange(branches_, ref);  // copied up on a dev branch, locked
    const TableInfo& info = open.info;
    std::string table = QualifiedName(info.bucket, info.name);
    const ColumnInfo* stamp = TimestampColumn(info);
    duckdb::Value now = WriteTimestamp();
    // Rows are grouped by their column set so each statement has one column list.
    std::map<std::vector<const ColumnInfo*>, std::vector<const TypedRow*>> groups;
    for (const auto& row : rows) {
      std::vector<const ColumnInfo*> columns;
      for (const auto& [name, value] : row) {
        const ColumnInfo* column = info.FindColumn(name);
        if (!column)
          throw InvalidArgument("column_not_found", "column '" + name + "' does not exist",
                                {{"column", name}});
        if (column != stamp) columns.push_back(column);
      }
      if (stamp) columns.push_back(stamp);
      if (columns.empty()) throw InvalidArgument("invalid_row", "a row must set at least one column");
      groups[columns].push_back(&row);
    }
    TypedRows out;
    InSqlTransaction(*open.conn, [&] {
      for (const auto& [columns, group] : groups) {
        std::string names;
        for (const auto* column : columns) names += (names.empty() ? "" : ", ") + QuoteIdent(column->name);
        size_t per_statement = std::max<size_t>(1, kParamsPerStatement / columns.size());
        for (size_t start = 0; start < group.size(); start += per_statement) {
          SqlParams params;
          std::string values;
          for (size_t i = start; i < std::min(group.size(), start + per_statement); ++i) {
            std::string tuple;
            size_t c = 0;
            for (const auto& [name, value] : *group[i]) {
              if (info.FindColumn(name) == stamp) continue;
              const ColumnInfo& column = *columns[c++];
              bool use_default = value.IsNull() && !column.nullable && column.default_value;
              tuple += (tuple.empty() ? "" : ", ") +
                       (use_default ? std::string("DEFAULT") : TypedParam(column, value, params));
            }
            if (stamp) tuple += (tuple.empty() ? "" : ", ") + TypedParam(*stamp, now, params);
            values += (values.empty() ? "(" : ", (") + tuple + ")";
          }
          auto result =
              RunSql(*open.conn,
                     "INSERT INTO " + table + " (" + names + ") VALUES " + values + " RETURNING *", params);
          auto stored = ReadRows(*result);
          out.columns = std::move(stored.columns);
          for (auto& row : stored.rows) out.rows.push_back(std::move(row));
        }
      }
    });
    return out;
  });
}

TypedRows TableService::UpdateRowsByKey(const TableRef& ref, const std::string& key_column,
                                        const duckdb::Value& key, const TypedRow& values) {
  return ops_.Run(ref.branch.project_id, "table.update_rows", ref.Qualified(), [&] {
    auto open = OpenForChange(branches_, ref);  // copied up on a dev branch, locked
    const TableInfo& info = open.info;
    const ColumnInfo* key_info = info.FindColumn(key_column);
    if (!key_info) throw InvalidArgument("column_not_found", "column '" + key_column + "' does not exist");
    const ColumnInfo* stamp = TimestampColumn(info);
    SqlParams params;
    std::string set;
    for (const auto& [name, value] : values) {
      const ColumnInfo* column = info.FindColumn(name);
      if (!column)
        throw InvalidArgument("column_not_found", "column '" + name + "' does not exist", {{"column", name}});
      if (column == stamp) continue;
      set +=
          (set.empty() ? "" : ", ") + QuoteIdent(column->name) + " = " + TypedParam(*column, value, params);
    }
    if (stamp)
      set += (set.empty() ? "" : ", ") + QuoteIdent(stamp->name) + " = " +
             TypedParam(*stamp, WriteTimestamp(), params);
    if (set.empty()) throw InvalidArgument("invalid_row", "an update must set at least one column");
    std::string where = QuoteIdent(key_info->name) + " = " + TypedParam(*key_info, key, params);
    auto result = RunSql(*open.conn,
                         "UPDATE " + QualifiedName(info.bucket, info.name) + " SET " + set + " WHERE " +
                             where + " RETURNING *",
                         params);
    if (result->RowCount() == 0) {
      throw NotFound("row_not_found", "no row has " + key_info->name + " = " + key.ToString());
    }
    return ReadRows(*result);
  });
}

int64_t TableService::DeleteRowsByKey(const TableRef& ref, const std::string& key_column,
                                      const duckdb::Value& key) {
  return ops_.Run(ref.branch.project_id, "table.delete_rows", ref.Qualified(), [&] {
    auto open = OpenForChange(branches_, ref);  // copied up on a dev branch, locked
    const ColumnInfo* key_info = open.info.FindColumn(key_column);
    if (!key_info) throw InvalidArgument("column_not_found", "column '" + key_column + "' does not exist");
    SqlParams params;
    std::string where = QuoteIdent(key_info->name) + " = " + TypedParam(*key_info, key, params);
    return RunSql(*open.conn,
                  "DELETE FROM " + QualifiedName(open.info.bucket, open.info.name) + " WHERE " + where,
                  params)
        ->GetValue(0, 0)
        .GetValue<int64_t>();
  });
}

}  // namespace duckstore
