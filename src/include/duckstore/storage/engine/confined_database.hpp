// Opening a DuckDB database under duckstore's confinement, shared by project databases and standalone
// files: the engine limits (memory, threads), spills into `temp_dir`, no extension auto-install or
// auto-load, file access only below `allowed_dir`, and the configuration locked so that no SQL (a user's
// query, a macro stored in the file) can widen it again. A read-write database is checkpointed once open.
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

// Checkpoints a database just opened or attached read-write (`alias` empty: the connection's own), so that
// what its WAL replay produced is in the file before anything new is logged. DuckDB 1.4.4 can replay a torn
// commit's optimistically written row groups outside the replay transaction (docs/design/reliability.md,
// "Known defects"): those rows are then in memory but neither in the file nor in the WAL, and later WAL
// entries that name their row ids would, at the next crash, replay against rows that are not there (the
// rest of the WAL is then dropped as torn: acknowledged writes lost). The checkpoint makes the replayed
// state the base of everything logged after it.
void CheckpointReplayedWal(duckdb::Connection& conn, const std::string& alias);

}  // namespace duckstore
