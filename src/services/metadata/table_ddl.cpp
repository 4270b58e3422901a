// TableService: tables' definitions (create, list, get, delete) and structure changes (columns, key).
#include "duckstore/services/metadata/tables.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/metadata/table_access.hpp"
#include "duckstore/services/model/sql_builder.hpp"
#include "duckstore/storage/engine/project_metadata.hpp"
#include "duckstore/storage/engine/project_metadata_history.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {
namespace {

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

// A change of a table's columns, in the caller's transaction: the table as it was is kept whole in its
// history, which ends; the next history begins with the new columns (docs/design/history.md).
void ChangeColumns(duckdb::Connection& conn, const TableInfo& before, const std::string& operation,
                   const std::function<void()>& ddl) {
  CloseTableHistory(conn, before, {operation});
  ddl();
  if (auto after = LoadTable(conn, before.bucket, before.name, TableDetail::kDefinition))
    OpenTableHistory(conn, *after, /*created=*/false);
}

std::string ColumnDdl(const ColumnDefinition& column) {
  std::string type = NormalizeType(column.type);
  std::string ddl = QuoteIdent(column.name) + " " + type;
  if (column.default_value) ddl += " DEFAULT " + DefaultLiteral(*column.default_value, type);
  if (!column.nullable) ddl += " NOT NULL";
  return ddl;
}

}  // namespace

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
    for (const auto& column : columns) {
      ColumnInfo info;
      info.name = column.name;
      info.type = column.type;
      draft.columns.push_back(std::move(info));
    }
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
      RecordTable(*conn, *bucket, ref.table, key);
      OpenTableHistory(*conn, *LoadTable(*conn, *bucket, ref.table, TableDetail::kDefinition));
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
  auto end = std::min(out.total, page.offset + page.limit);
  // The page's tables are read per database they come from (own, default branch, linked source) with
  // LoadTables, which reads their attributes in one query rather than one per table.
  std::map<TableSource, std::vector<std::string>> names;
  for (auto i = page.offset; i < end; ++i) {
    if (!tables[i].is_view) names[tables[i].source].push_back(tables[i].name);
  }
  std::map<std::pair<TableSource, std::string>, TableInfo> loaded;
  for (const auto& [source, of_source] : names) {
    auto& conn = view->Conn(source, &location);
    for (auto& info : LoadTables(conn, BranchView::PhysicalBucket(location, source), of_source)) {
      auto name = info.name;
      loaded.emplace(std::make_pair(source, std::move(name)), std::move(info));
    }
  }
  for (auto i = page.offset; i < end; ++i) {
    const auto& table = tables[i];
    std::optional<TableInfo> info;
    if (table.is_view) {
      info = LoadViewAsTable(view->Conn(table.source, &location),
                             BranchView::PhysicalBucket(location, table.source), table.name);
    } else if (auto found = loaded.find({table.source, table.name}); found != loaded.end()) {
      info = std::move(found->second);
    }
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
        // Kept for time travel and undrop within the retention.
        if (auto dropped = LoadTable(conn, bucket.name, table->name, TableDetail::kDefinition))
          CloseTableHistory(conn, *dropped, {"table.drop"});
        RunDdl(conn, "DROP TABLE " + QualifiedName(bucket.name, table->name));
        ForgetTable(conn, bucket.name, table->name);
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
      ChangeColumns(*open.conn, open.info, "column.add", [&] {
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
    InSqlTransaction(*open.conn, [&] {
      ChangeColumns(*open.conn, open.info, "column.drop", [&] {
        RunDdl(*open.conn, "ALTER TABLE " + QualifiedName(open.info.bucket, open.info.name) +
                               " DROP COLUMN " + QuoteIdent(column->name));
      });
    });
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
      ChangeColumns(*open.conn, open.info, "column.alter", [&] {
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
            SavePrimaryKey(*open.conn, open.info.bucket, open.info.name, key);
          }
          column.name = *change.new_name;
        }
      });
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
    // A key declared in SQL (enforced by DuckDB) yields to a Keboola key; only the latter conflicts.
    auto attributes = LoadTableAttributes(*open.conn, open.info.bucket, open.info.name);
    if (attributes && !attributes->primary_key.empty()) {
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
      // A table created in SQL has no attributes row yet.
      if (attributes) {
        SavePrimaryKey(*open.conn, open.info.bucket, open.info.name, key);
      } else {
        RecordTable(*open.conn, open.info.bucket, open.info.name, key);
      }
    });
    return *LoadTable(*open.conn, open.info.bucket, open.info.name);
  });
}

TableInfo TableService::DropPrimaryKey(const TableRef& ref) {
  return ops_.Run(ref.branch.project_id, "primary_key.drop", ref.Qualified(), [&] {
    auto open = OpenForChange(branches_, ref);
    if (open.info.primary_key.empty())
      throw InvalidArgument("no_primary_key", "the table has no primary key");
    // Without a Keboola key the key is a constraint DuckDB enforces (declared in SQL): DuckDB cannot drop it.
    auto attributes = LoadTableAttributes(*open.conn, open.info.bucket, open.info.name);
    if (!attributes || attributes->primary_key.empty()) {
      throw InvalidArgument("primary_key_enforced",
                            "the table's key is a PRIMARY KEY or UNIQUE constraint declared in SQL; DuckDB "
                            "cannot drop it",
                            {{"primary_key", open.info.primary_key}});
    }
    SavePrimaryKey(*open.conn, open.info.bucket, open.info.name, {});
    return *LoadTable(*open.conn, open.info.bucket, open.info.name);
  });
}

}  // namespace duckstore
