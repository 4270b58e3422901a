// The table's key as project_metadata reads it: the explicit Keboola key of _duckstore.tables, else the key
// DuckDB enforces (PRIMARY KEY, else the first UNIQUE constraint), on an in-memory project database.
#include <gtest/gtest.h>

#include "duckstore/storage/engine/project_metadata.hpp"
#include "duckstore/storage/engine/project_schema.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {
namespace {

using Key = std::vector<std::string>;

class TableKeysTest : public ::testing::Test {
 public:
  void SetUp() override {
    ApplyProjectSchema(conn_, SchemaKind::kPlain);
    RunDdl(conn_, "CREATE SCHEMA b");
    RunDdl(conn_, "CREATE TABLE b.pk (id INTEGER PRIMARY KEY, email VARCHAR UNIQUE)");
    RunDdl(conn_, "CREATE TABLE b.uniq (tag VARCHAR, n INTEGER, UNIQUE (n, tag), UNIQUE (tag))");
    RunDdl(conn_, "CREATE TABLE b.mixed (a INTEGER UNIQUE, b INTEGER, PRIMARY KEY (b, a))");
    RunDdl(conn_, "CREATE TABLE b.plain (x INTEGER)");
  }
  Key TableKey(const std::string& table) {
    return LoadTable(conn_, "b", table, TableDetail::kDefinition)->primary_key;
  }
  Key CatalogKey(const std::string& table) { return LoadCatalogTable(conn_, "b", table)->primary_key; }

  duckdb::DuckDB db_{nullptr};
  duckdb::Connection conn_{db_};
};

TEST_F(TableKeysTest, DeclaredKeysAreTheTablesKeys) {
  for (auto read : {&TableKeysTest::TableKey, &TableKeysTest::CatalogKey}) {
    EXPECT_EQ((this->*read)("pk"), (Key{"id"}));
    EXPECT_EQ((this->*read)("uniq"), (Key{"n", "tag"}));  // the first UNIQUE constraint, in its order
    EXPECT_EQ((this->*read)("mixed"), (Key{"b", "a"}));   // the PRIMARY KEY over any UNIQUE
    EXPECT_EQ((this->*read)("plain"), Key{});
  }
  EXPECT_EQ(LoadTypedTable(conn_, "b", "pk")->primary_key, (Key{"id"}));
}

TEST_F(TableKeysTest, AnExplicitKeboolaKeyWins) {
  RecordTable(conn_, "b", "pk", {"email"});
  EXPECT_EQ(TableKey("pk"), (Key{"email"}));
  EXPECT_EQ(CatalogKey("pk"), (Key{"id"}));  // DuckDB's catalog alone knows no Keboola key
  SavePrimaryKey(conn_, "b", "pk", {});
  EXPECT_EQ(TableKey("pk"), (Key{"id"}));
  RecordTable(conn_, "b", "plain", {});
  EXPECT_EQ(TableKey("plain"), Key{});
}

}  // namespace
}  // namespace duckstore
