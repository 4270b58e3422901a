// TableService: row writes given as text (InsertRows casts text to the column types) and row deletion by
// conditions.
#include "duckstore/services/metadata/tables.hpp"

#include <map>

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/metadata/change_window.hpp"
#include "duckstore/services/metadata/row_keys.hpp"
#include "duckstore/services/metadata/table_access.hpp"
#include "duckstore/services/model/sql_builder.hpp"
#include "duckstore/storage/engine/project_metadata.hpp"
#include "duckstore/storage/engine/project_metadata_history.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {

int64_t TableService::InsertRows(const TableRef& ref, const std::vector<Row>& rows) {
  constexpr size_t kRowsPerStatement = 500;
  return ops_.Run(ref.branch.project_id, "table.insert_rows", ref.Qualified(), [&] {
    auto open = OpenForChange(branches_, ref);
    std::string table = QualifiedName(open.info.bucket, open.info.name);
    // The stored key of every written row, checked for duplicates before the transaction commits.
    std::string returning;
    for (const auto& key : open.info.primary_key)
      returning += (returning.empty() ? " RETURNING " : ", ") + QuoteIdent(key);
    std::vector<std::vector<duckdb::Value>> keys;
    InSqlTransaction(*open.conn, [&] {
      auto change = BeginTableChange(*open.conn, open.info);
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
          auto written = RunSql(
              *open.conn, "INSERT INTO " + table + " (" + columns + ") VALUES " + values + returning, params);
          for (auto& key : KeysOf(*written, open.info)) keys.push_back(std::move(key));
        }
      }
      RefuseDuplicateKeys(*open.conn, open.info, keys);
      KeepAppendedRows(*open.conn, change);
      RecordTableChange(*open.conn, change, {"rows.insert", static_cast<int64_t>(rows.size()), 0},
                        /*full_image=*/false);
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
    InSqlTransaction(*open.conn, [&] {
      auto change = BeginTableChange(*open.conn, open.info);
      KeepRemovedRows(*open.conn, change, where, params);
      out.deleted_rows =
          RunSql(*open.conn, "DELETE FROM " + table + where, params)->GetValue(0, 0).GetValue<int64_t>();
      RecordTableChange(*open.conn, change, {"rows.delete", 0, out.deleted_rows}, /*full_image=*/false);
    });
    out.rows_after = RunSql(*open.conn, "SELECT count(*) FROM " + table)->GetValue(0, 0).GetValue<int64_t>();
    return out;
  });
}

}  // namespace duckstore
