#include "duckstore/services/model/sql_builder.hpp"

#include <gtest/gtest.h>

#include "duckstore/common/error.hpp"
#include "test_util.hpp"

namespace duckstore {
namespace {

TableInfo OrdersTable() {
  TableInfo table;
  table.bucket = "in.c-sales";
  table.name = "orders";
  table.columns = {ColumnInfo{"id", "INTEGER"}, ColumnInfo{"name", "VARCHAR"},
                   ColumnInfo{"amount", "DECIMAL(12,2)"}, ColumnInfo{"we\"ird", "VARCHAR"}};
  return table;
}

ColumnFilter Filter(std::string column, FilterOp op, std::vector<std::optional<std::string>> values) {
  return ColumnFilter{std::move(column), op, std::move(values)};
}

std::vector<std::string> ParamTexts(const SqlParams& params) {
  std::vector<std::string> texts;
  for (const auto& value : params) texts.push_back(value.IsNull() ? "<null>" : value.ToString());
  return texts;
}

TEST(SqlBuilder, QualifiedNameQuotesBothParts) {
  EXPECT_EQ(QualifiedName("in.c-sales", "orders"), "\"in.c-sales\".\"orders\"");
  EXPECT_EQ(QualifiedName("a\"b", "t"), "\"a\"\"b\".\"t\"");
}

TEST(SqlBuilder, NoFiltersNoWhere) {
  SqlParams params;
  EXPECT_EQ(BuildWhere({}, OrdersTable(), params), "");
  EXPECT_TRUE(params.empty());
}

TEST(SqlBuilder, ComparisonsBindTypedParameters) {
  SqlParams params;
  std::string sql = BuildWhere({Filter("id", FilterOp::kGe, {"10"})}, OrdersTable(), params);
  EXPECT_EQ(sql, " WHERE \"id\" >= CAST($1 AS INTEGER)");
  EXPECT_EQ(ParamTexts(params), std::vector<std::string>{"10"});

  const std::pair<FilterOp, const char*> kOps[] = {{FilterOp::kEq, " = "}, {FilterOp::kNe, " <> "},
                                                   {FilterOp::kGt, " > "}, {FilterOp::kGe, " >= "},
                                                   {FilterOp::kLt, " < "}, {FilterOp::kLe, " <= "}};
  for (const auto& [op, text] : kOps) {
    SqlParams p;
    EXPECT_EQ(BuildWhere({Filter("amount", op, {"1.5"})}, OrdersTable(), p),
              std::string(" WHERE \"amount\"") + text + "CAST($1 AS DECIMAL(12,2))");
  }
}

TEST(SqlBuilder, NumbersParametersAcrossFiltersAndInLists) {
  SqlParams params;
  params.push_back(duckdb::Value("already bound"));  // numbering continues after existing parameters
  std::string sql =
      BuildWhere({Filter("id", FilterOp::kEq, {"1"}), Filter("name", FilterOp::kIn, {"a", "b", std::nullopt}),
                  Filter("amount", FilterOp::kNotIn, {"2.50"}), Filter("name", FilterOp::kLike, {"x%"})},
                 OrdersTable(), params);
  EXPECT_EQ(sql,
            " WHERE \"id\" = CAST($2 AS INTEGER)"
            " AND \"name\" IN (CAST($3 AS VARCHAR), CAST($4 AS VARCHAR), CAST($5 AS VARCHAR))"
            " AND \"amount\" NOT IN (CAST($6 AS DECIMAL(12,2)))"
            " AND CAST(\"name\" AS VARCHAR) LIKE $7");
  EXPECT_EQ(ParamTexts(params),
            (std::vector<std::string>{"already bound", "1", "a", "b", "<null>", "2.50", "x%"}));
}

TEST(SqlBuilder, NullChecksTakeNoParameters) {
  SqlParams params;
  std::string sql = BuildWhere(
      {Filter("name", FilterOp::kIsNull, {}), Filter("id", FilterOp::kIsNotNull, {})}, OrdersTable(), params);
  EXPECT_EQ(sql, " WHERE \"name\" IS NULL AND \"id\" IS NOT NULL");
  EXPECT_TRUE(params.empty());
}

TEST(SqlBuilder, ColumnsMatchCaseInsensitivelyAndAreQuotedCanonically) {
  SqlParams params;
  EXPECT_EQ(BuildWhere({Filter("NAME", FilterOp::kNotLike, {"%x"})}, OrdersTable(), params),
            " WHERE CAST(\"name\" AS VARCHAR) NOT LIKE $1");
  params.clear();
  EXPECT_EQ(BuildWhere({Filter("we\"ird", FilterOp::kEq, {"v"})}, OrdersTable(), params),
            " WHERE \"we\"\"ird\" = CAST($1 AS VARCHAR)");
}

TEST(SqlBuilder, ValuesAreNeverSplicedIntoSql) {
  SqlParams params;
  std::string injection = "1'); DROP TABLE orders; --";
  std::string sql = BuildWhere({Filter("name", FilterOp::kEq, {injection})}, OrdersTable(), params);
  EXPECT_EQ(sql.find("DROP"), std::string::npos);
  EXPECT_EQ(ParamTexts(params), std::vector<std::string>{injection});
}

TEST(SqlBuilder, RejectsUnknownColumns) {
  SqlParams params;
  EXPECT_DUCKSTORE_ERROR(BuildWhere({Filter("missing", FilterOp::kEq, {"1"})}, OrdersTable(), params),
                         ErrorKind::kInvalidArgument, "column_not_found");
  EXPECT_DUCKSTORE_ERROR(BuildOrderBy({OrderBy{"missing"}}, OrdersTable()), ErrorKind::kInvalidArgument,
                         "column_not_found");
}

TEST(SqlBuilder, RejectsWrongValueCounts) {
  auto expect_invalid = [](ColumnFilter filter) {
    SqlParams params;
    EXPECT_DUCKSTORE_ERROR(BuildWhere({filter}, OrdersTable(), params), ErrorKind::kInvalidArgument,
                           "invalid_filter");
  };
  expect_invalid(Filter("id", FilterOp::kEq, {}));
  expect_invalid(Filter("id", FilterOp::kEq, {"1", "2"}));
  expect_invalid(Filter("id", FilterOp::kLt, {}));
  expect_invalid(Filter("id", FilterOp::kIn, {}));
  expect_invalid(Filter("id", FilterOp::kNotIn, {}));
  expect_invalid(Filter("name", FilterOp::kLike, {}));
  expect_invalid(Filter("name", FilterOp::kLike, {"a", "b"}));
  expect_invalid(Filter("name", FilterOp::kIsNull, {"x"}));
  expect_invalid(Filter("name", FilterOp::kIsNotNull, {std::nullopt}));
}

TEST(SqlBuilder, OrderBy) {
  EXPECT_EQ(BuildOrderBy({}, OrdersTable()), "");
  EXPECT_EQ(BuildOrderBy({OrderBy{"ID"}, OrderBy{"name", true}}, OrdersTable()),
            " ORDER BY \"id\" ASC, \"name\" DESC");
}

TEST(SqlBuilder, BuiltClausesRunWithTypedComparisons) {
  duckdb::DuckDB db(nullptr);
  duckdb::Connection conn(db);
  RunDdl(conn, "CREATE SCHEMA \"in.c-sales\"");
  RunDdl(conn,
         "CREATE TABLE \"in.c-sales\".orders (id INTEGER, name VARCHAR, amount DECIMAL(12,2), \"we\"\"ird\" "
         "VARCHAR)");
  RunDdl(conn,
         "INSERT INTO \"in.c-sales\".orders VALUES (9, 'nine', 9.5, NULL), (10, 'ten', 10.25, 'x'), "
         "(100, NULL, 100, 'y')");
  TableInfo table = OrdersTable();
  auto select = [&](const std::vector<ColumnFilter>& filters, const std::vector<OrderBy>& order) {
    SqlParams params;
    std::string sql = "SELECT id FROM " + QualifiedName(table.bucket, table.name) +
                      BuildWhere(filters, table, params) + BuildOrderBy(order, table);
    auto result = RunSql(conn, sql, params);
    std::vector<int64_t> ids;
    for (size_t row = 0; row < result->RowCount(); ++row)
      ids.push_back(result->GetValue(0, row).GetValue<int64_t>());
    return ids;
  };
  // "10" > "9" as text would be false: the comparison must be numeric.
  EXPECT_EQ(select({Filter("id", FilterOp::kGt, {"9"})}, {OrderBy{"id"}}), (std::vector<int64_t>{10, 100}));
  EXPECT_EQ(select({Filter("amount", FilterOp::kLe, {"10.25"})}, {OrderBy{"id", true}}),
            (std::vector<int64_t>{10, 9}));
  EXPECT_EQ(select({Filter("id", FilterOp::kIn, {"9", "100"})}, {OrderBy{"id"}}),
            (std::vector<int64_t>{9, 100}));
  EXPECT_EQ(select({Filter("name", FilterOp::kIsNull, {})}, {}), (std::vector<int64_t>{100}));
  EXPECT_EQ(select({Filter("name", FilterOp::kLike, {"t%"})}, {}), (std::vector<int64_t>{10}));
  EXPECT_EQ(select({Filter("we\"ird", FilterOp::kEq, {"y"}), Filter("id", FilterOp::kNe, {"9"})}, {}),
            (std::vector<int64_t>{100}));
  // A value that is not of the column's type fails in the database as a data error.
  EXPECT_DUCKSTORE_ERROR(select({Filter("id", FilterOp::kEq, {"abc"})}, {}), ErrorKind::kUnprocessable,
                         "invalid_data");
}

TEST(SqlBuilder, NormalizeTypeCanonicalizes) {
  EXPECT_EQ(NormalizeType("int"), "INTEGER");
  EXPECT_EQ(NormalizeType("json"), "JSON");  // the built-in json extension's type
  EXPECT_EQ(NormalizeType("INTEGER"), "INTEGER");
  EXPECT_EQ(NormalizeType("bigint"), "BIGINT");
  EXPECT_EQ(NormalizeType("text"), "VARCHAR");
  EXPECT_EQ(NormalizeType("decimal(12,2)"), "DECIMAL(12,2)");
  EXPECT_EQ(NormalizeType("numeric(10, 3)"), "DECIMAL(10,3)");
  EXPECT_EQ(NormalizeType("varchar[]"), "VARCHAR[]");
  EXPECT_EQ(NormalizeType("bool"), "BOOLEAN");
  EXPECT_EQ(NormalizeType("double"), "DOUBLE");
  EXPECT_EQ(NormalizeType("timestamp with time zone"), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(NormalizeType("date"), "DATE");
  EXPECT_EQ(NormalizeType("decimal"), "DECIMAL(18,3)");
  EXPECT_EQ(NormalizeType("int[][]"), "INTEGER[][]");
  EXPECT_EQ(NormalizeType("int[3]"), "INTEGER[3]");
  EXPECT_EQ(NormalizeType("map(varchar, int)"), "MAP(VARCHAR, INTEGER)");
  EXPECT_EQ(NormalizeType("struct(a int, b varchar)"), "STRUCT(a INTEGER, b VARCHAR)");
}

TEST(SqlBuilder, NormalizeTypeKeepsOddFieldNamesQuoted) {
  // The normalized text is spliced into DDL, so a quoted field name must stay one quoted identifier.
  EXPECT_EQ(NormalizeType("struct(\"a) , b (\" int)"), "STRUCT(\"a) , b (\" INTEGER)");
  EXPECT_EQ(NormalizeType("struct(\"b c\" varchar)"), "STRUCT(\"b c\" VARCHAR)");
}

TEST(SqlBuilder, NormalizeTypeRejectsNonTypes) {
  for (const std::string& bad :
       {std::string("int; drop table x"), std::string("int'"), std::string("'int'"),
        std::string("varchar)--"), std::string(""), std::string("   "), std::string("notatype"),
        std::string("int/*x*/"), std::string("int\n"), std::string("decimal(12,2"), std::string("int)"),
        std::string("decimal(40,2)"), std::string("integer(5)"), std::string("my_enum")}) {
    EXPECT_DUCKSTORE_ERROR(NormalizeType(bad), ErrorKind::kInvalidArgument, "invalid_type")
        << "'" << bad << "'";
  }
}

TEST(SqlBuilder, DefaultLiteralEscapesText) {
  EXPECT_EQ(DefaultLiteral("it's", "VARCHAR"), "CAST('it''s' AS VARCHAR)");
  EXPECT_EQ(DefaultLiteral("0", "INTEGER"), "CAST('0' AS INTEGER)");
}

TEST(SqlBuilder, ParseFilterOp) {
  const std::pair<const char*, FilterOp> kOps[] = {
      {"eq", FilterOp::kEq},          {"ne", FilterOp::kNe},
      {"gt", FilterOp::kGt},          {"ge", FilterOp::kGe},
      {"lt", FilterOp::kLt},          {"le", FilterOp::kLe},
      {"in", FilterOp::kIn},          {"not_in", FilterOp::kNotIn},
      {"like", FilterOp::kLike},      {"not_like", FilterOp::kNotLike},
      {"is_null", FilterOp::kIsNull}, {"is_not_null", FilterOp::kIsNotNull}};
  for (const auto& [name, op] : kOps) EXPECT_EQ(ParseFilterOp(name), op) << name;
  for (const char* bad : {"", "EQ", "equals", "=", "is null"}) {
    EXPECT_DUCKSTORE_ERROR(ParseFilterOp(bad), ErrorKind::kInvalidArgument, "invalid_filter") << bad;
  }
}

TEST(SqlBuilder, CompareAsCastsStringColumnsLeniently) {
  SqlParams params;
  ColumnFilter on_text = Filter("name", FilterOp::kGt, {"9.5"});
  on_text.compare_as = "DOUBLE";
  ColumnFilter on_number = Filter("id", FilterOp::kEq, {"7"});
  on_number.compare_as = "VARCHAR";  // a numeric column keeps comparing as its own type
  EXPECT_EQ(BuildWhere({on_text, on_number}, OrdersTable(), params),
            " WHERE TRY_CAST(\"name\" AS DOUBLE) > TRY_CAST($1 AS DOUBLE) AND \"id\" = CAST($2 AS INTEGER)");
}

TEST(SqlBuilder, CompareAsRejectsUnfilterableColumns) {
  TableInfo table = OrdersTable();
  table.columns.push_back(ColumnInfo{"tags", "VARCHAR[]"});
  ColumnFilter filter = Filter("tags", FilterOp::kEq, {"x"});
  filter.compare_as = "VARCHAR";
  SqlParams params;
  EXPECT_DUCKSTORE_ERROR(BuildWhere({filter}, table, params), ErrorKind::kInvalidArgument,
                         "unsupported_filter_column");
}

TEST(SqlBuilder, OrderByCastAs) {
  OrderBy order{"name", true, std::string("BIGINT")};
  EXPECT_EQ(BuildOrderBy({order}, OrdersTable()), " ORDER BY TRY_CAST(\"name\" AS BIGINT) DESC");
}

TEST(SqlBuilder, InlineWhereQuotesValues) {
  EXPECT_EQ(BuildWhereInline({Filter("name", FilterOp::kIn, {"it's", std::nullopt})}, OrdersTable()),
            " WHERE \"name\" IN (CAST('it''s' AS VARCHAR), CAST(NULL::VARCHAR AS VARCHAR))");
}

}  // namespace
}  // namespace duckstore
