// DAS rules over a real catalog and engine: registrations (validation, idempotence, persistence, scopes,
// built-ins), table naming, typed writes, and macros as functions.
#include "duckstore/services/das/das.hpp"

#include <gtest/gtest.h>

#include "duckstore/services/services.hpp"
#include "duckstore/storage/catalog/sqlite_catalog.hpp"
#include "duckstore/storage/engine/sql.hpp"
#include "test_util.hpp"

namespace duckstore {
namespace {

using testing::CaptureError;
using testing::TempDir;

EngineLimits Limits() {
  EngineLimits limits;
  limits.project_memory_limit = "128MB";
  limits.project_threads = 1;
  limits.memory_cap = "1GB";
  return limits;
}

class DasServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    created_ = services_.projects.Create("p1", "Project One", nlohmann::json::object());
    services_.buckets.Create(BranchRef{"p1"}, "in.c-sales", "");
    services_.tables.Create(
        TableRef{BranchRef{"p1"}, "in.c-sales", "Orders"},
        {ColumnDefinition{"id", "bigint", true, std::nullopt}, ColumnDefinition{"qty", "integer", false, "1"},
         ColumnDefinition{"_timestamp", "timestamp", true, std::nullopt}},
        {"id"});
  }

  DasDefinition Definition(std::map<std::string, std::string> extra = {}) {
    DasDefinition definition{kDasType, {{"project_id", "p1"}, {"api_key", created_.admin_key.token}}};
    for (auto& [k, v] : extra) definition.options[k] = v;
    return definition;
  }

  // Runs SQL on the project database directly (what the driver's ExecuteQuery will do).
  void Sql(const std::string& sql) {
    auto db = engine_.Open("p1");
    auto conn = db->Connect();
    RunSql(*conn, sql);
  }

  TempDir dir_;
  std::unique_ptr<Catalog> catalog_ = OpenSqliteCatalog((dir_ / "catalog.db").string());
  Engine engine_{dir_ / "projects", Limits()};
  Services services_{*catalog_, engine_, dir_.path(), 1 << 20, "admin-key", "master-key"};
  ProjectService::Created created_;
};

TEST_F(DasServiceTest, RegistrationsAreIdempotentPersistentAndChecked) {
  auto& registry = services_.das_registry;
  auto id = registry.Register(Definition(), std::string("my-das"));
  EXPECT_EQ(id, "my-das");
  EXPECT_EQ(registry.Register(Definition({{"unrelated", "x"}}), std::string("my-das")), "my-das");
  EXPECT_EQ(CaptureError([&] {
              registry.Register(Definition({{"buckets", "in.c-sales"}}), std::string("my-das"));
            }).code(),
            "das_exists");
  // Another registry over the same catalog (a restarted server) resolves it.
  DasRegistry restarted(*catalog_, services_.auth, services_.branches, services_.standalone);
  auto scope = restarted.Resolve("my-das", created_.admin_key.token);
  EXPECT_EQ(scope.registration.project_id, "p1");
  EXPECT_EQ(CaptureError([&] { restarted.Resolve("nope", std::nullopt); }).code(), "das_not_found");
  EXPECT_EQ(CaptureError([&] {
              registry.Register(Definition({{"branch_id", "dev"}}), std::nullopt);
            }).code(),
            "branch_not_found");
  EXPECT_EQ(CaptureError([&] {
              registry.Register(DasDefinition{"sqlite", {}}, std::nullopt);
            }).code(),
            "invalid_das_definition");
  registry.Unregister("my-das", created_.admin_key.token);
  EXPECT_EQ(CaptureError([&] { registry.Resolve("my-das", created_.admin_key.token); }).kind(),
            ErrorKind::kNotFound);
}

TEST_F(DasServiceTest, ReadableIdsNeedTheCallersKey) {
  auto& registry = services_.das_registry;
  std::string id = registry.Register(Definition(), std::nullopt);
  EXPECT_TRUE(IsCapabilityId(id));
  EXPECT_FALSE(IsCapabilityId("team-das"));
  EXPECT_FALSE(IsCapabilityId("0123456789AB-cdef-0123-4567-89abcdef0123"));
  // A server-issued id is a credential by itself (multicorn-das sends nothing else).
  EXPECT_FALSE(registry.Resolve(id, std::nullopt).caller);

  registry.Register(Definition(), std::string("team-das"));
  EXPECT_EQ(CaptureError([&] { registry.Resolve("team-das", std::nullopt); }).code(),
            "das_credentials_required");
  auto other = services_.projects.Create("p2", "Project Two", nlohmann::json::object());
  EXPECT_EQ(CaptureError([&] { registry.Resolve("team-das", other.admin_key.token); }).kind(),
            ErrorKind::kPermissionDenied);
  EXPECT_EQ(CaptureError([&] { registry.Resolve("team-das", std::string("DSKNOPE.secret")); }).kind(),
            ErrorKind::kUnauthenticated);
  // A reader may read through it, not write: both keys must hold the access.
  auto reader = services_.projects.CreateKey("p1", KeyScope::kBranchRead, "default", "reader", std::nullopt);
  auto scope = registry.Resolve("team-das", reader.token);
  EXPECT_EQ(services_.das.ListTables(scope).size(), 1u);
  EXPECT_EQ(CaptureError([&] { registry.RequireWrite(scope); }).kind(), ErrorKind::kPermissionDenied);
  registry.RequireWrite(registry.Resolve("team-das", created_.admin_key.token));

  // Unregister takes the caller's key, with write access to the registration's branch.
  EXPECT_EQ(CaptureError([&] { registry.Unregister("team-das", std::nullopt); }).code(),
            "das_credentials_required");
  EXPECT_EQ(CaptureError([&] { registry.Unregister("team-das", reader.token); }).kind(),
            ErrorKind::kPermissionDenied);
  EXPECT_EQ(CaptureError([&] { registry.Unregister(id, other.admin_key.token); }).kind(),
            ErrorKind::kPermissionDenied);
  registry.Unregister("team-das", created_.admin_key.token);
  registry.Unregister("team-das", created_.admin_key.token);  // now unknown: a no-op
  EXPECT_EQ(CaptureError([&] { registry.Resolve("team-das", created_.admin_key.token); }).kind(),
            ErrorKind::kNotFound);
}

TEST_F(DasServiceTest, ReadOnlyKeysCannotWrite) {
  auto reader = services_.projects.CreateKey("p1", KeyScope::kBranchRead, "default", "reader", std::nullopt);
  auto id = services_.das_registry.Register(
      DasDefinition{kDasType, {{"project_id", "p1"}, {"api_key", reader.token}}}, std::nullopt);
  auto scope = services_.das_registry.Resolve(id, std::nullopt);
  EXPECT_EQ(services_.das.ListTables(scope).size(), 1u);
  EXPECT_EQ(CaptureError([&] {
              services_.das.Insert(scope, "in_c_sales__orders", {{{"id", duckdb::Value::BIGINT(1)}}});
            }).kind(),
            ErrorKind::kPermissionDenied);
}

TEST_F(DasServiceTest, BuiltinsParseAndRegister) {
  auto [id, definition] =
      ParseBuiltinDas("sales: project_id = p1 ;api_key=" + created_.admin_key.token + ";buckets=in.c-sales");
  EXPECT_EQ(id, "sales");
  EXPECT_EQ(definition.options.at("project_id"), "p1");
  services_.das_registry.AddBuiltin(id, definition);
  auto scope = services_.das_registry.Resolve("sales", std::nullopt);
  EXPECT_EQ(scope.registration.buckets, (std::vector<std::string>{"in.c-sales"}));
  EXPECT_EQ(
      CaptureError([&] { services_.das_registry.Unregister("sales", created_.admin_key.token); }).code(),
      "builtin_das");
  EXPECT_EQ(CaptureError([] { ParseBuiltinDas("no-colon"); }).code(), "invalid_config");
}

TEST_F(DasServiceTest, TableNamesAreFriendlyAndReversible) {
  EXPECT_EQ(DasTableName("in.c-sales", "Orders"), "in_c_sales__orders");
  EXPECT_EQ(DasTableName("out.c-Report 2024", "Daily-Totals"), "out_c_report_2024__daily_totals");
  auto scope = services_.das_registry.Resolve(services_.das_registry.Register(Definition(), std::nullopt),
                                              std::nullopt);
  auto table = services_.das.GetTable(scope, "in_c_sales__orders");
  EXPECT_EQ(table.table.name, "Orders");
  EXPECT_EQ(services_.das.GetTable(scope, "in.c-sales/Orders").table.bucket, "in.c-sales");
  EXPECT_EQ(CaptureError([&] { services_.das.GetTable(scope, "nope"); }).code(), "table_not_found");
}

TEST_F(DasServiceTest, TypedWritesUseDefaultsAndStampTheTimestamp) {
  auto scope = services_.das_registry.Resolve(services_.das_registry.Register(Definition(), std::nullopt),
                                              std::nullopt);
  auto& das = services_.das;
  auto stored = das.Insert(
      scope, "in_c_sales__orders",
      {{{"id", duckdb::Value::INTEGER(1)}, {"qty", duckdb::Value()}, {"_timestamp", duckdb::Value()}},
       {{"id", duckdb::Value::INTEGER(2)}, {"qty", duckdb::Value::INTEGER(5)}}});
  ASSERT_EQ(stored.rows.size(), 2u);
  EXPECT_EQ(stored.columns, (std::vector<std::string>{"id", "qty", "_timestamp"}));
  EXPECT_EQ(stored.rows[0][1].GetValue<int32_t>(), 1);  // NULL into NOT NULL with a default: the default
  EXPECT_FALSE(stored.rows[0][2].IsNull());
  EXPECT_FALSE(stored.rows[1][2].IsNull());
  auto updated = das.Update(scope, "in_c_sales__orders", duckdb::Value::INTEGER(2),
                            {{"id", duckdb::Value::INTEGER(3)}, {"qty", duckdb::Value("7")}});
  EXPECT_EQ(updated.rows[0][0].GetValue<int64_t>(), 3);
  EXPECT_EQ(updated.rows[0][1].GetValue<int32_t>(), 7);
  EXPECT_EQ(CaptureError([&] {
              das.Update(scope, "in_c_sales__orders", duckdb::Value::INTEGER(2),
                         {{"qty", duckdb::Value::INTEGER(1)}});
            }).code(),
            "row_not_found");
  EXPECT_EQ(CaptureError([&] {
              das.Insert(scope, "in_c_sales__orders", {{{"id", duckdb::Value("x")}}});
            }).kind(),
            ErrorKind::kUnprocessable);
  das.Delete(scope, "in_c_sales__orders", duckdb::Value::INTEGER(3));
  EXPECT_EQ(services_.tables.Get(TableRef{BranchRef{"p1"}, "in.c-sales", "Orders"}).row_count, 1);
}

TEST_F(DasServiceTest, MacrosAreFunctions) {
  Sql("CREATE MACRO main.add_tax(amount, rate) AS amount * (1 + rate)");
  Sql(R"(CREATE MACRO "in.c-sales".big_orders(min_qty) AS TABLE SELECT id, qty FROM "in.c-sales"."Orders" WHERE qty >= min_qty)");
  auto scope = services_.das_registry.Resolve(services_.das_registry.Register(Definition(), std::nullopt),
                                              std::nullopt);
  auto& das = services_.das;
  das.Insert(scope, "in_c_sales__orders",
             {{{"id", duckdb::Value::INTEGER(1)}, {"qty", duckdb::Value::INTEGER(10)}},
              {{"id", duckdb::Value::INTEGER(2)}, {"qty", duckdb::Value::INTEGER(1)}}});
  auto functions = das.ListFunctions(scope);
  ASSERT_EQ(functions.size(), 2u);
  EXPECT_EQ(functions[0].name, "add_tax");
  EXPECT_FALSE(functions[0].table_macro);
  EXPECT_EQ(functions[0].params.size(), 2u);
  EXPECT_EQ(functions[1].name, "in_c_sales__big_orders");
  EXPECT_TRUE(functions[1].table_macro);

  auto scalar = das.ExecuteFunction(
      scope, "add_tax", {{"rate", duckdb::Value::DOUBLE(0.5)}, {"amount", duckdb::Value::INTEGER(10)}});
  EXPECT_EQ(scalar.value.GetValue<double>(), 15.0);
  auto table =
      das.ExecuteFunction(scope, "in_c_sales__big_orders", {{std::nullopt, duckdb::Value::INTEGER(5)}});
  ASSERT_TRUE(table.table);
  ASSERT_EQ(table.rows.rows.size(), 1u);
  EXPECT_EQ(table.rows.rows[0][0].GetValue<int64_t>(), 1);
  EXPECT_EQ(CaptureError([&] { das.ExecuteFunction(scope, "nope", {}); }).code(), "function_not_found");
  EXPECT_EQ(CaptureError([&] {
              das.ExecuteFunction(scope, "add_tax", {{"x", duckdb::Value::INTEGER(1)}});
            }).code(),
            "unknown_argument");
  EXPECT_EQ(CaptureError([&] {
              das.ExecuteFunction(scope, "add_tax", {{"rate", duckdb::Value::INTEGER(1)}});
            }).code(),
            "missing_argument");
}

}  // namespace
}  // namespace duckstore
