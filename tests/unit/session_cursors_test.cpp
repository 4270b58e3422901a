// ParseCursorCommand (services/workspaces/session_cursors.hpp): the statements psycopg2, psycopg 3 and
// PostgreSQL's documentation write, and the ones refused.
#include "duckstore/services/workspaces/session_cursors.hpp"

#include <gtest/gtest.h>

#include "duckstore/common/error.hpp"

namespace duckstore {
namespace {

std::string CodeOf(const std::string& sql) {
  try {
    ParseCursorCommand(sql);
  } catch (const Error& e) {
    return e.code();
  }
  return "";
}

TEST(SessionCursors, DeclareAsClientsWriteIt) {
  // psycopg2's named cursor; psycopg 3's ServerCursor.
  auto c =
      ParseCursorCommand(R"(DECLARE "c_7f_1" CURSOR WITHOUT HOLD FOR SELECT * FROM t WHERE a = 'x;"y"')");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, CursorCommand::kDeclare);
  EXPECT_EQ(c->name, "c_7f_1");
  EXPECT_FALSE(c->hold);
  EXPECT_EQ(c->query, R"( SELECT * FROM t WHERE a = 'x;"y"')");
  c = ParseCursorCommand("declare Big insensitive no scroll cursor with hold for\nselect $1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "big");  // unquoted names fold to lower case
  EXPECT_TRUE(c->hold);
  EXPECT_EQ(c->query, "\nselect $1");
  c = ParseCursorCommand(R"(DECLARE "Say ""hi""" CURSOR FOR VALUES (1))");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, R"(Say "hi")");
}

TEST(SessionCursors, FetchMoveAndCloseForms) {
  struct Case {
    const char* sql;
    CursorCommand::Kind kind;
    std::optional<int64_t> count;
  };
  for (const auto& [sql, kind, count] : std::initializer_list<Case>{
           {R"(FETCH FORWARD 2000 FROM "c_1")", CursorCommand::kFetch, 2000},
           {"fetch next from c_1", CursorCommand::kFetch, 1},
           {"FETCH c_1", CursorCommand::kFetch, 1},
           {"FETCH 5 IN c_1;", CursorCommand::kFetch, 5},
           {"FETCH ALL FROM c_1", CursorCommand::kFetch, std::nullopt},
           {"FETCH FORWARD ALL c_1", CursorCommand::kFetch, std::nullopt},
           {"FETCH FORWARD FROM c_1", CursorCommand::kFetch, 1},
           {"MOVE FORWARD 10 FROM c_1", CursorCommand::kMove, 10},
           {"move +3 in C_1 ;", CursorCommand::kMove, 3},
       }) {
    auto c = ParseCursorCommand(sql);
    ASSERT_TRUE(c) << sql;
    EXPECT_EQ(c->kind, kind) << sql;
    EXPECT_EQ(c->count, count) << sql;
    EXPECT_EQ(c->name, "c_1") << sql;
  }
  auto close = ParseCursorCommand(R"(CLOSE "c_1")");
  ASSERT_TRUE(close);
  EXPECT_EQ(close->kind, CursorCommand::kClose);
  EXPECT_EQ(close->name, "c_1");
  close = ParseCursorCommand("close all");
  ASSERT_TRUE(close);
  EXPECT_EQ(close->name, "");
}

TEST(SessionCursors, OtherStatementsAreNotCursorCommands) {
  for (const char* sql : {"SELECT 1", "", "  ;", "\"declare\" x", "(SELECT 1)", "declared", "closet",
                          "INSERT INTO fetch VALUES (1)", "123"}) {
    EXPECT_FALSE(ParseCursorCommand(sql)) << sql;
  }
}

TEST(SessionCursors, ScrollingIsRefusedAndMalformedIsASyntaxError) {
  for (const char* sql :
       {"DECLARE c SCROLL CURSOR FOR SELECT 1", "DECLARE c BINARY CURSOR FOR SELECT 1", "FETCH PRIOR FROM c",
        "FETCH BACKWARD 2 c", "FETCH ABSOLUTE 3 FROM c", "FETCH -1 FROM c", "MOVE LAST IN c"}) {
    EXPECT_EQ(CodeOf(sql), "feature_not_supported") << sql;
  }
  for (const char* sql :
       {"DECLARE", "DECLARE c", "DECLARE c CURSOR", "DECLARE c CURSOR FOR ;",
        "DECLARE c CURSOR WITH FOR SELECT 1", "DECLARE c NO CURSOR FOR SELECT 1",
        "DECLARE 5 CURSOR FOR SELECT 1", "DECLARE \"c CURSOR FOR SELECT 1", "FETCH", "FETCH 5 FROM",
        "FETCH c extra", "CLOSE", "CLOSE a b", "FETCH 99999999999999999999 c"}) {
    EXPECT_EQ(CodeOf(sql), "syntax_error") << sql;
  }
}

}  // namespace
}  // namespace duckstore
