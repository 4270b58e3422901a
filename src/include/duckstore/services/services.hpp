// Every service of the process, wired once over the storage layer; transports receive this.
#pragma once

#include <memory>

#include "duckstore/services/auth.hpp"
#include "duckstore/services/buckets.hpp"
#include "duckstore/services/files.hpp"
#include "duckstore/services/multipart.hpp"
#include "duckstore/services/object_store.hpp"
#include "duckstore/services/operation_log.hpp"
#include "duckstore/services/projects.hpp"
#include "duckstore/services/tables.hpp"
#include "duckstore/storage/catalog/catalog.hpp"
#include "duckstore/storage/engine/engine.hpp"

namespace duckstore {

struct Services {
  Services(Catalog& catalog, Engine& engine, const std::filesystem::path& data_dir, int64_t max_object_bytes,
           std::string admin_key, std::string master_key)
      : catalog(catalog),
        engine(engine),
        auth(catalog, std::move(admin_key), std::move(master_key)),
        operations(catalog),
        projects(catalog, engine, auth, operations),
        branches(catalog, engine),
        buckets(branches, operations),
        tables(branches, operations),
        objects(catalog, data_dir, max_object_bytes),
        files(catalog, objects, operations),
        multipart(catalog, objects) {}

  Catalog& catalog;
  Engine& engine;
  AuthService auth;
  OperationLog operations;
  ProjectService projects;
  BranchResolver branches;
  BucketService buckets;
  TableService tables;
  ObjectStore objects;
  FileService files;
  MultipartService multipart;
};

}  // namespace duckstore
