// The catalog: server-wide metadata (projects, API keys, branches, settings, the operations log, the
// object store's buckets and object metadata, files, jobs, workspaces, sharing, DAS registrations).
//
// Project data (buckets, tables, rows) is not here; it lives in each project's DuckDB database. The
// catalog is the aggregate of small interfaces, one per kind of record (the headers beside this one); a
// service that needs one kind may take that interface, the others take Catalog. Catalog adds only what
// spans kinds: transactions. The interfaces are backend-neutral so that a PostgreSQL catalog can replace
// the embedded SQLite one for multi-node deployments by implementing the same interfaces
// (docs/design/catalog.md). Every method is safe to call from any thread. Failures throw duckstore::Error:
// kConflict for uniqueness violations, kNotFound where a method says so, kInternal for the backend.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "duckstore/storage/catalog/branch_catalog.hpp"
#include "duckstore/storage/catalog/das_catalog.hpp"
#include "duckstore/storage/catalog/entities.hpp"
#include "duckstore/storage/catalog/file_catalog.hpp"
#include "duckstore/storage/catalog/job_catalog.hpp"
#include "duckstore/storage/catalog/multipart_catalog.hpp"
#include "duckstore/storage/catalog/object_catalog.hpp"
#include "duckstore/storage/catalog/operation_catalog.hpp"
#include "duckstore/storage/catalog/project_catalog.hpp"
#include "duckstore/storage/catalog/settings_catalog.hpp"
#include "duckstore/storage/catalog/sharing_catalog.hpp"
#include "duckstore/storage/catalog/workspace_catalog.hpp"

namespace duckstore {

// The bases are virtual so that an implementation can implement each interface in a class of its own
// and combine them (class SqliteCatalog : public Catalog, public SqliteProjectCatalog, ...): the kind
// classes' overrides are the final ones, no method is forwarded by hand.
class Catalog : public virtual ProjectCatalog,
                public virtual BranchCatalog,
                public virtual SharingCatalog,
                public virtual ObjectCatalog,
                public virtual MultipartCatalog,
                public virtual FileCatalog,
                public virtual JobCatalog,
                public virtual OperationCatalog,
                public virtual WorkspaceCatalog,
                public virtual DasCatalog,
                public virtual SettingsCatalog {
 public:
  ~Catalog() override = default;

  // Runs `body` in one transaction: every catalog call it makes on this thread, of any kind, commits or
  // rolls back together (rollback when it throws; the exception propagates).
  virtual void InTransaction(const std::function<void()>& body) = 0;
};

// Opens (creating if needed) the SQLite catalog at `path` and applies pending schema migrations. The file
// lives in the data directory: blob paths are stored relative to the directory that holds it
// (storage/catalog/blob_paths.hpp).
std::unique_ptr<Catalog> OpenSqliteCatalog(const std::string& path);

}  // namespace duckstore
