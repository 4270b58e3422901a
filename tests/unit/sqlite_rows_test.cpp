#include "duckstore/storage/catalog/sqlite_rows.hpp"

#include <gtest/gtest.h>

#include "duckstore/common/error.hpp"
#include "test_util.hpp"

namespace duckstore {
namespace {

using testing::TempDir;

// A record with one field of every kind the row reader maps.
struct Thing {
  std::string id;
  int64_t count = 0;
  bool flag = false;
  nlohmann::json doc;
  std::vector<std::string> tags;
  std::optional<std::string> note;
  nlohmann::json result;
  std::string blob;
};

Thing ReadThing(RowReader& row) {
  return Thing{row.Text(),    row.Int(),          row.Bool(),         row.Json(),
               row.Strings(), row.OptionalText(), row.OptionalJson(), row.Blob()};
}

constexpr RowMapping<Thing> kThings{{"things", "id, count, flag, doc, tags, note, result, blob"}, ReadThing};

class SqliteRowsTest : public ::testing::Test {
 protected:
  SqliteRowsTest() {
    db_.db().Exec(
        "CREATE TABLE things (id TEXT PRIMARY KEY, count INTEGER NOT NULL, flag INTEGER NOT NULL, doc TEXT "
        "NOT "
        "NULL, tags TEXT NOT NULL, note TEXT, result TEXT, blob TEXT NOT NULL)");
  }

  void Add(const std::string& id, int64_t count, std::optional<std::string> note = std::nullopt) {
    db_.Insert(kThings, id, count, count % 2 == 1, nlohmann::json{{"n", count}},
               std::vector<std::string>{"a", id}, note, NullableJson(nullptr), (dir_.path() / id).string());
  }

  TempDir dir_;
  SqliteCatalogDb db_{(dir_.path() / "catalog.db").string()};
};

TEST(SqliteRowsSqlTest, SelectAndInsertTexts) {
  SqliteTable table{"t", "a, b,c"};
  EXPECT_EQ(SelectSql(table, "", ""), "SELECT a, b,c FROM t");
  EXPECT_EQ(SelectSql(table, "a = ?", "ORDER BY b"), "SELECT a, b,c FROM t WHERE a = ? ORDER BY b");
  EXPECT_EQ(InsertSql(table), "INSERT INTO t (a, b,c) VALUES (?, ?, ?)");
  EXPECT_EQ(InsertSql(table, "a, c"),
            "INSERT INTO t (a, b,c) VALUES (?, ?, ?) ON CONFLICT (a, c) DO UPDATE SET b = excluded.b");
}

TEST(SqliteRowsSqlTest, PrefixUpperBound) {
  EXPECT_EQ(PrefixUpperBound("ab"), "ac");
  EXPECT_EQ(PrefixUpperBound(std::string("a\xFF\xFF")), "b");
  EXPECT_EQ(PrefixUpperBound(""), std::nullopt);
  EXPECT_EQ(PrefixUpperBound(std::string("\xFF")), std::nullopt);
}

TEST_F(SqliteRowsTest, InsertedRecordReadsBackFieldByField) {
  Add("x", 3, "hello");
  auto thing = db_.One(kThings, "id = ?", "x");
  ASSERT_TRUE(thing.has_value());
  EXPECT_EQ(thing->id, "x");
  EXPECT_EQ(thing->count, 3);
  EXPECT_TRUE(thing->flag);
  EXPECT_EQ(thing->doc, (nlohmann::json{{"n", 3}}));
  EXPECT_EQ(thing->tags, (std::vector<std::string>{"a", "x"}));
  EXPECT_EQ(thing->note, "hello");
  EXPECT_TRUE(thing->result.is_null());
  EXPECT_EQ(thing->blob, (dir_.path() / "x").string());
  EXPECT_FALSE(db_.One(kThings, "id = ?", "missing").has_value());

  // What was stored: bools as integers, JSON null and nullopt as NULL, the blob path relative.
  auto raw = db_.db().Prepare("SELECT flag, typeof(note), typeof(result), blob, tags FROM things");
  ASSERT_TRUE(raw.Step());
  EXPECT_EQ(raw.Int(0), 1);
  EXPECT_EQ(raw.Text(1), "text");
  EXPECT_EQ(raw.Text(2), "null");
  EXPECT_EQ(raw.Text(3), (dir_.path() / "x").string()) << "Insert binds what it is given; callers encode";
  EXPECT_EQ(raw.Text(4), R"(["a","x"])");
}

TEST_F(SqliteRowsTest, StoredRelativeBlobPathsReadAsAbsolute) {
  Add("x", 1);
  db_.Run("UPDATE things SET blob = ?", db_.blobs().Encode((dir_.path() / "objects" / "b1").string()));
  EXPECT_EQ(db_.Texts("SELECT blob FROM things"), std::vector<std::string>{"objects/b1"});
  EXPECT_EQ(db_.One(kThings, "id = ?", "x")->blob, (dir_.path() / "objects" / "b1").string());
  EXPECT_EQ(db_.Blob("SELECT blob FROM things"), (dir_.path() / "objects" / "b1").string());
  EXPECT_EQ(db_.Blob("SELECT blob FROM things WHERE id = 'none'"), std::nullopt);
}

TEST_F(SqliteRowsTest, AllAndPageFollowWhereAndOrder) {
  for (int i = 1; i <= 5; ++i) Add("t" + std::to_string(i), i);
  auto odd = db_.All(kThings, "flag = ?", "ORDER BY count DESC", true);
  ASSERT_EQ(odd.size(), 3u);
  EXPECT_EQ(odd[0].id, "t5");
  EXPECT_EQ(odd[2].id, "t1");
  EXPECT_EQ(db_.All(kThings, "", "ORDER BY id LIMIT ?", 2).size(), 2u);

  auto page = db_.PageOf(kThings, "count > ?", "ORDER BY id", PageRequest{2, 1}, 1);
  EXPECT_EQ(page.total, 4);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].id, "t3");
  EXPECT_EQ(page.items[1].id, "t4");
  auto everything = db_.PageOf(kThings, "", "ORDER BY id", PageRequest{10, 0});
  EXPECT_EQ(everything.total, 5);
  EXPECT_EQ(everything.items.size(), 5u);
}

TEST_F(SqliteRowsTest, UpsertReplacesAllButTheKeyAndDeleteCounts) {
  Add("x", 1);
  db_.Upsert(kThings, "id", "x", 7, false, nlohmann::json::object(), std::vector<std::string>{}, "n",
             NullableJson({{"ok", true}}), "/abs/blob");
  auto thing = db_.One(kThings, "id = ?", "x");
  EXPECT_EQ(thing->count, 7);
  EXPECT_FALSE(thing->flag);
  EXPECT_TRUE(thing->tags.empty());
  EXPECT_EQ(thing->result, (nlohmann::json{{"ok", true}}));
  EXPECT_EQ(thing->blob, "/abs/blob");
  EXPECT_EQ(db_.Texts("SELECT count(*) FROM things"), std::vector<std::string>{"1"});

  EXPECT_TRUE(db_.Exists("SELECT 1 FROM things WHERE id = ?", "x"));
  EXPECT_EQ(db_.Delete(kThings, "id = ?", "x"), 1);
  EXPECT_EQ(db_.Delete(kThings, "id = ?", "x"), 0);
  EXPECT_FALSE(db_.Exists("SELECT 1 FROM things WHERE id = ?", "x"));
}

TEST_F(SqliteRowsTest, InsertUniqueNamesTheConflict) {
  Add("x", 1);
  EXPECT_DUCKSTORE_ERROR(
      db_.InsertUnique(kThings, "thing_exists", "thing 'x' exists", "x", 2, true, nlohmann::json::object(),
                       std::vector<std::string>{}, std::nullopt, std::nullopt, "b"),
      ErrorKind::kConflict, "thing_exists");
  // Other failures are not renamed.
  EXPECT_DUCKSTORE_ERROR(db_.InsertUnique(SqliteTable{"nothing", "id"}, "thing_exists", "m", "y"),
                         ErrorKind::kInternal, "internal_error");
  EXPECT_EQ(db_.One(kThings, "id = ?", "x")->count, 1);
}

}  // namespace
}  // namespace duckstore
