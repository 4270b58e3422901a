// The DuckDB engine (one confined database per project) and the data services wired over it in-process.
#include "duckstore/storage/engine/engine.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <duckdb.hpp>
#include <fstream>
#include <regex>
#include <thread>

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/services.hpp"
#include "duckstore/storage/catalog/sqlite_catalog.hpp"
#include "duckstore/storage/engine/sql.hpp"
#include "test_util.hpp"

namespace duckstore {
namespace {

using testing::CaptureError;
using testing::TempDir;

EngineLimits SmallLimits() {
  EngineLimits limits;
  limits.project_memory_limit = "128MB";
  limits.project_threads = 1;
  limits.memory_cap = "1GB";
  limits.max_open_projects = 8;
  return limits;
}

void WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path);
  out << content;
  ASSERT_TRUE(out.good()) << path;
}

std::string Lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Runs `sql` on the project's database and returns the failure; the test fails if it succeeds.
Error QueryError(ProjectDatabase& db, const std::string& sql) {
  auto conn = db.Connect();
  return CaptureError([&] { RunSql(*conn, sql); });
}

#define EXPECT_ACCESS_DENIED(db, sql)                                                                  \
  do {                                                                                                 \
    Error access_error_ = QueryError(db, sql);                                                         \
    EXPECT_TRUE(                                                                                       \
        std::regex_search(Lower(access_error_.what()), std::regex("permission|disabled|not allowed"))) \
        << (sql) << " -> " << access_error_.what();                                                    \
  } while (0)

class EngineTest : public ::testing::Test {
 protected:
  TempDir dir_;
  Engine engine_{dir_ / "projects", SmallLimits()};
};

TEST_F(EngineTest, CreateProjectThenOpenGivesAWorkingDatabase) {
  EXPECT_FALSE(engine_.ProjectExists("p1"));
  engine_.CreateProject("p1");
  EXPECT_TRUE(engine_.ProjectExists("p1"));
  EXPECT_EQ(engine_.ProjectDir("p1"), dir_ / "projects" / "p1");
  EXPECT_TRUE(std::filesystem::exists(engine_.ProjectDir("p1") / "project.duckdb"));

  auto db = engine_.Open("p1");
  EXPECT_EQ(db->project_id(), "p1");
  EXPECT_EQ(db->root(), engine_.ProjectDir("p1"));
  EXPECT_EQ(engine_.Open("p1").get(), db.get());  // an open database is shared
  auto conn = db->Connect();
  RunDdl(*conn, "CREATE TABLE t (id INTEGER, name VARCHAR)");
  RunSql(*conn, "INSERT INTO t VALUES ($1, $2)", {duckdb::Value::INTEGER(1), duckdb::Value("one")});
  auto result = RunSql(*conn, "SELECT name FROM t WHERE id = 1");
  ASSERT_EQ(result->RowCount(), 1u);
  EXPECT_EQ(result->GetValue(0, 0).ToString(), "one");
  // The internal schema is in place: buckets, tables, branch_hidden, history_tables, history_changes,
  // history_settings.
  auto internal = RunSql(*conn, "SELECT count(*) FROM duckdb_tables() WHERE schema_name = '_duckstore'");
  EXPECT_EQ(internal->GetValue(0, 0).GetValue<int64_t>(), 6);
  EXPECT_EQ(engine_.Stats().open_projects, 1u);

  EXPECT_DUCKSTORE_ERROR(engine_.CreateProject("p1"), ErrorKind::kConflict, "project_exists");
}

TEST_F(EngineTest, DataSurvivesClosing) {
  engine_.CreateProject("p1");
  {
    auto db = engine_.Open("p1");
    auto conn = db->Connect();
    RunDdl(*conn, "CREATE TABLE t AS SELECT range AS id FROM range(1000)");
  }
  engine_.CloseAll();
  EXPECT_EQ(engine_.Stats().open_projects, 0u);
  auto db = engine_.Open("p1");
  auto conn = db->Connect();
  EXPECT_EQ(RunSql(*conn, "SELECT count(*) FROM t")->GetValue(0, 0).GetValue<int64_t>(), 1000);
}

TEST_F(EngineTest, ConcurrentOpensOfOneProjectShareOneInstance) {
  engine_.CreateProject("p1");
  engine_.CreateProject("p2");
  engine_.CloseAll();
  // Many threads open two closed projects at once: each project is opened exactly once (a second DuckDB
  // instance on one file would corrupt it) and every caller gets that instance.
  std::vector<std::shared_ptr<ProjectDatabase>> seen(16);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] { seen[i] = engine_.Open(i % 2 ? "p1" : "p2"); });
  }
  for (auto& thread : threads) thread.join();
  for (size_t i = 0; i < seen.size(); ++i) {
    ASSERT_NE(seen[i], nullptr);
    EXPECT_EQ(seen[i].get(), seen[i % 2].get());
  }
  EXPECT_NE(seen[0].get(), seen[1].get());
  EXPECT_EQ(engine_.Stats().open_projects, 2u);
}

TEST_F(EngineTest, OpenOfUnknownOrInvalidProject) {
  EXPECT_DUCKSTORE_ERROR(engine_.Open("missing"), ErrorKind::kNotFound, "project_not_found");
  EXPECT_FALSE(engine_.ProjectExists("missing"));
  EXPECT_DUCKSTORE_ERROR(engine_.Open("../p1"), ErrorKind::kInvalidArgument, "invalid_name");
  EXPECT_DUCKSTORE_ERROR(engine_.CreateProject("a/b"), ErrorKind::kInvalidArgument, "invalid_name");
  EXPECT_DUCKSTORE_ERROR(engine_.ProjectDir(".."), ErrorKind::kInvalidArgument, "invalid_name");
}

TEST_F(EngineTest, ProjectSqlCanReadItsOwnFiles) {
  engine_.CreateProject("p1");
  WriteFile(engine_.ProjectDir("p1") / "own.csv", "a,b\n1,x\n2,y\n");
  auto db = engine_.Open("p1");
  auto conn = db->Connect();
  auto result = RunSql(*conn, "SELECT count(*) FROM read_csv(" +
                                  QuoteLiteral((engine_.ProjectDir("p1") / "own.csv").string()) + ")");
  EXPECT_EQ(result->GetValue(0, 0).GetValue<int64_t>(), 2);
  RunDdl(*conn, "COPY (SELECT 42 AS v) TO " + QuoteLiteral((engine_.ProjectDir("p1") / "out.csv").string()));
  EXPECT_TRUE(std::filesystem::exists(engine_.ProjectDir("p1") / "out.csv"));
}

TEST_F(EngineTest, ProjectSqlCannotReadOutsideItsDirectory) {
  engine_.CreateProject("p1");
  engine_.CreateProject("p2");
  engine_.CreateProject("p10");  // its directory name starts with "p1"
  for (const char* id : {"p2", "p10"}) WriteFile(engine_.ProjectDir(id) / "secret.csv", "a\n1\n");
  WriteFile(dir_ / "outside.csv", "a\n1\n");
  auto db = engine_.Open("p1");
  auto p1 = engine_.ProjectDir("p1").string();

  EXPECT_ACCESS_DENIED(
      *db, "SELECT * FROM read_csv(" + QuoteLiteral(engine_.ProjectDir("p2").string() + "/secret.csv") + ")");
  EXPECT_ACCESS_DENIED(*db, "SELECT * FROM read_csv(" +
                                QuoteLiteral(engine_.ProjectDir("p10").string() + "/secret.csv") + ")");
  EXPECT_ACCESS_DENIED(*db, "SELECT * FROM read_csv(" + QuoteLiteral(p1 + "/../p2/secret.csv") + ")");
  EXPECT_ACCESS_DENIED(*db, "SELECT * FROM read_csv(" + QuoteLiteral((dir_ / "outside.csv").string()) + ")");
  EXPECT_ACCESS_DENIED(*db, "SELECT * FROM read_text('/etc/passwd')");
  EXPECT_ACCESS_DENIED(*db,
                       "SELECT * FROM glob(" + QuoteLiteral(engine_.ProjectDir("p2").string() + "/*") + ")");
  EXPECT_ACCESS_DENIED(*db, "COPY (SELECT 1) TO " + QuoteLiteral((dir_ / "leak.csv").string()));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "leak.csv"));
  EXPECT_ACCESS_DENIED(*db, "EXPORT DATABASE " + QuoteLiteral((dir_ / "export").string()));
  EXPECT_ACCESS_DENIED(*db, "SELECT * FROM read_csv('https://example.com/data.csv')");
  EXPECT_ACCESS_DENIED(*db, "LOAD httpfs");
  EXPECT_ACCESS_DENIED(
      *db, "ATTACH " + QuoteLiteral((engine_.ProjectDir("p2") / "project.duckdb").string()) + " AS other");
}

TEST_F(EngineTest, ConfinementSettingsAreLocked) {
  engine_.CreateProject("p1");
  engine_.CreateProject("p2");
  WriteFile(engine_.ProjectDir("p2") / "secret.csv", "a\n1\n");
  auto db = engine_.Open("p1");
  for (const char* sql :
       {"SET enable_external_access = true", "SET allowed_directories = ['/']",
        "SET lock_configuration = false", "RESET lock_configuration",
        "SET GLOBAL enable_external_access = true", "SET temp_directory = '/tmp'",
        "SET extension_directory = '/tmp'", "SET memory_limit = '100GB'", "SET threads = 64"}) {
    Error error = QueryError(*db, sql);
    EXPECT_NE(Lower(error.what()).find("lock"), std::string::npos) << sql << " -> " << error.what();
  }
  auto conn = db->Connect();
  auto setting = RunSql(*conn, "SELECT current_setting('enable_external_access')");
  EXPECT_FALSE(setting->GetValue(0, 0).GetValue<bool>());
  EXPECT_ACCESS_DENIED(
      *db, "SELECT * FROM read_csv(" + QuoteLiteral(engine_.ProjectDir("p2").string() + "/secret.csv") + ")");
}

TEST_F(EngineTest, DropProjectRemovesItsDirectory) {
  engine_.CreateProject("p1");
  engine_.CreateProject("p2");
  {
    auto db = engine_.Open("p1");
    RunDdl(*db->Connect(), "CREATE TABLE t (a INTEGER)");
  }
  engine_.DropProject("p1");
  EXPECT_FALSE(std::filesystem::exists(engine_.ProjectDir("p1")));
  EXPECT_FALSE(engine_.ProjectExists("p1"));
  EXPECT_DUCKSTORE_ERROR(engine_.Open("p1"), ErrorKind::kNotFound, "project_not_found");
  EXPECT_TRUE(engine_.ProjectExists("p2"));

  // The id can be used again, and starts empty.
  engine_.CreateProject("p1");
  auto db = engine_.Open("p1");
  auto tables =
      RunSql(*db->Connect(), "SELECT count(*) FROM duckdb_tables() WHERE schema_name <> '_duckstore'");
  EXPECT_EQ(tables->GetValue(0, 0).GetValue<int64_t>(), 0);
}

TEST_F(EngineTest, DropProjectWaitsForUsers) {
  engine_.CreateProject("p1");
  auto db = engine_.Open("p1");
  std::thread user([held = std::move(db)]() mutable {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    held.reset();
  });
  engine_.DropProject("p1");  // returns once the user let go
  user.join();
  EXPECT_FALSE(std::filesystem::exists(engine_.ProjectDir("p1")));
}

TEST(EngineCapacity, RefusesBeyondCapacityUntilADatabaseIsIdle) {
  TempDir dir;
  EngineLimits limits = SmallLimits();
  limits.max_open_projects = 1;
  Engine engine(dir / "projects", limits);
  engine.CreateProject("p1");
  engine.CreateProject("p2");  // closes p1 (unused) to make room
  auto p2 = engine.Open("p2");
  EXPECT_EQ(engine.Stats().open_projects, 1u);
  EXPECT_DUCKSTORE_ERROR(engine.Open("p1"), ErrorKind::kUnavailable, "engine_at_capacity");
  p2.reset();
  auto p1 = engine.Open("p1");  // p2 is idle now and gives way
  EXPECT_EQ(engine.Stats().open_projects, 1u);
  EXPECT_EQ(p1->project_id(), "p1");
}

// RunSql's translation of DuckDB errors, transactions and ValueToJson, on an in-memory database.
class SqlHelpersTest : public ::testing::Test {
 protected:
  void SetUp() override { RunDdl(conn_, "CREATE TABLE t (id INTEGER NOT NULL, name VARCHAR)"); }
  nlohmann::json Json(const std::string& expression) {
    return ValueToJson(RunSql(conn_, "SELECT " + expression)->GetValue(0, 0));
  }
  duckdb::DuckDB db_{nullptr};
  duckdb::Connection conn_{db_};
};

TEST_F(SqlHelpersTest, TranslatesErrors) {
  EXPECT_DUCKSTORE_ERROR(RunSql(conn_, "SELEC 1"), ErrorKind::kInvalidArgument, "invalid_query");
  EXPECT_DUCKSTORE_ERROR(RunSql(conn_, "SELECT nope FROM t"), ErrorKind::kInvalidArgument, "invalid_query");
  EXPECT_DUCKSTORE_ERROR(RunSql(conn_, "SELECT * FROM missing"), ErrorKind::kNotFound, "object_not_found");
  EXPECT_DUCKSTORE_ERROR(RunSql(conn_, "SELECT CAST($1 AS INTEGER)", {duckdb::Value("x")}),
                         ErrorKind::kUnprocessable, "invalid_data");
  EXPECT_DUCKSTORE_ERROR(RunSql(conn_, "INSERT INTO t VALUES (NULL, 'a')"), ErrorKind::kConflict,
                         "constraint_violation");
  // An object that already exists is a conflict, not a missing object.
  EXPECT_DUCKSTORE_ERROR(RunDdl(conn_, "CREATE TABLE t (a INTEGER)"), ErrorKind::kConflict, "object_exists");
  RunDdl(conn_, "CREATE SCHEMA s");
  EXPECT_DUCKSTORE_ERROR(RunDdl(conn_, "CREATE SCHEMA s"), ErrorKind::kConflict, "object_exists");
}

TEST_F(SqlHelpersTest, BindsParameters) {
  RunSql(conn_, "INSERT INTO t VALUES ($1, $2), ($3, $4)",
         {duckdb::Value::INTEGER(1), duckdb::Value("it's"), duckdb::Value::INTEGER(2), duckdb::Value()});
  auto result = RunSql(conn_, "SELECT name FROM t WHERE id = $1", {duckdb::Value::INTEGER(1)});
  ASSERT_EQ(result->RowCount(), 1u);
  EXPECT_EQ(result->GetValue(0, 0).ToString(), "it's");
}

TEST_F(SqlHelpersTest, TransactionsCommitOrRollBack) {
  InSqlTransaction(conn_, [&] { RunSql(conn_, "INSERT INTO t VALUES (1, 'a')"); });
  EXPECT_THROW(InSqlTransaction(conn_,
                                [&] {
                                  RunSql(conn_, "INSERT INTO t VALUES (2, 'b')");
                                  RunDdl(conn_, "CREATE TABLE u (a INTEGER)");
                                  throw std::runtime_error("boom");
                                }),
               std::runtime_error);
  // A failing statement inside also rolls back everything before it.
  EXPECT_THROW(InSqlTransaction(conn_,
                                [&] {
                                  RunSql(conn_, "INSERT INTO t VALUES (3, 'c')");
                                  RunSql(conn_, "INSERT INTO t VALUES (NULL, 'd')");
                                }),
               Error);
  EXPECT_FALSE(conn_.HasActiveTransaction());
  EXPECT_EQ(RunSql(conn_, "SELECT count(*) FROM t")->GetValue(0, 0).GetValue<int64_t>(), 1);
  EXPECT_DUCKSTORE_ERROR(RunSql(conn_, "SELECT * FROM u"), ErrorKind::kNotFound, "object_not_found");
}

TEST_F(SqlHelpersTest, ValueToJson) {
  EXPECT_EQ(Json("NULL"), nullptr);
  EXPECT_EQ(Json("true"), true);
  EXPECT_EQ(Json("42::TINYINT"), 42);
  EXPECT_EQ(Json("9223372036854775807::BIGINT"), INT64_MAX);
  EXPECT_EQ(Json("18446744073709551615::UBIGINT"), UINT64_MAX);
  EXPECT_EQ(Json("170141183460469231731687303715884105727::HUGEINT"),
            "170141183460469231731687303715884105727");
  EXPECT_EQ(Json("1.50::DECIMAL(10,2)"), "1.50");
  EXPECT_EQ(Json("0.25::DOUBLE"), 0.25);
  EXPECT_EQ(Json("'nan'::DOUBLE"), "nan");
  EXPECT_EQ(Json("'inf'::FLOAT"), "inf");
  EXPECT_EQ(Json("'héllo'"), "héllo");
  EXPECT_EQ(Json("DATE '2024-02-29'"), "2024-02-29");
  EXPECT_EQ(Json("TIMESTAMP '2024-02-29 12:34:56.789'"), "2024-02-29T12:34:56.789");
  EXPECT_EQ(Json("'\\x00\\xFFab'::BLOB"), "AP9hYg==");
  EXPECT_EQ(Json("[1, NULL, 3]"), (nlohmann::json{1, nullptr, 3}));
  EXPECT_EQ(Json("{'a': 1, 'b': [true]}"), (nlohmann::json{{"a", 1}, {"b", {true}}}));
  EXPECT_EQ(Json("MAP {'k': 1}"), (nlohmann::json::array({{{"key", "k"}, {"value", 1}}})));
}

// The data services over a real catalog and engine, wired as the server wires them.
class ServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    created_ = services_.projects.Create("p1", "Project One", nlohmann::json::object());
  }

  TableRef Orders() const { return TableRef{BranchRef{"p1"}, "in.c-sales", "orders"}; }

  void CreateOrders() {
    services_.buckets.Create(BranchRef{"p1"}, "in.c-sales", "sales data");
    services_.tables.Create(Orders(),
                            {ColumnDefinition{"id", "int", true, std::nullopt},
                             ColumnDefinition{"name", "varchar", true, std::nullopt},
                             ColumnDefinition{"amount", "decimal(10,2)", true, "0"}},
                            {"id"});
  }

  std::vector<int64_t> Ids(const PreviewResult& preview) {
    std::vector<int64_t> ids;
    for (const auto& row : preview.rows) ids.push_back(row.at(0).get<int64_t>());
    return ids;
  }

  TempDir dir_;
  std::unique_ptr<Catalog> catalog_ = OpenSqliteCatalog((dir_ / "catalog.db").string());
  Engine engine_{dir_ / "projects", SmallLimits()};
  Services services_{*catalog_, engine_, dir_.path(), 1 << 20, "admin-key", "master-key"};
  ProjectService::Created created_;
};

TEST_F(ServicesTest, ProjectCreationMakesStorageAndAWorkingAdminKey) {
  EXPECT_EQ(created_.project.name, "Project One");
  EXPECT_TRUE(engine_.ProjectExists("p1"));
  Principal principal = services_.auth.Authenticate(created_.admin_key.token);
  EXPECT_NO_THROW(services_.auth.Authorize(principal, Access::kProjectAdmin, "p1"));
  EXPECT_DUCKSTORE_ERROR(services_.projects.Create("p1", "", nlohmann::json::object()), ErrorKind::kConflict,
                         "project_exists");
}

TEST_F(ServicesTest, BucketsCreateListGetDelete) {
  BucketInfo bucket = services_.buckets.Create(BranchRef{"p1"}, "in.c-sales", "sales data");
  EXPECT_EQ(bucket.name, "in.c-sales");
  EXPECT_EQ(bucket.description, "sales data");
  EXPECT_EQ(bucket.table_count, 0);
  EXPECT_FALSE(bucket.created_at.empty());
  EXPECT_DUCKSTORE_ERROR(services_.buckets.Create(BranchRef{"p1"}, "IN.C-SALES", ""), ErrorKind::kConflict,
                         "bucket_exists");
  EXPECT_DUCKSTORE_ERROR(services_.buckets.Create(BranchRef{"p1"}, "_duckstore", ""),
                         ErrorKind::kInvalidArgument, "invalid_name");
  services_.buckets.Create(BranchRef{"p1"}, "out.c-reports", "");

  auto page = services_.buckets.List(BranchRef{"p1"}, PageRequest{1, 0});
  EXPECT_EQ(page.total, 2);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].name, "in.c-sales");
  EXPECT_EQ(services_.buckets.Get(BranchRef{"p1"}, "In.C-Sales").name, "in.c-sales");

  services_.buckets.Delete(BranchRef{"p1"}, "out.c-reports", false);
  EXPECT_DUCKSTORE_ERROR(services_.buckets.Get(BranchRef{"p1"}, "out.c-reports"), ErrorKind::kNotFound,
                         "bucket_not_found");
  EXPECT_DUCKSTORE_ERROR(services_.buckets.List(BranchRef{"nope"}, PageRequest{}), ErrorKind::kNotFound,
                         "project_not_found");
  EXPECT_DUCKSTORE_ERROR(services_.buckets.List(BranchRef{"p1", "dev"}, PageRequest{}), ErrorKind::kNotFound,
                         "branch_not_found");
}

TEST_F(ServicesTest, TablesInsertPreviewDeleteRows) {
  CreateOrders();
  TableInfo table = services_.tables.Get(Orders());
  ASSERT_EQ(table.columns.size(), 3u);
  EXPECT_EQ(table.columns[0].type, "INTEGER");
  EXPECT_FALSE(table.columns[0].nullable);  // key columns are NOT NULL
  EXPECT_EQ(table.columns[2].type, "DECIMAL(10,2)");
  EXPECT_EQ(table.primary_key, std::vector<std::string>{"id"});
  EXPECT_EQ(table.row_count, 0);

  using Row = TableService::Row;
  int64_t rows = services_.tables.InsertRows(
      Orders(), {Row{{"id", "1"}, {"name", "apple"}, {"amount", "1.50"}}, Row{{"id", "2"}, {"name", "pear"}},
                 Row{{"name", std::nullopt}, {"id", "10"}, {"amount", "100"}}});
  EXPECT_EQ(rows, 3);
  EXPECT_EQ(services_.tables.Get(Orders()).row_count, 3);

  PreviewRequest all;
  all.order_by = {OrderBy{"id"}};
  PreviewResult preview = services_.tables.Preview(Orders(), all);
  EXPECT_EQ(preview.columns, (std::vector<std::string>{"id", "name", "amount"}));
  EXPECT_EQ(Ids(preview), (std::vector<int64_t>{1, 2, 10}));
  EXPECT_EQ(preview.total_row_count, 3);
  EXPECT_EQ(preview.rows[0][1], "apple");
  EXPECT_EQ(preview.rows[0][2], "1.50");  // DECIMAL as exact text
  EXPECT_EQ(preview.rows[1][2], "0.00");  // the column default
  EXPECT_TRUE(preview.rows[2][1].is_null());

  PreviewRequest filtered;
  filtered.columns = {"ID"};
  filtered.filters = {ColumnFilter{"id", FilterOp::kGt, {"1"}}};  // numeric, so 10 > 1 and 2 > 1
  filtered.order_by = {OrderBy{"id", true}};
  filtered.limit = 1;
  preview = services_.tables.Preview(Orders(), filtered);
  EXPECT_EQ(preview.columns, std::vector<std::string>{"id"});
  EXPECT_EQ(Ids(preview), std::vector<int64_t>{10});
  EXPECT_EQ(preview.total_row_count, 2);  // matching rows, not the page

  PreviewRequest bad_limit;
  bad_limit.limit = 0;
  EXPECT_DUCKSTORE_ERROR(services_.tables.Preview(Orders(), bad_limit), ErrorKind::kInvalidArgument,
                         "invalid_limit");

  DeleteRowsResult deleted =
      services_.tables.DeleteRows(Orders(), {ColumnFilter{"name", FilterOp::kIsNull, {}}});
  EXPECT_EQ(deleted.deleted_rows, 1);
  EXPECT_EQ(deleted.rows_after, 2);
  deleted = services_.tables.DeleteRows(Orders(), DeleteRowsRequest{});
  EXPECT_EQ(deleted.deleted_rows, 2);
  EXPECT_EQ(deleted.rows_after, 0);
}

TEST_F(ServicesTest, PreviewTruncatesLongTextByCharacters) {
  CreateOrders();
  std::string fits, too_long;
  for (size_t i = 0; i < kPreviewMaxCellChars; ++i) fits += "\xC3\xA9";  // é: two bytes, one character
  too_long = fits + "x";
  using Row = TableService::Row;
  services_.tables.InsertRows(Orders(),
                              {Row{{"id", "1"}, {"name", fits}}, Row{{"id", "2"}, {"name", too_long}}});
  PreviewRequest request;
  request.columns = {"id", "name"};
  request.order_by = {OrderBy{"id"}};
  PreviewResult preview = services_.tables.Preview(Orders(), request);
  ASSERT_EQ(preview.rows.size(), 2u);
  EXPECT_EQ(preview.rows[0][1].get<std::string>(), fits);
  EXPECT_EQ(preview.rows[1][1].get<std::string>(), fits);  // cut after kPreviewMaxCellChars characters
  EXPECT_EQ(preview.truncated, (std::vector<std::pair<size_t, size_t>>{{1, 1}}));
}

TEST_F(ServicesTest, ListTablesPages) {
  services_.buckets.Create(BranchRef{"p1"}, "b", "");
  for (const char* name : {"t3", "t1", "t2"}) {
    services_.tables.Create(TableRef{BranchRef{"p1"}, "b", name}, {ColumnDefinition{"a", "int"}}, {});
  }
  auto page = services_.tables.List(BranchRef{"p1"}, "B", PageRequest{2, 1});
  EXPECT_EQ(page.total, 3);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].name, "t2");
  EXPECT_EQ(page.items[1].name, "t3");
  EXPECT_EQ(page.items[0].bucket, "b");
  page = services_.tables.List(BranchRef{"p1"}, "b", PageRequest{2, 5});
  EXPECT_TRUE(page.items.empty());
  EXPECT_EQ(page.total, 3);
  EXPECT_EQ(services_.buckets.Get(BranchRef{"p1"}, "b").table_count, 3);
  EXPECT_DUCKSTORE_ERROR(services_.tables.List(BranchRef{"p1"}, "nope", PageRequest{}), ErrorKind::kNotFound,
                         "bucket_not_found");
}

TEST_F(ServicesTest, InsertRowsIsAllOrNothing) {
  CreateOrders();
  using Row = TableService::Row;
  EXPECT_DUCKSTORE_ERROR(
      services_.tables.InsertRows(Orders(), {Row{{"id", "1"}}, Row{{"id", "not a number"}}}),
      ErrorKind::kUnprocessable, "invalid_data");
  EXPECT_DUCKSTORE_ERROR(services_.tables.InsertRows(Orders(), {Row{{"id", "1"}}, Row{{"nope", "1"}}}),
                         ErrorKind::kInvalidArgument, "column_not_found");
  EXPECT_EQ(services_.tables.Get(Orders()).row_count, 0);
  EXPECT_EQ(services_.tables.InsertRows(Orders(), {Row{{"id", "1"}}}), 1);
}

TEST_F(ServicesTest, TableErrorsAndDeletion) {
  CreateOrders();
  EXPECT_DUCKSTORE_ERROR(services_.tables.Create(TableRef{BranchRef{"p1"}, "in.c-sales", "ORDERS"},
                                                 {ColumnDefinition{"a", "int"}}, {}),
                         ErrorKind::kConflict, "table_exists");
  EXPECT_DUCKSTORE_ERROR(
      services_.tables.Create(TableRef{BranchRef{"p1"}, "missing", "t"}, {ColumnDefinition{"a", "int"}}, {}),
      ErrorKind::kNotFound, "bucket_not_found");
  EXPECT_DUCKSTORE_ERROR(services_.tables.Create(TableRef{BranchRef{"p1"}, "in.c-sales", "t"},
                                                 {ColumnDefinition{"a", "int; drop table x"}}, {}),
                         ErrorKind::kInvalidArgument, "invalid_type");
  EXPECT_DUCKSTORE_ERROR(services_.tables.Get(TableRef{BranchRef{"p1"}, "in.c-sales", "missing"}),
                         ErrorKind::kNotFound, "table_not_found");

  EXPECT_DUCKSTORE_ERROR(services_.buckets.Delete(BranchRef{"p1"}, "in.c-sales", false), ErrorKind::kConflict,
                         "bucket_not_empty");
  services_.tables.Delete(Orders());
  EXPECT_DUCKSTORE_ERROR(services_.tables.Get(Orders()), ErrorKind::kNotFound, "table_not_found");
  // The table can be created again; a cascading bucket delete takes it along.
  services_.tables.Create(Orders(), {ColumnDefinition{"id", "int"}}, {});
  services_.buckets.Delete(BranchRef{"p1"}, "in.c-sales", true);
  EXPECT_DUCKSTORE_ERROR(services_.tables.Get(Orders()), ErrorKind::kNotFound, "bucket_not_found");
  EXPECT_EQ(services_.buckets.List(BranchRef{"p1"}, PageRequest{}).total, 0);
}

TEST_F(ServicesTest, PrimaryKeyAndColumnChanges) {
  services_.buckets.Create(BranchRef{"p1"}, "in.c-sales", "");
  TableInfo table = services_.tables.Create(
      Orders(), {ColumnDefinition{"id", "int"}, ColumnDefinition{"name", "varchar"}}, {"ID"});
  EXPECT_EQ(table.primary_key, std::vector<std::string>{"id"});  // canonical spelling
  EXPECT_FALSE(table.columns[0].nullable);
  using Row = TableService::Row;
  services_.tables.InsertRows(Orders(), {Row{{"id", "1"}, {"name", "a"}}, Row{{"id", "2"}, {"name", "b"}}});

  // A NOT NULL column on a non-empty table needs a default; a refused change leaves no trace.
  EXPECT_DUCKSTORE_ERROR(
      services_.tables.AddColumn(Orders(), ColumnDefinition{"note", "varchar", false, std::nullopt}),
      ErrorKind::kInvalidArgument, "invalid_request");
  EXPECT_EQ(services_.tables.Get(Orders()).FindColumn("note"), nullptr);
  table = services_.tables.AddColumn(Orders(), ColumnDefinition{"note", "varchar", false, "n/a"});
  ASSERT_NE(table.FindColumn("note"), nullptr);
  EXPECT_FALSE(table.FindColumn("note")->nullable);
  PreviewResult preview = services_.tables.Preview(Orders(), PreviewRequest{{"note"}, {}, {}, 10});
  ASSERT_EQ(preview.rows.size(), 2u);
  EXPECT_EQ(preview.rows[0][0], "n/a");
  EXPECT_DUCKSTORE_ERROR(services_.tables.AddColumn(Orders(), ColumnDefinition{"NOTE", "int"}),
                         ErrorKind::kConflict, "column_exists");

  EXPECT_DUCKSTORE_ERROR(services_.tables.DropColumn(Orders(), "id"), ErrorKind::kInvalidArgument,
                         "column_in_primary_key");
  table = services_.tables.DropColumn(Orders(), "note");
  EXPECT_EQ(table.FindColumn("note"), nullptr);

  // Renaming a key column renames it in the key; a change of case only is a rename too.
  ColumnChange rename;
  rename.new_name = "order_id";
  table = services_.tables.AlterColumn(Orders(), "id", rename);
  EXPECT_EQ(table.primary_key, std::vector<std::string>{"order_id"});
  rename.new_name = "Name";
  table = services_.tables.AlterColumn(Orders(), "name", rename);
  EXPECT_EQ(table.columns[1].name, "Name");
  rename.new_name = "order_id";
  EXPECT_DUCKSTORE_ERROR(services_.tables.AlterColumn(Orders(), "Name", rename), ErrorKind::kConflict,
                         "column_exists");
  ColumnChange nullable;
  nullable.nullable = true;
  EXPECT_DUCKSTORE_ERROR(services_.tables.AlterColumn(Orders(), "order_id", nullable),
                         ErrorKind::kInvalidArgument, "column_in_primary_key");
  EXPECT_DUCKSTORE_ERROR(services_.tables.AlterColumn(Orders(), "Name", ColumnChange{}),
                         ErrorKind::kInvalidArgument, "no_changes_specified");

  // A key is only added over unique, non-NULL values.
  table = services_.tables.DropPrimaryKey(Orders());
  EXPECT_TRUE(table.primary_key.empty());
  EXPECT_DUCKSTORE_ERROR(services_.tables.DropPrimaryKey(Orders()), ErrorKind::kInvalidArgument,
                         "no_primary_key");
  services_.tables.InsertRows(Orders(), {Row{{"order_id", "3"}, {"Name", "a"}}, Row{{"order_id", "4"}}});
  Error nulls = CaptureError([&] { services_.tables.AddPrimaryKey(Orders(), {"name"}); });
  EXPECT_EQ(nulls.code(), "primary_key_has_nulls") << nulls.what();
  EXPECT_EQ(nulls.details().value("rows", 0), 1);
  services_.tables.DeleteRows(Orders(), {ColumnFilter{"name", FilterOp::kIsNull, {}}});
  Error duplicates = CaptureError([&] { services_.tables.AddPrimaryKey(Orders(), {"name"}); });
  EXPECT_EQ(duplicates.kind(), ErrorKind::kConflict);
  EXPECT_EQ(duplicates.code(), "duplicate_primary_key") << duplicates.what();
  ASSERT_EQ(duplicates.details()["examples"].size(), 1u) << duplicates.details().dump();
  EXPECT_EQ(duplicates.details()["examples"][0], (nlohmann::json{{"Name", "a"}, {"count", 2}}));
  EXPECT_TRUE(services_.tables.Get(Orders()).primary_key.empty());
  table = services_.tables.AddPrimaryKey(Orders(), {"order_id", "name"});
  EXPECT_EQ(table.primary_key, (std::vector<std::string>{"order_id", "Name"}));
  EXPECT_DUCKSTORE_ERROR(services_.tables.AddPrimaryKey(Orders(), {"order_id"}), ErrorKind::kConflict,
                         "primary_key_exists");
}

TEST_F(ServicesTest, ConcurrentCreatesOfOneBucketConflict) {
  constexpr int kThreads = 4;
  for (int round = 0; round < 5; ++round) {
    std::string name = "race" + std::to_string(round);
    std::vector<std::optional<Error>> errors(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        try {
          services_.buckets.Create(BranchRef{"p1"}, name, "");
        } catch (const Error& e) {
          errors[i] = e;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    int created = 0;
    for (const auto& error : errors) {
      if (!error) {
        ++created;
        continue;
      }
      EXPECT_EQ(error->kind(), ErrorKind::kConflict) << error->code() << ": " << error->what();
    }
    EXPECT_EQ(created, 1) << name;
  }
}

TEST_F(ServicesTest, ConcurrentInsertsIntoOneTableAllLand) {
  CreateOrders();
  constexpr int kThreads = 4, kBatches = 10;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        try {
          services_.tables.InsertRows(Orders(), {TableService::Row{{"id", std::to_string(t * 1000 + b)}}});
        } catch (const std::exception& e) {
          ++failures;
          ADD_FAILURE() << e.what();
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(services_.tables.Get(Orders()).row_count, kThreads * kBatches);
}

TEST_F(ServicesTest, MutationsAreRecordedInTheOperationsLog) {
  CreateOrders();
  EXPECT_THROW(services_.buckets.Create(BranchRef{"p1"}, "in.c-sales", ""), Error);
  auto log = services_.operations.List("p1", PageRequest{10, 0});
  ASSERT_GE(log.items.size(), 4u);
  EXPECT_EQ(log.items[0].operation, "bucket.create");
  EXPECT_EQ(log.items[0].status, "bucket_exists");
  EXPECT_EQ(log.items[1].operation, "table.create");
  EXPECT_EQ(log.items[1].resource, "in.c-sales.orders");
  EXPECT_EQ(log.items[1].status, "ok");
  EXPECT_EQ(log.items[2].operation, "bucket.create");
  EXPECT_EQ(log.items[2].status, "ok");
  EXPECT_EQ(log.items.back().operation, "project.create");
}

TEST_F(ServicesTest, ProjectDeletionRemovesStorageAndKeys) {
  CreateOrders();
  services_.projects.Delete("p1");
  EXPECT_FALSE(std::filesystem::exists(engine_.ProjectDir("p1")));
  EXPECT_FALSE(catalog_->GetProject("p1").has_value());
  EXPECT_FALSE(catalog_->GetKey(created_.admin_key.key.id).has_value());
  EXPECT_DUCKSTORE_ERROR(services_.auth.Authenticate(created_.admin_key.token), ErrorKind::kUnauthenticated,
                         "unauthorized");
  EXPECT_DUCKSTORE_ERROR(services_.tables.Get(Orders()), ErrorKind::kNotFound, "project_not_found");
  // The id is free again.
  services_.projects.Create("p1", "", nlohmann::json::object());
  EXPECT_EQ(services_.buckets.List(BranchRef{"p1"}, PageRequest{}).total, 0);
}

}  // namespace
}  // namespace duckstore
