// Workspace SQL sessions (services/workspaces/sql_session, session_catalog): what a login sees of the
// catalog (its own workspace only, under the workspace's name), the session functions, what it may not run,
// condition names of errors and the failed-transaction rule.
#include <gtest/gtest.h>

#include <set>

#include "duckstore/api/pgwire/access.hpp"
#include "duckstore/services/workspaces/sql_session.hpp"
#include "services_fixture.hpp"

namespace duckstore {
namespace {

using testing::CaptureError;

class SqlSessionTest : public testing::ServicesFixture {
 protected:
  void SetUp() override {
    services_.projects.Create("p1", "", nlohmann::json::object());
    user_ = services_.workspaces.Create(BranchRef{"p1", kDefaultBranch}, std::string("ws1")).credentials.user;
    services_.workspaces.Create(BranchRef{"p1", kDefaultBranch}, std::string("ws2"));
    // The same project's other workspace, open on the same instance, with a table of its own.
    auto other = sessions_.Open(Login(), services_.workspaces.ListUsers("p1", "ws2").at(0).name, "ws2");
    Rows(*other, "CREATE TABLE secret_of_ws2 (x INTEGER)");
    session_ = sessions_.Open(Login(), user_, "ws1");
    Rows(*session_, "CREATE TABLE mine (id INTEGER PRIMARY KEY, name VARCHAR)");
  }

  static const EntryPoint& Login() {
    return pgwire::PgEntryOf(pgwire::StartupPacket(pgwire::StartupMessage{}));
  }

  // Every value of the result as text, row by row.
  static std::vector<std::vector<std::string>> Rows(SqlSession& session, const std::string& sql) {
    auto rows = session.Prepare(sql)->Run({});
    std::vector<std::vector<std::string>> out;
    while (auto chunk = rows->Next()) {
      for (duckdb::idx_t r = 0; r < chunk->size(); ++r) {
        std::vector<std::string> row;
        for (duckdb::idx_t c = 0; c < chunk->ColumnCount(); ++c)
          row.push_back(chunk->GetValue(c, r).ToString());
        out.push_back(row);
      }
    }
    return out;
  }

  std::set<std::string> Column(const std::string& sql) {
    std::set<std::string> out;
    for (const auto& row : Rows(*session_, sql)) out.insert(row.at(0));
    return out;
  }

  SqlSessionService sessions_{services_.branches, services_.sharing, services_.workspace_access,
                              services_.sql_sessions};
  std::string user_;
  std::unique_ptr<SqlSession> session_;
};

TEST_F(SqlSessionTest, CatalogShowsOnlyTheWorkspace) {
  EXPECT_EQ(Column("SELECT relname FROM pg_catalog.pg_class WHERE relkind = 'r'"),
            std::set<std::string>{"mine"});
  EXPECT_EQ(Column("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"),
            std::set<std::string>{"mine"});
  EXPECT_EQ(Column("SELECT DISTINCT attname FROM pg_attribute"), (std::set<std::string>{"id", "name"}));
  EXPECT_EQ(Column("SELECT table_catalog || '.' || table_name FROM information_schema.tables"),
            std::set<std::string>{"ws1.mine"});
  EXPECT_EQ(Column("SELECT count(*) FROM information_schema.columns WHERE table_name = 'secret_of_ws2'"),
            std::set<std::string>{"0"});
  EXPECT_EQ(Column("SELECT datname FROM pg_catalog.pg_database"), std::set<std::string>{"ws1"});
  EXPECT_EQ(Column("SELECT tablename FROM pg_tables"), std::set<std::string>{"mine"});
  // Inside subqueries and writes too.
  EXPECT_EQ(Column("SELECT (SELECT count(*) FROM pg_class WHERE relname = 'secret_of_ws2')"),
            std::set<std::string>{"0"});
  Rows(*session_, "CREATE TABLE copied AS SELECT relname FROM pg_class");
  EXPECT_FALSE(Column("SELECT relname FROM copied").contains("secret_of_ws2"));
}

TEST_F(SqlSessionTest, SessionFunctionsAnswerForTheLogin) {
  auto row = Rows(*session_, "SELECT current_database(), current_user, version()").at(0);
  EXPECT_EQ(row.at(0), "ws1");
  EXPECT_EQ(row.at(1), user_);
  EXPECT_EQ(row.at(2).rfind("PostgreSQL 15.0 (duckstore", 0), 0u);
}

TEST_F(SqlSessionTest, RefusesWhatLeavesTheWorkspace) {
  for (const char* sql : {"SELECT * FROM duckdb_tables()", "SELECT * FROM duckdb_databases()",
                          "SELECT * FROM pragma_database_list()", "SELECT * FROM _duckstore.tables",
                          "ATTACH 'x.duckdb' AS x"}) {
    SCOPED_TRACE(sql);
    auto error = CaptureError([&] { session_->Prepare(sql); });
    EXPECT_EQ(error.kind(), ErrorKind::kPermissionDenied);
  }
}

TEST_F(SqlSessionTest, ErrorsCarryConditionNamesAndFailTheTransaction) {
  EXPECT_EQ(CaptureError([&] { session_->Prepare("SELEC 1"); }).code(), "syntax_error");
  EXPECT_EQ(CaptureError([&] { session_->Prepare("SELECT * FROM nope"); }).code(), "undefined_table");
  EXPECT_EQ(CaptureError([&] { session_->Prepare("SELECT nope FROM mine"); }).code(), "undefined_column");
  Rows(*session_, "INSERT INTO mine VALUES (1, 'a')");
  EXPECT_EQ(CaptureError([&] { Rows(*session_, "INSERT INTO mine VALUES (1, 'b')"); }).code(),
            "unique_violation");
  EXPECT_EQ(session_->TransactionStatus(), 'I');
  Rows(*session_, "BEGIN");
  EXPECT_EQ(session_->TransactionStatus(), 'T');
  EXPECT_ANY_THROW(session_->Prepare("SELECT * FROM nope"));
  EXPECT_EQ(session_->TransactionStatus(), 'E');
  EXPECT_EQ(CaptureError([&] { session_->Prepare("SELECT 1"); }).code(), "in_failed_sql_transaction");
  Rows(*session_, "ROLLBACK");
  EXPECT_EQ(session_->TransactionStatus(), 'I');
  EXPECT_EQ(Rows(*session_, "SELECT count(*) FROM mine").at(0).at(0), "1");
}

TEST_F(SqlSessionTest, SplitsSimpleQueriesOutsideQuotesAndComments) {
  auto pieces = session_->Split("SELECT 1; SELECT ';' -- a;\n ; /* ; */ SELECT $$;$$, 'it''s;';;  ");
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[0], "SELECT 1");
  EXPECT_EQ(Rows(*session_, pieces[2]).at(0), (std::vector<std::string>{";", "it's;"}));
  EXPECT_TRUE(session_->Split(" -- nothing\n").empty());
  // A syntax error anywhere runs nothing.
  EXPECT_EQ(CaptureError([&] { session_->Split("CREATE TABLE x (i INTEGER); SELEC 1"); }).code(),
            "syntax_error");
}

}  // namespace
}  // namespace duckstore
