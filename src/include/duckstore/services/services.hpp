// Every service of the process, wired once over the storage layer; transports receive this.
#pragma once

#include <memory>

#include "duckstore/services/audit/operation_log.hpp"
#include "duckstore/services/auth/auth.hpp"
#include "duckstore/services/das/das.hpp"
#include "duckstore/services/das/das_registry.hpp"
#include "duckstore/services/export/export_service.hpp"
#include "duckstore/services/files/files.hpp"
#include "duckstore/services/files/multipart.hpp"
#include "duckstore/services/files/object_store.hpp"
#include "duckstore/services/import/import_service.hpp"
#include "duckstore/services/jobs/job_service.hpp"
#include "duckstore/services/metadata/backend.hpp"
#include "duckstore/services/metadata/branches.hpp"
#include "duckstore/services/metadata/buckets.hpp"
#include "duckstore/services/metadata/projects.hpp"
#include "duckstore/services/metadata/sharing.hpp"
#include "duckstore/services/metadata/tables.hpp"
#include "duckstore/services/metadata/views.hpp"
#include "duckstore/services/query/query.hpp"
#include "duckstore/services/workspaces/workspace_access.hpp"
#include "duckstore/services/workspaces/workspaces.hpp"
#include "duckstore/storage/catalog/catalog.hpp"
#include "duckstore/storage/engine/engine.hpp"
#include "duckstore/storage/engine/standalone.hpp"

namespace duckstore {

struct Services {
  Services(Catalog& catalog, Engine& engine, const std::filesystem::path& data_dir, int64_t max_object_bytes,
           std::string admin_key, std::string master_key, const std::filesystem::path& das_databases_dir = {})
      : catalog(catalog),
        engine(engine),
        standalone(das_databases_dir, data_dir / "standalone_tmp", engine.limits()),
        auth(catalog, std::move(admin_key), std::move(master_key)),
        operations(catalog),
        projects(catalog, engine, auth, operations, sql_sessions),
        branches(catalog, engine),
        buckets(branches, operations),
        tables(branches, operations),
        views(branches, operations),
        sharing(branches, buckets, operations),
        queries(branches, sharing, operations),
        backend(catalog, engine),
        workspaces(branches, operations, sql_sessions),
        workspace_access(branches, auth, operations, sql_sessions),
        dev_branches(branches, workspaces, operations),
        das_registry(catalog, auth, branches, standalone),
        das(branches, standalone, tables, das_registry),
        objects(catalog, data_dir, max_object_bytes),
        files(catalog, objects, operations),
        multipart(catalog, objects),
        imports(branches, operations, objects),
        exports(branches, operations, objects, files),
        jobs(catalog, kJobWorkers, kMaxQueuedJobs) {}

  static constexpr size_t kJobWorkers = 2;
  static constexpr size_t kMaxQueuedJobs = 64;

  Catalog& catalog;
  Engine& engine;
  StandaloneDatabases standalone;  // standalone DuckDB files (DAS `database` registrations)
  AuthService auth;
  OperationLog operations;
  SqlSessionRegistry sql_sessions;  // the PostgreSQL door's live sessions
  ProjectService projects;
  BranchResolver branches;
  BucketService buckets;
  TableService tables;
  ViewService views;
  SharingService sharing;
  QueryService queries;
  BackendService backend;
  WorkspaceService workspaces;
  WorkspaceAccessService workspace_access;
  BranchService dev_branches;
  DasRegistry das_registry;
  DasService das;
  ObjectStore objects;
  FileService files;
  MultipartService multipart;
  ImportService imports;
  ExportService exports;
  JobService jobs;  // last: destroyed first, its workers use the services above
};

}  // namespace duckstore
