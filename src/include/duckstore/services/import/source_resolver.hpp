// Resolves a file source of an import (an object, a sliced-file manifest, or a prefix) to blob paths the
// destination project's DuckDB instance may read (ObjectStore::StageForProject).
//
// - kSingleFile: the object at `key`; kNotFound("object_not_found", driver code 4201) when missing (a
//   missing manifest too).
// - kSlicedFile: `key` holds a manifest {"entries":[{"url":..., "mandatory":bool}]}; a url is
//   "s3://<bucket>/<key>" or a key of the manifest's bucket. A missing mandatory entry is
//   kUnprocessable("mandatory_file_not_found", 4201); a missing optional one is skipped. Entries may name
//   the manifest's bucket or another bucket of the destination project, nothing else
//   (kPermissionDenied).
// - kDirectory: every object whose key starts with `key`, in key order, except "<key>manifest"; none is
//   kUnprocessable("mandatory_file_not_found").
#pragma once

#include <string>
#include <vector>

#include "duckstore/services/files/object_store.hpp"
#include "duckstore/services/import/import_request.hpp"

namespace duckstore {

struct ResolvedFiles {
  StagedObjects staged;            // keeps admin-bucket objects linked while the import reads them
  std::vector<std::string> names;  // "bucket/key" of each path, for errors
};

ResolvedFiles ResolveFileSource(ObjectStore& objects, const std::string& project_id,
                                const ObjectLocation& source, SourceType type);

}  // namespace duckstore
