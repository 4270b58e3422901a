#include "duckstore/services/views.hpp"

#include "duckdb/catalog/catalog.hpp"
#include "duckdb/catalog/catalog_entry/view_catalog_entry.hpp"
#include "duckdb/catalog/entry_lookup_info.hpp"
#include "duckdb/main/client_context.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/sql_builder.hpp"
#include "duckstore/services/tables.hpp"
#include "duckstore/storage/engine/project_schema.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {

std::optional<ViewInfo> LoadView(duckdb::Connection& conn, const std::string& bucket,
                                 const std::string& view) {
  if (IsReservedSchemaName(bucket)) return std::nullopt;
  std::optional<ViewInfo> found;
  conn.context->RunFunctionInTransaction([&] {
    duckdb::EntryLookupInfo lookup(duckdb::CatalogType::VIEW_ENTRY, view);
    auto entry = duckdb::Catalog::GetEntry(*conn.context, INVALID_CATALOG, bucket, lookup,
                                           duckdb::OnEntryNotFound::RETURN_NULL);
    if (!entry || entry->type != duckdb::CatalogType::VIEW_ENTRY) return;
    auto& view_entry = entry->Cast<duckdb::ViewCatalogEntry>();
    ViewInfo info;
    info.bucket = view_entry.schema.name;
    info.name = view_entry.name;
    for (size_t i = 0; i < view_entry.types.size(); ++i) {
      ColumnInfo column;
      column.name = i < view_entry.aliases.size() && !view_entry.aliases[i].empty() ? view_entry.aliases[i]
                                                                                    : view_entry.names[i];
      column.type = view_entry.types[i].ToString();
      column.ordinal_position = static_cast<int64_t>(i) + 1;
      info.columns.push_back(std::move(column));
    }
    found = std::move(info);
  });
  return found;
}

ViewInfo ViewService::CreateOrReplace(const TableRef& view, const ViewDefinition& definition) {
  ValidateObjectName(view.bucket, "bucket name");
  ValidateObjectName(view.table, "view name");
  ValidateObjectName(definition.source.bucket, "bucket name");
  ValidateObjectName(definition.source.table, "table name");
  return ops_.Run(view.branch.project_id, "view.create", view.Qualified(), [&] {
    auto db = branches_.Open(view.branch);
    auto conn = db->Connect();
    auto bucket = FindBucket(*conn, view.bucket);
    if (!bucket) throw NotFound("bucket_not_found", "bucket '" + view.bucket + "' does not exist");
    if (LoadTable(*conn, *bucket, view.table, TableDetail::kDefinition)) {
      throw Conflict("table_exists",
                     "a table named '" + view.table + "' already exists in bucket '" + *bucket + "'");
    }
    auto source =
        LoadTable(*conn, definition.source.bucket, definition.source.table, TableDetail::kDefinition);
    if (!source) {
      throw NotFound("table_not_found",
                     "source table '" + definition.source.Qualified() + "' does not exist");
    }
    std::string select;
    for (const auto& name : definition.columns) {
      const ColumnInfo* column = source->FindColumn(name);
      if (!column) {
        throw NotFound("column_not_found", "column '" + name + "' does not exist in '" + source->name + "'",
                       {{"column", name}});
      }
      select += (select.empty() ? "" : ", ") + QuoteIdent(column->name);
    }
    if (select.empty()) select = "*";
    RunDdl(*conn, "CREATE OR REPLACE VIEW " + QualifiedName(*bucket, view.table) + " AS SELECT " + select +
                      " FROM " + QualifiedName(source->bucket, source->name) +
                      BuildWhereInline(definition.filters, *source));
    return *LoadView(*conn, *bucket, view.table);
  });
}

ViewInfo ViewService::Get(const TableRef& view) {
  ValidateObjectName(view.bucket, "bucket name");
  ValidateObjectName(view.table, "view name");
  auto db = branches_.Open(view.branch);
  auto conn = db->Connect();
  if (!FindBucket(*conn, view.bucket))
    throw NotFound("bucket_not_found", "bucket '" + view.bucket + "' does not exist");
  auto info = LoadView(*conn, view.bucket, view.table);
  if (!info) throw NotFound("view_not_found", "view '" + view.Qualified() + "' does not exist");
  return *info;
}

bool ViewService::Exists(const TableRef& view) {
  ValidateObjectName(view.bucket, "bucket name");
  ValidateObjectName(view.table, "view name");
  auto db = branches_.Open(view.branch);
  auto conn = db->Connect();
  return LoadView(*conn, view.bucket, view.table).has_value();
}

void ViewService::Delete(const TableRef& view) {
  ops_.Run(view.branch.project_id, "view.delete", view.Qualified(), [&] {
    ViewInfo info = Get(view);
    auto db = branches_.Open(view.branch);
    auto conn = db->Connect();
    RunDdl(*conn, "DROP VIEW " + QualifiedName(info.bucket, info.name));
  });
}

}  // namespace duckstore
