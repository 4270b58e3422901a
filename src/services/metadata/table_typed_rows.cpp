// TableService: typed row writes (DAS): values are DuckDB values cast to the column types; writes stamp the
// `_timestamp` column and return the rows as stored.
#include "duckstore/services/metadata/tables.hpp"

#include <map>

#include "duckdb/common/types/timestamp.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/metadata/row_keys.hpp"
#include "duckstore/services/metadata/table_access.hpp"
#include "duckstore/services/model/sql_builder.hpp"
#include "duckstore/storage/engine/project_metadata_history.hpp"
#include "duckstore/storage/engine/sql.hpp"
#include "duckstore/storage/engine/typed_rows.hpp"

namespace duckstore {
namespace {

// The write time for a `_timestamp` column.
duckdb::Value WriteTimestamp() {
  return duckdb::Value::TIMESTAMP(duckdb::Timestamp::GetCurrentTimestamp());
}

const ColumnInfo* TimestampColumn(const TableInfo& table) {
  return table.FindColumn(kTimestampColumn);
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
    std::vector<std::vector<duckdb::Value>> keys;  // of every written row, checked before commit
    InSqlTransaction(*open.conn, [&] {
      auto change = BeginTableChange(*open.conn, info);
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
          for (auto& key : KeysOf(*result, info)) keys.push_back(std::move(key));
          auto stored = ReadTypedRows(*result);
          out.columns = std::move(stored.columns);
          for (auto& row : stored.rows) out.rows.push_back(std::move(row));
        }
      }
      RefuseDuplicateKeys(*open.conn, info, keys);
      KeepAppendedRows(*open.conn, change);
      RecordTableChange(*open.conn, change, {"rows.insert", static_cast<int64_t>(out.rows.size()), 0},
                        /*full_image=*/false);
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
    TypedRows out;
    InSqlTransaction(*open.conn, [&] {
      // History: the rows before the update, and after it the same rows (an update keeps row ids unless
      // DuckDB rewrites an indexed row as a new one, which KeepAppendedRows finds).
      auto change = BeginTableChange(*open.conn, info);
      std::vector<int64_t> row_ids;
      if (change.recorded()) {
        SqlParams key_params;
        std::string key_where = QuoteIdent(key_info->name) + " = " + TypedParam(*key_info, key, key_params);
        auto ids = RunSql(
            *open.conn, "SELECT rowid FROM " + QualifiedName(info.bucket, info.name) + " WHERE " + key_where,
            key_params);
        row_ids.reserve(ids->RowCount());
        for (size_t row = 0; row < ids->RowCount(); ++row)
          row_ids.push_back(ids->GetValue(0, row).GetValue<int64_t>());
        KeepRowsById(*open.conn, change, /*removed=*/true, row_ids);
      }
      auto result = RunSql(*open.conn,
                           "UPDATE " + QualifiedName(info.bucket, info.name) + " SET " + set + " WHERE " +
                               where + " RETURNING *",
                           params);
      if (result->RowCount() == 0) {
        throw NotFound("row_not_found", "no row has " + key_info->name + " = " + key.ToString());
      }
      KeepRowsById(*open.conn, change, /*removed=*/false, row_ids);
      KeepAppendedRows(*open.conn, change);
      auto updated = static_cast<int64_t>(result->RowCount());
      RecordTableChange(*open.conn, change, {"rows.update", updated, updated}, /*full_image=*/false);
      RefuseDuplicateKeys(*open.conn, info, KeysOf(*result, info));  // an update may change the key
      out = ReadTypedRows(*result);
    });
    return out;
  });
}

int64_t TableService::DeleteRowsByKey(const TableRef& ref, const std::string& key_column,
                                      const duckdb::Value& key) {
  return ops_.Run(ref.branch.project_id, "table.delete_rows", ref.Qualified(), [&] {
    auto open = OpenForChange(branches_, ref);  // copied up on a dev branch, locked
    const ColumnInfo* key_info = open.info.FindColumn(key_column);
    if (!key_info) throw InvalidArgument("column_not_found", "column '" + key_column + "' does not exist");
    SqlParams params;
    std::string where = " WHERE " + QuoteIdent(key_info->name) + " = " + TypedParam(*key_info, key, params);
    int64_t deleted = 0;
    InSqlTransaction(*open.conn, [&] {
      auto change = BeginTableChange(*open.conn, open.info);
      KeepRemovedRows(*open.conn, change, where, params);
      deleted =
          RunSql(*open.conn, "DELETE FROM " + QualifiedName(open.info.bucket, open.info.name) + where, params)
              ->GetValue(0, 0)
              .GetValue<int64_t>();
      RecordTableChange(*open.conn, change, {"rows.delete", 0, deleted}, /*full_image=*/false);
    });
    return deleted;
  });
}

}  // namespace duckstore
