// Scan planning: which conditions are applied, how values are coerced and bound, when sort and limit apply.
#include "duckstore/services/query/scan.hpp"

#include <gtest/gtest.h>

#include "duckstore/common/error.hpp"
#include "test_util.hpp"

namespace duckstore {
namespace {

using duckdb::LogicalType;
using duckdb::Value;

TypedTable Orders() {
  TypedTable table;
  table.bucket = "in.c-sales";
  table.name = "orders";
  table.columns = {{"id", LogicalType::INTEGER, false}, {"big", LogicalType::BIGINT},
                   {"name", LogicalType::VARCHAR},      {"amount", LogicalType::DECIMAL(12, 2)},
                   {"day", LogicalType::DATE},          {"tags", LogicalType::LIST(LogicalType::VARCHAR)},
                   {"doc", LogicalType::JSON()}};
  table.primary_key = {"id"};
  return table;
}

ScanCondition Cond(std::string column, CompareOp op, std::vector<Value> values,
                   Quantifier quantifier = Quantifier::kSingle) {
  return ScanCondition{std::move(column), op, quantifier, std::move(values)};
}

ScanPlan Plan(std::vector<ScanCondition> conditions, std::optional<uint64_t> limit = std::nullopt) {
  ScanRequest request;
  request.columns = {"id"};
  request.conditions = std::move(conditions);
  request.limit = limit;
  return PlanScan(Orders(), request);
}

const std::string kSelect = R"(SELECT "id" FROM "in.c-sales"."orders")";

TEST(Scan, ProjectionUsesCanonicalNamesWithoutDuplicates) {
  ScanRequest request;
  request.columns = {"NAME", "id", "name"};
  auto plan = PlanScan(Orders(), request);
  EXPECT_EQ(plan.sql, R"(SELECT "name", "id" FROM "in.c-sales"."orders")");
  EXPECT_EQ(plan.columns, (std::vector<std::string>{"name", "id"}));
  request.columns = {};
  EXPECT_EQ(PlanScan(Orders(), request).sql, R"(SELECT NULL FROM "in.c-sales"."orders")");
  request.columns = {"nope"};
  EXPECT_EQ(testing::CaptureError([&] { PlanScan(Orders(), request); }).code(), "column_not_found");
}

TEST(Scan, ComparisonsAreBoundAndAnded) {
  auto plan = Plan(
      {Cond("id", CompareOp::kGe, {Value::INTEGER(2)}), Cond("name", CompareOp::kEq, {Value("x'y")})}, 10);
  EXPECT_EQ(plan.sql, kSelect + R"( WHERE "id" >= $1 AND "name" = $2 LIMIT 10)");
  ASSERT_EQ(plan.params.size(), 2u);
  EXPECT_EQ(plan.params[1].ToString(), "x'y");
  EXPECT_TRUE(plan.exact);
  EXPECT_TRUE(plan.limited);
}

TEST(Scan, NullEqualityIsIsNullAndOtherNullComparisonsAreSkipped) {
  EXPECT_EQ(Plan({Cond("name", CompareOp::kEq, {Value()})}).sql, kSelect + R"( WHERE "name" IS NULL)");
  EXPECT_EQ(Plan({Cond("name", CompareOp::kNe, {Value()})}).sql, kSelect + R"( WHERE "name" IS NOT NULL)");
  auto plan = Plan({Cond("id", CompareOp::kLt, {Value()})}, 5);
  EXPECT_EQ(plan.sql, kSelect);
  EXPECT_FALSE(plan.exact);
  EXPECT_FALSE(plan.limited);
}

TEST(Scan, PatternsEscapeWithBackslash) {
  EXPECT_EQ(Plan({Cond("name", CompareOp::kILike, {Value("a%")})}).sql,
            kSelect + R"( WHERE "name" ILIKE $1 ESCAPE '\')");
  EXPECT_EQ(Plan({Cond("name", CompareOp::kNotLike, {Value("a%")})}).sql,
            kSelect + R"( WHERE "name" NOT LIKE $1 ESCAPE '\')");
  // Patterns apply to strings only.
  EXPECT_FALSE(Plan({Cond("id", CompareOp::kLike, {Value("1%")})}).exact);
}

TEST(Scan, StringOrderingAndNestedColumnsAreNotApplied) {
  for (auto condition :
       {Cond("name", CompareOp::kLt, {Value("b")}), Cond("tags", CompareOp::kEq, {Value("b")}),
        Cond("doc", CompareOp::kEq, {Value("{}")}), Cond("nope", CompareOp::kEq, {Value(1)})}) {
    auto plan = Plan({condition}, 1);
    EXPECT_EQ(plan.sql, kSelect) << condition.column;
    EXPECT_FALSE(plan.exact);
    EXPECT_EQ(plan.skipped.size(), 1u);
  }
}

TEST(Scan, ValuesAreCoercedOnlyWhenLossless) {
  // An INTEGER into a BIGINT column, a decimal text into DECIMAL: cast to the column type.
  auto plan = Plan({Cond("big", CompareOp::kEq, {Value::INTEGER(410065408)})});
  EXPECT_EQ(plan.params[0].type(), LogicalType::BIGINT);
  plan = Plan({Cond("day", CompareOp::kEq, {Value("2024-02-29")})});
  EXPECT_EQ(plan.params[0].type(), LogicalType::DATE);
  // 2.5 is no INTEGER: compared as a number, not rounded to 3 (or 2).
  plan = Plan({Cond("id", CompareOp::kLt, {Value::DOUBLE(2.5)})});
  EXPECT_EQ(plan.params[0].type(), LogicalType::DOUBLE);
  EXPECT_TRUE(plan.exact);
  // Text that is no date: skipped, not "no rows".
  plan = Plan({Cond("day", CompareOp::kEq, {Value("soon")})});
  EXPECT_EQ(plan.sql, kSelect);
  EXPECT_FALSE(plan.exact);
}

TEST(Scan, ListsApplyAnyAndAllIsASupersetThatDropsTheLimit) {
  auto any = Plan(
      {Cond("id", CompareOp::kEq, {Value::INTEGER(2), Value(), Value::INTEGER(3)}, Quantifier::kAny)}, 1);
  EXPECT_EQ(any.sql, kSelect + R"( WHERE "id" IN ($1, $2) LIMIT 1)");
  EXPECT_TRUE(any.exact);
  auto all = Plan({Cond("id", CompareOp::kEq, {Value::INTEGER(2), Value::INTEGER(3)}, Quantifier::kAll)}, 1);
  EXPECT_EQ(all.sql, kSelect + R"( WHERE "id" IN ($1, $2))");
  EXPECT_FALSE(all.exact);
  auto ranges = Plan({Cond("id", CompareOp::kLt, {Value::INTEGER(2), Value::INTEGER(5)}, Quantifier::kAny)});
  EXPECT_EQ(ranges.sql, kSelect + R"( WHERE ("id" < $1 OR "id" < $2))");
  EXPECT_EQ(Plan({Cond("id", CompareOp::kEq, {}, Quantifier::kAny)}).sql, kSelect + " WHERE FALSE");
  auto empty_all = Plan({Cond("id", CompareOp::kEq, {}, Quantifier::kAll)});
  EXPECT_EQ(empty_all.sql, kSelect);
  EXPECT_FALSE(empty_all.exact);
}

TEST(Scan, IncompleteConditionsDropTheLimit) {
  ScanRequest request;
  request.columns = {"id"};
  request.limit = 3;
  request.conditions_complete = false;
  EXPECT_EQ(PlanScan(Orders(), request).sql, kSelect);
}

TEST(Scan, SortKeysNeedAGuaranteedOrder) {
  auto table = Orders();
  EXPECT_EQ(SortablePrefix(table, {{"id", true, true, ""}, {"day", false, false, ""}}), 2u);
  EXPECT_EQ(SortablePrefix(table, {{"name", false, false, ""}, {"id", false, false, ""}}), 0u);
  EXPECT_EQ(SortablePrefix(table, {{"id", false, false, ""}, {"name", false, false, "C"}}), 2u);
  EXPECT_EQ(SortablePrefix(table, {{"tags", false, false, ""}}), 0u);
  ScanRequest request;
  request.columns = {"id"};
  request.sort = {{"id", true, true, ""}, {"name", false, false, "C"}};
  EXPECT_EQ(PlanScan(table, request).sql,
            kSelect + R"( ORDER BY "id" DESC NULLS FIRST, "name" ASC NULLS LAST)");
  request.sort = {{"name", false, false, ""}};
  EXPECT_EQ(testing::CaptureError([&] { PlanScan(table, request); }).code(), "unsupported_sort");
}

TEST(Scan, StreamsAndEstimatesFromARealDatabase) {
  duckdb::DuckDB db(nullptr);
  duckdb::Connection conn(db);
  conn.Query(R"(CREATE SCHEMA "in.c-sales")");
  conn.Query(
      R"(CREATE TABLE "in.c-sales".orders (id INTEGER NOT NULL, big BIGINT, name VARCHAR, amount DECIMAL(12,2),
                day DATE, tags VARCHAR[], doc JSON))");
  conn.Query(R"(INSERT INTO "in.c-sales".orders (id, name) SELECT i, 'n' || i FROM range(10000) t(i))");
  auto plan = Plan(
      {Cond("id", CompareOp::kLt, {Value::INTEGER(5000)}), Cond("name", CompareOp::kLike, {Value("n1%")})});
  size_t rows = 0;
  StreamScan(conn, plan, [&](duckdb::DataChunk& chunk) {
    rows += chunk.size();
    return true;
  });
  EXPECT_EQ(rows, 1111u);  // 1, 10-19, 100-199, 1000-1999
  size_t chunks = 0;
  StreamScan(conn, Plan({}), [&](duckdb::DataChunk&) { return ++chunks < 2; });
  EXPECT_EQ(chunks, 2u);
  EXPECT_GT(EstimateRows(conn, Plan({})), 5000u);
  ScanCancellation cancellation;
  cancellation.Cancel();
  rows = 0;
  StreamScan(
      conn, Plan({}), [&](duckdb::DataChunk& chunk) { return rows += chunk.size(), true; }, &cancellation);
  EXPECT_EQ(rows, 0u);
  auto lines = ExplainScan(conn, Plan({Cond("id", CompareOp::kEq, {Value::INTEGER(1)})}));
  EXPECT_FALSE(lines.empty());
}

}  // namespace
}  // namespace duckstore
