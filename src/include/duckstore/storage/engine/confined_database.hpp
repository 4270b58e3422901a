// Opening a DuckDB database under duckstore's confinement, shared by project databases and standalone
// files: the engine limits (memory, threads), spills into `temp_dir`, no extension auto-install or
// auto-load, file access only below `allowed_dir`, and the configuration locked so that no SQL (a user's
// query, a macro stored in the file) can widen it again.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "duckstore/config/config.hpp"

namespace duckdb {
class DuckDB;
class Connection;
}  // namespace duckdb

namespace duckstore {

enum class DatabaseAccess { kReadWrite, kReadOnly };

// Throws kInternal when DuckDB refuses a setting; DuckDB's own exceptions (a locked or corrupt file) pass
// through for the caller to classify.
std::unique_ptr<duckdb::DuckDB> OpenConfinedDatabase(const std::filesystem::path& file,
                                                     const std::filesystem::path& allowed_dir,
                                                     const std::filesystem::path& temp_dir,
                                                     const EngineLimits& limits, DatabaseAccess access);

// Runs setup SQL; kInternal naming `what` on failure.
void RunSetupSql(duckdb::Connection& conn, const std::string& sql, const char* what);

}  // namespace duckstore
