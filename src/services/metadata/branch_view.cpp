#include "duckstore/services/metadata/branch_view.hpp"

#include <algorithm>
#include <set>

#include "duckdb/catalog/catalog.hpp"
#include "duckdb/catalog/catalog_entry/schema_catalog_entry.hpp"
#include "duckdb/catalog/entry_lookup_info.hpp"
#include "duckdb/main/client_context.hpp"
#include "duckdb/parser/parsed_data/create_info.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/metadata/view_binding.hpp"
#include "duckstore/services/model/sql_builder.hpp"
#include "duckstore/storage/engine/project_metadata.hpp"
#include "duckstore/storage/engine/project_schema.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {
namespace {

using duckdb::StringUtil;

// Bucket schemas of the connection's default database.
std::vector<std::string> SchemasIn(duckdb::Connection& conn) {
  auto result = RunSql(conn,
                       "SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database() "
                       "AND NOT internal");
  std::vector<std::string> out;
  for (size_t row = 0; row < result->RowCount(); ++row) {
    auto name = result->GetValue(0, row).ToString();
    if (!IsReservedSchemaName(name)) out.push_back(std::move(name));
  }
  return out;
}

// A table or view of the connection's default database: canonical name and whether it is a view.
struct Found {
  std::string name;
  bool is_view = false;
};

// Tables and views of a schema of the connection's default database (none when there is no such schema).
// Read from the schema's own catalog set, not from duckdb_tables()/duckdb_views(): those walk every table
// of every attached database (and compute each one's SQL and size), so listing each bucket that way made a
// project's listings quadratic in its number of tables.
std::vector<Found> TablesIn(duckdb::Connection& conn, const std::string& schema) {
  std::vector<Found> out;
  conn.context->RunFunctionInTransaction([&] {
    auto entry = duckdb::Catalog::GetSchema(*conn.context, INVALID_CATALOG, schema,
                                            duckdb::OnEntryNotFound::RETURN_NULL);
    if (!entry) return;
    // The set of TABLE_ENTRY holds the schema's views too.
    entry->Scan(*conn.context, duckdb::CatalogType::TABLE_ENTRY, [&](duckdb::CatalogEntry& object) {
      bool is_view = object.type == duckdb::CatalogType::VIEW_ENTRY;
      if (is_view && object.internal) return;
      out.push_back({object.name, is_view});
    });
  });
  return out;
}

// A table or view of the connection's default database, or nullopt.
std::optional<Found> FindTableIn(duckdb::Connection& conn, const std::string& schema,
                                 const std::string& table) {
  if (IsReservedSchemaName(schema)) return std::nullopt;
  std::optional<Found> found;
  conn.context->RunFunctionInTransaction([&] {
    duckdb::EntryLookupInfo lookup(duckdb::CatalogType::TABLE_ENTRY, table);
    auto entry = duckdb::Catalog::GetEntry(*conn.context, INVALID_CATALOG, schema, lookup,
                                           duckdb::OnEntryNotFound::RETURN_NULL);
    if (entry) found = Found{entry->name, entry->type == duckdb::CatalogType::VIEW_ENTRY};
  });
  return found;
}

// The CREATE TABLE statement of a table of the connection's default database, naming its schema but not its
// database (as duckdb_tables().sql has it), or nullopt. A catalog lookup: duckdb_tables() would build the
// statement, and storage statistics, for every table of every attached database.
std::optional<std::string> CreateStatementIn(duckdb::Connection& conn, const std::string& schema,
                                             const std::string& table) {
  std::optional<std::string> out;
  conn.context->RunFunctionInTransaction([&] {
    duckdb::EntryLookupInfo lookup(duckdb::CatalogType::TABLE_ENTRY, table);
    auto entry = duckdb::Catalog::GetEntry(*conn.context, INVALID_CATALOG, schema, lookup,
                                           duckdb::OnEntryNotFound::RETURN_NULL);
    if (!entry || entry->type != duckdb::CatalogType::TABLE_ENTRY) return;
    auto info = entry->GetInfo();
    info->catalog.clear();
    out = info->ToString();
  });
  return out;
}

}  // namespace

std::optional<std::string> FindBucket(duckdb::Connection& conn, const std::string& name) {
  if (IsReservedSchemaName(name)) return std::nullopt;
  std::optional<std::string> found;
  conn.context->RunFunctionInTransaction([&] {
    auto schema = duckdb::Catalog::GetSchema(*conn.context, INVALID_CATALOG, name,
                                             duckdb::OnEntryNotFound::RETURN_NULL);
    if (schema) found = schema->name;
  });
  return found;
}

void RefuseLinked(const BucketLocation& bucket) {
  if (!bucket.linked()) return;
  throw Error(
      ErrorKind::kPermissionDenied, "bucket_read_only",
      "bucket '" + bucket.name + "' is linked from project '" + bucket.link->source_project_id +
          "' and is read-only",
      {{"source_project_id", bucket.link->source_project_id}, {"source_bucket", bucket.link->source_bucket}});
}

BranchView::BranchView(Catalog& catalog, Engine& engine, BranchRef ref, std::shared_ptr<ProjectDatabase> db,
                       std::string own_catalog)
    : catalog_(catalog),
      engine_(engine),
      ref_(std::move(ref)),
      db_(std::move(db)),
      own_catalog_(std::move(own_catalog)) {}

BranchView::~BranchView() = default;

duckdb::Connection& BranchView::Conn(TableSource source, const BucketLocation* bucket) {
  switch (source) {
    case TableSource::kOwn:
      if (!own_) {
        own_ = db_->Connect();
        if (!is_default()) RunDdl(*own_, "USE " + QuoteIdent(own_catalog_));
      }
      return *own_;
    case TableSource::kDefault:
      if (is_default()) return Conn(TableSource::kOwn);
      if (!base_) base_ = db_->Connect();
      return *base_;
    case TableSource::kLinked: {
      if (!bucket || !bucket->linked()) throw Internal("a linked table needs its linked bucket");
      const auto& source_project = bucket->link->source_project_id;
      auto& linked = linked_[source_project];
      if (!linked.conn) {
        auto project = catalog_.GetProject(source_project);
        if (!project || project->status != "active") {
          throw NotFound("bucket_not_found", "the source project of bucket '" + bucket->name + "' is gone");
        }
        linked.db = engine_.Open(source_project);
        linked.conn = linked.db->Connect();
      }
      return *linked.conn;
    }
  }
  throw Internal("unknown table source");
}

std::string BranchView::PhysicalBucket(const BucketLocation& bucket, TableSource source) {
  return source == TableSource::kLinked ? bucket.link->source_bucket : bucket.name;
}

const std::vector<BucketLink>& BranchView::Links() {
  if (!links_) links_ = catalog_.ListLinks(ref_.project_id);
  return *links_;
}

bool BranchView::Hidden(const std::string& bucket, const std::string& table) {
  return !is_default() && IsHidden(Conn(TableSource::kOwn), bucket, table);
}

std::optional<BucketLocation> BranchView::FindBucket(const std::string& name) {
  BucketLocation location;
  if (auto own = duckstore::FindBucket(Conn(TableSource::kOwn), name)) {
    location.own = true;
    location.name = *own;
  }
  if (!is_default() && !Hidden(name, "")) {
    if (auto base = duckstore::FindBucket(Conn(TableSource::kDefault), name)) {
      location.inherited = true;
      if (!location.own) location.name = *base;
    }
  }
  if (!location.own && !location.inherited && !Hidden(name, "")) {
    for (const auto& link : Links()) {
      if (StringUtil::CIEquals(link.bucket, name)) {
        location.name = link.bucket;
        location.link = link;
      }
    }
  }
  if (!location.own && !location.inherited && !location.linked()) return std::nullopt;
  return location;
}

BucketLocation BranchView::RequireBucket(const std::string& name) {
  auto bucket = FindBucket(name);
  if (!bucket) throw NotFound("bucket_not_found", "bucket '" + name + "' does not exist");
  return *bucket;
}

std::vector<BucketLocation> BranchView::ListBuckets() {
  std::map<std::string, BucketLocation> found;  // by lower-cased name
  for (auto& name : SchemasIn(Conn(TableSource::kOwn))) {
    auto& location = found[StringUtil::Lower(name)];
    location.name = name;
    location.own = true;
  }
  std::set<std::string> hidden;
  if (!is_default()) {
    hidden = HiddenBuckets(Conn(TableSource::kOwn));
    for (auto& name : SchemasIn(Conn(TableSource::kDefault))) {
      auto key = StringUtil::Lower(name);
      if (hidden.contains(key)) continue;
      auto& location = found[key];
      if (!location.own) location.name = name;
      location.inherited = true;
    }
  }
  for (const auto& link : Links()) {
    auto key = StringUtil::Lower(link.bucket);
    if (found.contains(key) || hidden.contains(key)) continue;
    found[key] = BucketLocation{link.bucket, false, false, link};
  }
  std::vector<BucketLocation> out;
  out.reserve(found.size());
  for (auto& [key, location] : found) out.push_back(std::move(location));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::optional<TableLocation> BranchView::FindTable(const BucketLocation& bucket, const std::string& table) {
  auto at = [&](const Found& found, TableSource source) {
    return TableLocation{bucket.name, found.name, source, found.is_view};
  };
  if (bucket.linked()) {
    auto found = FindTableIn(Conn(TableSource::kLinked, &bucket), bucket.link->source_bucket, table);
    if (found) return at(*found, TableSource::kLinked);
    return std::nullopt;
  }
  if (bucket.own) {
    if (auto found = FindTableIn(Conn(TableSource::kOwn), bucket.name, table))
      return at(*found, TableSource::kOwn);
  }
  if (bucket.inherited && !Hidden(bucket.name, table)) {
    if (auto found = FindTableIn(Conn(TableSource::kDefault), bucket.name, table))
      return at(*found, TableSource::kDefault);
  }
  return std::nullopt;
}

std::vector<TableLocation> BranchView::ListTables(const BucketLocation& bucket) {
  std::map<std::string, TableLocation> found;
  auto add = [&](const Found& table, TableSource source) {
    found[StringUtil::Lower(table.name)] = TableLocation{bucket.name, table.name, source, table.is_view};
  };
  if (bucket.linked()) {
    for (const auto& table : TablesIn(Conn(TableSource::kLinked, &bucket), bucket.link->source_bucket))
      add(table, TableSource::kLinked);
  }
  if (bucket.own) {
    for (const auto& table : TablesIn(Conn(TableSource::kOwn), bucket.name)) add(table, TableSource::kOwn);
  }
  if (bucket.inherited) {
    auto hidden = HiddenTables(Conn(TableSource::kOwn), bucket.name);
    for (const auto& table : TablesIn(Conn(TableSource::kDefault), bucket.name)) {
      auto key = StringUtil::Lower(table.name);
      if (!hidden.contains(key) && !found.contains(key)) add(table, TableSource::kDefault);
    }
  }
  std::vector<TableLocation> out;
  out.reserve(found.size());
  for (auto& [key, location] : found) out.push_back(std::move(location));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

void BranchView::MaterializeBucket(const BucketLocation& bucket) {
  if (bucket.own || is_default()) return;
  auto lock = db_->LockTable(own_catalog_, bucket.name, "");
  auto& own = Conn(TableSource::kOwn);
  if (duckstore::FindBucket(own, bucket.name)) return;  // a concurrent request materialized it
  InSqlTransaction(own, [&] {
    RunDdl(own, "CREATE SCHEMA " + QuoteIdent(bucket.name));
    CopyBucketAttributes(own, kProjectCatalog, bucket.name);
  });
}

TableLocation BranchView::CopyUp(const TableLocation& table) {
  if (table.source != TableSource::kDefault) return table;
  MaterializeBucket(BucketLocation{table.bucket, false, true, std::nullopt});
  // The default branch's own CREATE TABLE statement keeps types, defaults and NOT NULL constraints; it
  // names the schema but not the database, so it runs in the branch's database.
  auto create = CreateStatementIn(Conn(TableSource::kDefault), table.bucket, table.name);
  if (!create) {
    throw NotFound("table_not_found",
                   "table '" + table.name + "' does not exist in bucket '" + table.bucket + "'");
  }
  std::string source =
      QuoteIdent(kProjectCatalog) + "." + QuoteIdent(table.bucket) + "." + QuoteIdent(table.name);
  auto& own = Conn(TableSource::kOwn);
  InSqlTransaction(own, [&] {
    RunDdl(own, *create);
    RunSql(own, "INSERT INTO " + QuoteIdent(table.bucket) + "." + QuoteIdent(table.name) + " SELECT * FROM " +
                    source);
    CopyTableAttributes(own, kProjectCatalog, table.bucket, table.name);
    RebindViews(table.bucket, table.name);
  });
  return TableLocation{table.bucket, table.name, TableSource::kOwn, false};
}

std::string BranchView::SqlName(const TableLocation& table) const {
  if (table.source == TableSource::kLinked) throw Internal("a linked table has no name in this instance");
  std::string name = QualifiedName(table.bucket, table.name);
  if (is_default()) return name;
  return QuoteIdent(table.source == TableSource::kOwn ? own_catalog_ : std::string(kProjectCatalog)) + "." +
         name;
}

void BranchView::RebindViews(const std::string& bucket, const std::string& table) {
  if (is_default()) return;
  auto& own = Conn(TableSource::kOwn);
  auto views = RunSql(own,
                      "SELECT sql FROM duckdb_views() WHERE database_name = current_database() AND NOT "
                      "internal AND NOT temporary");
  if (views->RowCount() == 0) return;
  auto location = FindBucket(bucket);
  auto now = location ? FindTable(*location, table) : std::nullopt;
  if (!now || now->source == TableSource::kLinked) return;
  const std::string target = now->source == TableSource::kOwn ? own_catalog_ : std::string(kProjectCatalog);
  for (size_t row = 0; row < views->RowCount(); ++row) {
    auto rewritten =
        RelocateViewReferences(views->GetValue(0, row).ToString(), [&](const ViewReference& ref) {
          bool ours = StringUtil::CIEquals(ref.catalog, kProjectCatalog) ||
                      StringUtil::CIEquals(ref.catalog, own_catalog_);
          if (!ours || !StringUtil::CIEquals(ref.schema, bucket) || !StringUtil::CIEquals(ref.table, table))
            return std::optional<std::string>();
          return std::optional<std::string>(target);
        });
    if (rewritten) RunDdl(own, *rewritten);
  }
}

void BranchView::Hide(const std::string& bucket, const std::string& table) {
  if (is_default() || Hidden(bucket, table)) return;
  RecordHidden(Conn(TableSource::kOwn), bucket, table);
}

std::unique_ptr<BranchView> BranchResolver::View(const BranchRef& branch) {
  auto project = catalog_.GetProject(branch.project_id);
  if (!project || project->status != "active") {
    throw NotFound("project_not_found", "project '" + branch.project_id + "' does not exist");
  }
  std::string own_catalog = kProjectCatalog;
  if (branch.branch_id != "default" && !catalog_.GetBranch(branch.project_id, branch.branch_id)) {
    throw NotFound("branch_not_found", "branch '" + branch.branch_id + "' does not exist");
  }
  auto db = engine_.Open(branch.project_id);
  // A branch whose file is missing (created but crashed before its first attach) is an empty overlay.
  if (branch.branch_id != "default") own_catalog = db->Attach(AttachedKind::kBranch, branch.branch_id, true);
  return std::make_unique<BranchView>(catalog_, engine_, branch, std::move(db), std::move(own_catalog));
}

std::shared_ptr<ProjectDatabase> BranchResolver::Open(const BranchRef& branch) {
  auto project = catalog_.GetProject(branch.project_id);
  if (!project || project->status != "active") {
    throw NotFound("project_not_found", "project '" + branch.project_id + "' does not exist");
  }
  if (branch.branch_id != "default") {
    if (!catalog_.GetBranch(branch.project_id, branch.branch_id)) {
      throw NotFound("branch_not_found", "branch '" + branch.branch_id + "' does not exist");
    }
    throw InvalidArgument("dev_branch_unsupported",
                          "this operation is not available on dev branches yet; use the default branch");
  }
  return engine_.Open(branch.project_id);
}

namespace {

// The first step of every write: valid names, the branch's view (into `view`), and the bucket, which must
// not be a linked one.
BucketLocation WritableBucket(BranchResolver& branches, const TableRef& ref,
                              std::unique_ptr<BranchView>& view) {
  ValidateObjectName(ref.bucket, "bucket name");
  ValidateObjectName(ref.table, "table name");
  view = branches.View(ref.branch);
  auto bucket = view->RequireBucket(ref.bucket);
  RefuseLinked(bucket);
  return bucket;
}

}  // namespace

WritableTable OpenForWrite(BranchResolver& branches, const TableRef& ref) {
  WritableTable out;
  auto bucket = WritableBucket(branches, ref, out.view);
  auto missing = [&] {
    return NotFound("table_not_found",
                    "table '" + ref.table + "' does not exist in bucket '" + ref.bucket + "'");
  };
  auto table = out.view->FindTable(bucket, ref.table);
  if (!table) throw missing();
  out.lock = out.view->db().LockTable(out.view->own_catalog(), bucket.name, table->name);
  // Resolved again under the lock: a concurrent writer may have copied the table (and so its bucket) into
  // the branch meanwhile.
  bucket = out.view->RequireBucket(ref.bucket);
  table = out.view->FindTable(bucket, ref.table);
  if (!table) throw missing();
  table = out.view->CopyUp(*table);
  out.conn = &out.view->Conn(TableSource::kOwn);
  out.bucket = table->bucket;
  out.table = table->name;
  return out;
}

NewObject OpenForCreate(BranchResolver& branches, const TableRef& ref) {
  NewObject out;
  auto bucket = WritableBucket(branches, ref, out.view);
  out.lock = out.view->db().LockTable(out.view->own_catalog(), bucket.name, ref.table);
  bucket = out.view->RequireBucket(ref.bucket);  // as it is now that concurrent writers are held off
  out.existing = out.view->FindTable(bucket, ref.table);
  out.view->MaterializeBucket(bucket);
  out.conn = &out.view->Conn(TableSource::kOwn);
  out.bucket = bucket.name;
  return out;
}

}  // namespace duckstore
