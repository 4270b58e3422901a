// The embedded catalog implementation: SQLite, one file in the data directory. The only entry point is the
// factory; callers hold the result as the backend-neutral Catalog (catalog.hpp).
#pragma once

#include <memory>
#include <string>

#include "duckstore/storage/catalog/catalog.hpp"

namespace duckstore {

// Opens (creating if needed) the SQLite catalog at `path` and applies pending schema migrations. The file
// lives in the data directory: blob paths are stored relative to the directory that holds it
// (storage/catalog/blob_paths.hpp). Throws duckstore::Error (kInternal) when the file cannot be opened.
std::unique_ptr<Catalog> OpenSqliteCatalog(const std::string& path);

}  // namespace duckstore
