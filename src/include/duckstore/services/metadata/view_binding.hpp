// Where the views of a dev branch read from (docs/design/branches.md, "Views on dev branches").
//
// DuckDB binds a view's table names when the view is queried, looking first in the catalog and schema that
// hold the view. A view stored in a dev branch's database over a table the branch only inherits must
// therefore name the table with its database (the project database); once the branch copies the table up,
// the same view must read the branch's copy instead. duckstore keeps both true by writing a branch view's
// table references fully qualified with the database where the branch sees each table when the view is
// created, and by re-pointing the branch's views whenever a table moves between the two databases (copy-on-
// write, reset). This file holds the SQL rewriting; BranchView::RebindViews applies it.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace duckstore {

// A table a view references, as written in the view: catalog (may be empty), schema, table.
struct ViewReference {
  std::string catalog;
  std::string schema;
  std::string table;
};

// Rewrites the catalog of table references in a `CREATE VIEW` statement (as DuckDB stores it in
// duckdb_views().sql). `relocate` gets every table reference at any depth (joins, subqueries, CTEs, set
// operations) and returns the catalog it must name now, or nullopt to leave it. Returns the
// `CREATE OR REPLACE VIEW` statement when some reference changed, nullopt otherwise (also for SQL that is
// not a single CREATE VIEW).
std::optional<std::string> RelocateViewReferences(
    const std::string& create_view_sql,
    const std::function<std::optional<std::string>(const ViewReference&)>& relocate);

}  // namespace duckstore
