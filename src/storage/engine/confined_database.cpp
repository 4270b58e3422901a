#include "duckstore/storage/engine/confined_database.hpp"

#include <duckdb.hpp>

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"

namespace duckstore {

void RunSetupSql(duckdb::Connection& conn, const std::string& sql, const char* what) {
  auto result = conn.Query(sql);
  if (result->HasError()) throw Internal(std::string(what) + " setup failed: " + result->GetError());
}

void CheckpointReplayedWal(duckdb::Connection& conn, const std::string& alias) {
  RunSetupSql(conn, alias.empty() ? "CHECKPOINT" : "CHECKPOINT " + QuoteIdent(alias), "database checkpoint");
}

std::unique_ptr<duckdb::DuckDB> OpenConfinedDatabase(const std::filesystem::path& file,
                                                     const std::filesystem::path& allowed_dir,
                                                     const std::filesystem::path& temp_dir,
                                                     const EngineLimits& limits, DatabaseAccess access) {
  duckdb::DBConfig config;
  if (access == DatabaseAccess::kReadOnly) config.options.access_mode = duckdb::AccessMode::READ_ONLY;
  // Files this server creates use the 1.4 storage format (typed macro parameters need it); existing files
  // keep the format they were created with.
  if (access == DatabaseAccess::kReadWrite) {
    config.SetOptionByName("storage_compatibility_version", duckdb::Value("v1.4.0"));
  }
  config.SetOptionByName("memory_limit", duckdb::Value(limits.project_memory_limit));
  config.SetOptionByName("threads", duckdb::Value::BIGINT(limits.project_threads));
  config.SetOptionByName("temp_directory", duckdb::Value(temp_dir.string()));
  config.SetOptionByName("autoinstall_known_extensions", duckdb::Value::BOOLEAN(false));
  config.SetOptionByName("autoload_known_extensions", duckdb::Value::BOOLEAN(false));
  auto db = std::make_unique<duckdb::DuckDB>(file.string(), &config);

  duckdb::Connection conn(*db);
  // allowed_directories can only be set on a running database; the lock makes the three settings final.
  RunSetupSql(conn, "SET allowed_directories = [" + QuoteLiteral(allowed_dir.string() + "/") + "]",
              "database");
  RunSetupSql(conn, "SET enable_external_access = false", "database");
  RunSetupSql(conn, "SET lock_configuration = true", "database");
  if (access == DatabaseAccess::kReadWrite) CheckpointReplayedWal(conn, "");
  return db;
}

}  // namespace duckstore
