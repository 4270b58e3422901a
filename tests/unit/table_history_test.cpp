// Table history as storage keeps it (project_metadata_history.hpp, docs/design/history.md), on an in-memory
// project database: changes of every kind at recorded instants read back exactly as of each instant, the
// rows a transaction appended are exactly DuckDB's transaction-local rows, and expiry forgets only the past.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "duckstore/storage/engine/project_metadata.hpp"
#include "duckstore/storage/engine/project_metadata_history.hpp"
#include "duckstore/storage/engine/project_schema.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {
namespace {

class TableHistoryTest : public ::testing::Test {
 public:
  void SetUp() override {
    ApplyProjectSchema(conn_, SchemaKind::kHistory);
    RunDdl(conn_, "CREATE SCHEMA b");
    RunDdl(conn_, "CREATE TABLE b.t (id INTEGER, v VARCHAR)");
    RunDdl(conn_, "INSERT INTO b.t VALUES (1, 'a'), (2, 'b'), (2, 'b'), (3, NULL)");
    OpenTableHistory(conn_, Definition());
  }
  TableInfo Definition() { return *LoadTable(conn_, "b", "t", TableDetail::kDefinition); }

  // The rows of `sql`, sorted, as text.
  std::vector<std::string> Rows(const std::string& sql) {
    auto result = RunSql(
        conn_, "SELECT CAST(id AS VARCHAR) || ':' || coalesce(v, 'NULL') AS r FROM (" + sql + ") ORDER BY r");
    std::vector<std::string> out;
    for (size_t row = 0; row < result->RowCount(); ++row) out.push_back(result->GetValue(0, row).ToString());
    return out;
  }
  std::vector<std::string> Live() { return Rows("SELECT * FROM b.t"); }
  std::vector<std::string> AsOf(const duckdb::Value& at) {
    auto past = LoadPastTable(conn_, "b", "t", at);
    EXPECT_EQ(past.status, PastStatus::kFound);
    return past.table ? Rows(past.table->sql) : std::vector<std::string>{};
  }
  // An instant strictly between the last change and the next.
  duckdb::Value Instant() {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    auto now = RunSql(conn_, "SELECT CAST(get_current_timestamp() AS TIMESTAMPTZ)")->GetValue(0, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return now;
  }
  void Change(const std::string& operation, const std::function<void(const TableChange&)>& body,
              bool full = false) {
    InSqlTransaction(conn_, [&] {
      auto change = BeginTableChange(conn_, Definition());
      body(change);
      RecordTableChange(conn_, change, {operation}, full);
    });
  }

  duckdb::DuckDB db_{nullptr};
  duckdb::Connection conn_{db_};
};

TEST_F(TableHistoryTest, EveryChangeReadsBackAsOfEachInstant) {
  std::vector<std::pair<duckdb::Value, std::vector<std::string>>> states;
  states.emplace_back(Instant(), Live());
  Change("rows.insert", [&](const TableChange& change) {
    RunSql(conn_, "INSERT INTO b.t VALUES (4, 'd'), (2, 'b')");
    KeepAppendedRows(conn_, change);
  });
  states.emplace_back(Instant(), Live());
  Change("rows.delete", [&](const TableChange& change) {
    KeepRemovedRows(conn_, change, " WHERE id = $1", {duckdb::Value::INTEGER(2)});
    RunSql(conn_, "DELETE FROM b.t WHERE id = $1", {duckdb::Value::INTEGER(2)});
  });
  states.emplace_back(Instant(), Live());
  Change("rows.update", [&](const TableChange& change) {
    auto ids = RunSql(conn_, "SELECT rowid FROM b.t WHERE id = 3");
    std::vector<int64_t> row_ids{ids->GetValue(0, 0).GetValue<int64_t>()};
    KeepRowsById(conn_, change, true, row_ids);
    RunSql(conn_, "UPDATE b.t SET v = 'c' WHERE id = 3");
    KeepRowsById(conn_, change, false, row_ids);
  });
  states.emplace_back(Instant(), Live());
  Change(
      "import.full",
      [&](const TableChange& change) {
        KeepRemovedRows(conn_, change, "", {});
        RunSql(conn_, "DELETE FROM b.t");
        RunSql(conn_, "INSERT INTO b.t VALUES (7, 'x'), (8, 'y')");
      },
      /*full=*/true);
  states.emplace_back(Instant(), Live());
  Change("import.incremental", [&](const TableChange& change) {
    KeepRemovedRows(conn_, change, " WHERE id = 7", {});
    RunSql(conn_, "DELETE FROM b.t WHERE id = 7");
    RunSql(conn_, "INSERT INTO b.t VALUES (7, 'z'), (9, NULL)");
    KeepAppendedRows(conn_, change);
  });
  states.emplace_back(Instant(), Live());

  EXPECT_EQ(states[1].second, (std::vector<std::string>{"1:a", "2:b", "2:b", "2:b", "3:NULL", "4:d"}));
  for (const auto& [at, rows] : states) EXPECT_EQ(AsOf(at), rows);
  auto versions = ListTableVersions(conn_, "b", "t");
  ASSERT_EQ(versions.size(), 5u);
  EXPECT_EQ(versions[3].operation, "import.full");
  EXPECT_TRUE(versions[3].full_image);

  // Dropped: the whole table is kept; before the drop it reads back, after it the table did not exist.
  InSqlTransaction(conn_, [&] {
    CloseTableHistory(conn_, Definition(), {"table.drop"});
    RunDdl(conn_, "DROP TABLE b.t");
  });
  auto after_drop = Instant();
  for (const auto& [at, rows] : states) EXPECT_EQ(AsOf(at), rows);
  EXPECT_EQ(LoadPastTable(conn_, "b", "t", after_drop).status, PastStatus::kNotExisted);
  ASSERT_EQ(ListDroppedTables(conn_).size(), 1u);

  // Expiry at an instant forgets what only earlier reads needed, keeps later states exact.
  ExpireHistory(conn_, states[3].first);
  for (size_t i = 3; i < states.size(); ++i) EXPECT_EQ(AsOf(states[i].first), states[i].second);
  ExpireHistory(conn_, after_drop);
  EXPECT_TRUE(ListDroppedTables(conn_).empty());
}

TEST_F(TableHistoryTest, AppendedRowsAreTheTransactionsOwn) {
  auto before = Instant();
  auto original = Live();
  InSqlTransaction(conn_, [&] {
    auto change = BeginTableChange(conn_, Definition());
    KeepRemovedRows(conn_, change, " WHERE id = 1", {});
    RunSql(conn_, "DELETE FROM b.t WHERE id = 1");
    RunSql(conn_, "INSERT INTO b.t VALUES (5, 'e'), (6, 'f')");
    RunSql(conn_, "DELETE FROM b.t WHERE id = 6");
    KeepAppendedRows(conn_, change);
    RecordTableChange(conn_, change, {"rows.insert"}, false);
  });
  // DuckDB numbers a transaction's appended rows from MAX_ROW_ID: exactly (5, 'e') was kept as added, so
  // undoing the change gives the rows before it.
  EXPECT_EQ(AsOf(before), original);
  EXPECT_EQ(AsOf(Instant()), Live());
}

TEST_F(TableHistoryTest, RetentionZeroKeepsNothing) {
  SaveRetentionDays(conn_, 0);
  EXPECT_EQ(RetentionDays(conn_), 0);
  InSqlTransaction(conn_, [&] { EXPECT_FALSE(BeginTableChange(conn_, Definition()).recorded()); });
  EXPECT_TRUE(ListTableVersions(conn_, "b", "t").empty());
  SaveRetentionDays(conn_, 3);
  EXPECT_EQ(RetentionDays(conn_), 3);
}

}  // namespace
}  // namespace duckstore
