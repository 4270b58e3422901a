// The embedded catalog: one SQLite database (WAL mode, foreign keys on) behind a recursive mutex, with
// each kind of record served by its own class (sqlite_catalog_parts.hpp) over that one connection.
// Catalog operations are short point reads and writes, so one serialized connection is enough; the
// mutex also gives InTransaction() its meaning (the transaction owns the connection until it ends), and
// since every kind shares the connection a transaction spans kinds.
#include <memory>

#include "duckstore/storage/catalog/catalog.hpp"
#include "duckstore/storage/catalog/sqlite_catalog_parts.hpp"
#include "duckstore/storage/catalog/sqlite_migrations.hpp"

namespace duckstore {
namespace {

class SqliteCatalog final : public Catalog,
                            public SqliteProjectCatalog,
                            public SqliteBranchCatalog,
                            public SqliteSharingCatalog,
                            public SqliteObjectCatalog,
                            public SqliteMultipartCatalog,
                            public SqliteFileCatalog,
                            public SqliteJobCatalog,
                            public SqliteOperationCatalog,
                            public SqliteWorkspaceCatalog,
                            public SqliteDasCatalog,
                            public SqliteSettingsCatalog {
 public:
  // The connection is opened before the bases that keep a reference to it (a constructor argument is
  // constructed before any base), and owned by the catalog.
  explicit SqliteCatalog(std::unique_ptr<SqliteCatalogDb> db)
      : SqliteProjectCatalog(*db),
        SqliteBranchCatalog(*db),
        SqliteSharingCatalog(*db),
        SqliteObjectCatalog(*db),
        SqliteMultipartCatalog(*db),
        SqliteFileCatalog(*db),
        SqliteJobCatalog(*db),
        SqliteOperationCatalog(*db),
        SqliteWorkspaceCatalog(*db),
        SqliteDasCatalog(*db),
        SqliteSettingsCatalog(*db),
        connection_(std::move(db)) {
    {
      auto lock = connection_->Lock();
      ApplySqliteMigrations(connection_->db());
    }
    RelativizeBlobPaths();
  }

  void InTransaction(const std::function<void()>& body) override {
    auto lock = connection_->Lock();
    connection_->db().Exec("BEGIN IMMEDIATE");
    try {
      body();
      connection_->db().Exec("COMMIT");
    } catch (...) {
      connection_->db().Exec("ROLLBACK");
      throw;
    }
  }

 private:
  // Rows written before blob paths were stored relative hold absolute paths; those below this data
  // directory become relative, once: a setting records that it ran, so later starts skip the table scans
  // (every row written since is relative already, or outside the data directory and left as it is).
  void RelativizeBlobPaths() {
    static const std::string kDone = "catalog.blob_paths_relative";
    InTransaction([&] {
      if (GetSetting(kDone)) return;
      for (const char* table : {"objects", "upload_parts"}) {
        connection_->Run(
            std::string("UPDATE ") + table +
                " SET blob = substr(blob, length(?1) + 1) WHERE substr(blob, 1, length(?1)) = ?1 "
                "AND length(blob) > length(?1)",
            connection_->blobs().prefix());
      }
      PutSetting(kDone, "1");
    });
  }

  std::unique_ptr<SqliteCatalogDb> connection_;
};

}  // namespace

std::unique_ptr<Catalog> OpenSqliteCatalog(const std::string& path) {
  return std::make_unique<SqliteCatalog>(std::make_unique<SqliteCatalogDb>(path));
}

}  // namespace duckstore
