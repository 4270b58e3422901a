// What one request sees of a project branch: the dev branch overlay and linked buckets.
//
// The default branch is the project database itself. A dev branch has its own DuckDB database (the file
// branches/<id>.duckdb attached to the project's instance) holding only what the branch created or wrote,
// plus tombstones of default-branch buckets and tables it deleted. Everything else shows through live from
// the default branch: a table the branch has not written is read from the default branch (so the branch
// sees later default-branch writes to it); the first write copies it into the branch (copy-on-write) and
// from then on the branch reads and writes its copy only. Nothing done on a dev branch changes the default
// branch. Linked buckets (shared by another project) are read from the source project's database and are
// read-only. docs/design/branches.md has the rules and the reasons for the layout.
//
// A BranchView belongs to one request (one thread); it holds the project database open while it lives.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "duckstore/services/model/table_model.hpp"
#include "duckstore/storage/catalog/catalog.hpp"
#include "duckstore/storage/engine/engine.hpp"

namespace duckstore {

// Where a bucket visible on a branch comes from. A bucket can be both in the branch's own database and
// inherited (the branch wrote some of its tables); a linked bucket is neither.
struct BucketLocation {
  std::string name;        // canonical name as seen on the branch
  bool own = false;        // has a schema in the branch's own database
  bool inherited = false;  // the default branch's bucket of this name shows through (dev branches)
  std::optional<BucketLink> link;

  bool linked() const { return link.has_value(); }
};

// Which database holds a table's data.
enum class TableSource { kOwn, kDefault, kLinked };

struct TableLocation {
  std::string bucket;  // canonical bucket name on the branch
  std::string name;    // canonical table name
  TableSource source = TableSource::kOwn;
  bool is_view = false;
};

class BranchView {
 public:
  BranchView(Catalog& catalog, Engine& engine, BranchRef ref, std::shared_ptr<ProjectDatabase> db,
             std::string own_catalog);
  ~BranchView();
  BranchView(const BranchView&) = delete;
  BranchView& operator=(const BranchView&) = delete;

  const BranchRef& ref() const { return ref_; }
  bool is_default() const { return ref_.branch_id == "default"; }
  ProjectDatabase& db() { return *db_; }
  // The alias of the branch's own database (kProjectCatalog on the default branch).
  const std::string& own_catalog() const { return own_catalog_; }

  // A connection whose default database holds data of `source`: the branch's own database, the default
  // branch's, or for kLinked the source project's of `bucket` (opened on demand). Unqualified
  // "bucket"."table" names and the _duckstore schema resolve in that database.
  duckdb::Connection& Conn(TableSource source, const BucketLocation* bucket = nullptr);
  // The schema holding `bucket`'s tables in the database of Conn(source): the linked bucket's source name.
  static std::string PhysicalBucket(const BucketLocation& bucket, TableSource source);

  std::optional<BucketLocation> FindBucket(const std::string& name);
  std::vector<BucketLocation> ListBuckets();  // sorted by name
  // kNotFound("bucket_not_found") when not visible.
  BucketLocation RequireBucket(const std::string& name);

  std::optional<TableLocation> FindTable(const BucketLocation& bucket, const std::string& table);
  // Visible tables and views of a bucket, sorted by name.
  std::vector<TableLocation> ListTables(const BucketLocation& bucket);

  // Gives the branch's own database a schema for an inherited bucket (with the default branch's bucket
  // attributes), so that tables can be created or copied into it. No-op when it has one.
  void MaterializeBucket(const BucketLocation& bucket);
  // Copy-on-write: copies a default-branch table (definition, rows, attributes) into the branch's own
  // database and re-points the branch's views that read it (RebindViews), in one transaction; returns its
  // new location. The caller holds the table's lock in the own database.
  TableLocation CopyUp(const TableLocation& table);
  // The SQL name of a table of the branch's own database or the default branch's (not kLinked) that any
  // connection of the project's instance resolves: "<database>"."bucket"."table" on a dev branch (the
  // project database or the branch's), "bucket"."table" on the default branch.
  std::string SqlName(const TableLocation& table) const;
  // Re-points the branch's own views that read `bucket`.`table` (by a database-qualified name, as
  // SqlName writes them) at the database where the branch sees that table now: its own copy, or the
  // default branch's. Call it in the transaction on Conn(kOwn) that moved the table (copy-up, reset). No-op
  // on the default branch and when the branch sees no such table (docs/design/branches.md).
  void RebindViews(const std::string& bucket, const std::string& table);
  // Records that the branch deleted a default-branch table (`table` empty: the whole bucket), which
  // therefore no longer shows through. No-op on the default branch.
  void Hide(const std::string& bucket, const std::string& table);

 private:
  struct Linked {
    std::shared_ptr<ProjectDatabase> db;
    std::unique_ptr<duckdb::Connection> conn;
  };
  bool Hidden(const std::string& bucket, const std::string& table);
  const std::vector<BucketLink>& Links();

  Catalog& catalog_;
  Engine& engine_;
  BranchRef ref_;
  std::shared_ptr<ProjectDatabase> db_;
  std::string own_catalog_;
  std::unique_ptr<duckdb::Connection> own_;
  std::unique_ptr<duckdb::Connection> base_;
  std::map<std::string, Linked> linked_;
  std::optional<std::vector<BucketLink>> links_;
};

// Resolves a branch of a project to its view; shared by the data services.
class BranchResolver {
 public:
  BranchResolver(Catalog& catalog, Engine& engine) : catalog_(catalog), engine_(engine) {}
  // kNotFound "project_not_found" / "branch_not_found".
  std::unique_ptr<BranchView> View(const BranchRef& branch);
  // The project database of the default branch. A dev branch is kInvalidArgument("dev_branch_unsupported"):
  // callers that write through this would bypass the copy-on-write overlay; use View() for branches.
  std::shared_ptr<ProjectDatabase> Open(const BranchRef& branch);

  Catalog& catalog() { return catalog_; }
  Engine& engine() { return engine_; }

 private:
  Catalog& catalog_;
  Engine& engine_;
};

// The write target of a table on a branch: the table in the branch's own database (copied up first when
// it was inherited), locked against other writers, with a connection on that database. Linked buckets are
// refused with kPermissionDenied("bucket_read_only"); missing buckets or tables are kNotFound.
struct WritableTable {
  std::unique_ptr<BranchView> view;
  std::unique_lock<std::mutex> lock;
  duckdb::Connection* conn = nullptr;
  std::string bucket;  // canonical names in the own database
  std::string table;
};
WritableTable OpenForWrite(BranchResolver& branches, const TableRef& ref);

// The target of a new table or view `ref` (CLONE and VIEW imports, CreateView): its bucket has a schema in
// the branch's own database (materialized from an inherited bucket), the name is locked against other
// writers, and `existing` is what the branch sees under that name now (own or inherited, table or view;
// nullopt when free). Linked buckets are refused with kPermissionDenied("bucket_read_only").
struct NewObject {
  std::unique_ptr<BranchView> view;
  std::unique_lock<std::mutex> lock;
  duckdb::Connection* conn = nullptr;  // on the branch's own database
  std::string bucket;                  // canonical
  std::optional<TableLocation> existing;
};
NewObject OpenForCreate(BranchResolver& branches, const TableRef& ref);

// The canonical (as created) name of a bucket of the connection's default database, or nullopt; DuckDB
// matches schema names case-insensitively.
std::optional<std::string> FindBucket(duckdb::Connection& conn, const std::string& name);

// kPermissionDenied("bucket_read_only") for a linked bucket.
void RefuseLinked(const BucketLocation& bucket);

}  // namespace duckstore
