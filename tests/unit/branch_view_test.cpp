// Dev branch copy-on-write resolution (services/branch_view.hpp) and workspace passwords, in-process.
#include "duckstore/services/metadata/branch_view.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "duckstore/services/auth/password.hpp"
#include "duckstore/services/metadata/view_binding.hpp"
#include "duckstore/services/services.hpp"
#include "duckstore/storage/catalog/sqlite_catalog.hpp"
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
  limits.max_open_projects = 8;
  return limits;
}

class BranchViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    services_.projects.Create("p1", "P", nlohmann::json::object());
    services_.buckets.Create(Main(), "b", "");
    services_.tables.Create(Table(Main()), {ColumnDefinition{"id", "int", true, std::nullopt}}, {"id"});
    Insert(Main(), {1, 2});
    services_.dev_branches.Create("p1", "dev", "", "dev");
  }

  static BranchRef Main() { return BranchRef{"p1"}; }
  static BranchRef Dev() { return BranchRef{"p1", "dev"}; }
  static TableRef Table(BranchRef branch, const std::string& name = "t") {
    return TableRef{branch, "b", name};
  }

  void Insert(const BranchRef& branch, const std::vector<int>& ids) {
    std::vector<TableService::Row> rows;
    for (int id : ids) rows.push_back({{"id", std::to_string(id)}});
    services_.tables.InsertRows(Table(branch), rows);
  }

  std::vector<int64_t> Ids(const BranchRef& branch, const std::string& table = "t") {
    PreviewRequest request;
    request.order_by = {OrderBy{"id"}};
    std::vector<int64_t> ids;
    for (const auto& row : services_.tables.Preview(Table(branch, table), request).rows)
      ids.push_back(row.at(0).get<int64_t>());
    return ids;
  }

  TableSource SourceOnDev(const std::string& table) {
    auto view = services_.branches.View(Dev());
    auto found = view->FindTable(view->RequireBucket("b"), table);
    EXPECT_TRUE(found.has_value()) << table;
    return found ? found->source : TableSource::kLinked;
  }

  TempDir dir_;
  std::unique_ptr<Catalog> catalog_ = OpenSqliteCatalog((dir_ / "catalog.db").string());
  Engine engine_{dir_ / "projects", Limits()};
  Services services_{*catalog_, engine_, dir_.path(), 1 << 20, "admin-key", "master-key"};
};

TEST_F(BranchViewTest, UntouchedTablesResolveToTheDefaultBranchLive) {
  EXPECT_EQ(SourceOnDev("t"), TableSource::kDefault);
  Insert(Main(), {3});
  EXPECT_EQ(Ids(Dev()), (std::vector<int64_t>{1, 2, 3}));
  auto bucket = services_.buckets.Get(Dev(), "B");  // case-insensitive
  EXPECT_EQ(bucket.name, "b");
  EXPECT_EQ(bucket.table_count, 1);
}

TEST_F(BranchViewTest, FirstWriteCopiesUpAndLeavesTheDefaultBranchAlone) {
  Insert(Dev(), {10});
  EXPECT_EQ(SourceOnDev("t"), TableSource::kOwn);
  EXPECT_EQ(Ids(Dev()), (std::vector<int64_t>{1, 2, 10}));
  EXPECT_EQ(Ids(Main()), (std::vector<int64_t>{1, 2}));
  Insert(Main(), {4});
  EXPECT_EQ(Ids(Dev()), (std::vector<int64_t>{1, 2, 10}));
  EXPECT_EQ(services_.tables.Get(Table(Dev())).primary_key, std::vector<std::string>{"id"});
}

TEST_F(BranchViewTest, ConcurrentFirstWritersCopyOnce) {
  std::vector<std::thread> writers;
  for (int i = 0; i < 4; ++i) writers.emplace_back([&, i] { Insert(Dev(), {100 + i}); });
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(Ids(Dev()), (std::vector<int64_t>{1, 2, 100, 101, 102, 103}));
  EXPECT_EQ(Ids(Main()), (std::vector<int64_t>{1, 2}));
}

TEST_F(BranchViewTest, DeletesAreTombstonesAndResetRestores) {
  services_.tables.Delete(Table(Dev()));
  EXPECT_EQ(CaptureError([&] { services_.tables.Get(Table(Dev())); }).code(), "table_not_found");
  EXPECT_EQ(Ids(Main()), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(services_.dev_branches.ResetTable(Table(Dev())));
  EXPECT_EQ(SourceOnDev("t"), TableSource::kDefault);
  services_.buckets.Delete(Dev(), "b", /*cascade=*/true);
  EXPECT_EQ(services_.buckets.List(Dev(), PageRequest{}).total, 0);
  EXPECT_EQ(services_.buckets.List(Main(), PageRequest{}).total, 1);
  // A bucket of that name created on the branch is the branch's own: nothing shows through it.
  services_.buckets.Create(Dev(), "b", "");
  EXPECT_EQ(services_.buckets.Get(Dev(), "b").table_count, 0);
}

TEST_F(BranchViewTest, DroppingTheBranchRemovesItsFile) {
  Insert(Dev(), {9});
  auto file = dir_ / "projects/p1/branches/dev.duckdb";
  EXPECT_TRUE(std::filesystem::exists(file));
  services_.dev_branches.Delete("p1", "dev");
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_EQ(CaptureError([&] { services_.branches.View(Dev()); }).code(), "branch_not_found");
  EXPECT_EQ(CaptureError([&] { services_.branches.Open(Dev()); }).code(), "branch_not_found");
}

TEST_F(BranchViewTest, BranchViewsFollowTheTableWhereTheBranchSeesIt) {
  ViewDefinition definition;
  definition.source = Table(Dev());
  services_.views.CreateOrReplace(Table(Dev(), "v"), definition);
  EXPECT_EQ(SourceOnDev("v"), TableSource::kOwn);
  EXPECT_FALSE(services_.views.Exists(Table(Main(), "v")));
  // Inherited: the view reads the default branch's table live.
  Insert(Main(), {3});
  EXPECT_EQ(Ids(Dev(), "v"), (std::vector<int64_t>{1, 2, 3}));
  // The branch's first write copies the table up and the view follows it.
  Insert(Dev(), {10});
  EXPECT_EQ(Ids(Dev(), "v"), (std::vector<int64_t>{1, 2, 3, 10}));
  Insert(Main(), {4});
  EXPECT_EQ(Ids(Dev(), "v"), (std::vector<int64_t>{1, 2, 3, 10}));
  // Reset: the copy goes, the view reads the default branch's table again.
  EXPECT_TRUE(services_.dev_branches.ResetTable(Table(Dev())));
  EXPECT_EQ(Ids(Dev(), "v"), (std::vector<int64_t>{1, 2, 3, 4}));
  services_.views.Delete(Table(Dev(), "v"));
  EXPECT_FALSE(services_.views.Exists(Table(Dev(), "v")));
}

TEST_F(BranchViewTest, CloneAndViewImportsOnABranchStayOnIt) {
  TableImportRequest request;
  request.source = Table(Dev());
  request.options.type = ImportType::kClone;
  EXPECT_EQ(services_.imports.ImportFromTable(Table(Dev(), "c"), request).table_rows, 2);
  request.options.type = ImportType::kView;
  services_.imports.ImportFromTable(Table(Dev(), "w"), request);
  EXPECT_EQ(SourceOnDev("c"), TableSource::kOwn);
  EXPECT_EQ(SourceOnDev("w"), TableSource::kOwn);
  EXPECT_EQ(SourceOnDev("t"), TableSource::kDefault);  // reading the source copies nothing
  EXPECT_EQ(Ids(Dev(), "c"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(services_.tables.Get(Table(Dev(), "c")).primary_key, std::vector<std::string>{"id"});
  EXPECT_EQ(services_.tables.List(Main(), "b", PageRequest{}).total, 1);
  // FULL into the inherited table: copied up first, the default branch keeps its rows.
  request.source = Table(Dev(), "c");
  request.options.type = ImportType::kIncremental;
  request.options.dedup = DedupType::kInsertDuplicates;
  services_.imports.ImportFromTable(Table(Dev()), request);
  EXPECT_EQ(Ids(Dev()), (std::vector<int64_t>{1, 1, 2, 2}));
  EXPECT_EQ(Ids(Main()), (std::vector<int64_t>{1, 2}));
}

TEST(ViewBindingTest, RelocatesMatchingReferencesAtAnyDepth) {
  auto relocate = [](const ViewReference& ref) -> std::optional<std::string> {
    if (ref.catalog == "project" && ref.table == "t") return "branch";
    return std::nullopt;
  };
  auto sql = RelocateViewReferences(
      "CREATE VIEW b.v AS WITH c AS (SELECT * FROM project.b.t) SELECT * FROM c JOIN project.b.u USING (id) "
      "WHERE id IN (SELECT id FROM project.b.t)",
      relocate);
  ASSERT_TRUE(sql.has_value());
  EXPECT_NE(sql->find("CREATE OR REPLACE VIEW"), std::string::npos) << *sql;
  EXPECT_EQ(sql->find("project.b.t"), std::string::npos) << *sql;
  EXPECT_NE(sql->find("project.b.u"), std::string::npos) << *sql;
  EXPECT_NE(sql->find("branch.b.t"), std::string::npos) << *sql;
  EXPECT_FALSE(RelocateViewReferences("CREATE VIEW b.v AS SELECT * FROM project.b.u", relocate));
  EXPECT_FALSE(RelocateViewReferences("SELECT 1", relocate));
}

TEST(PasswordTest, ScramVerifierChecksThePasswordAndHidesIt) {
  auto password = GeneratePassword();
  auto verifier = MakeScramVerifier(password);
  EXPECT_EQ(verifier.rfind("SCRAM-SHA-256$4096:", 0), 0u) << verifier;
  EXPECT_EQ(verifier.find(password), std::string::npos);
  EXPECT_TRUE(VerifyScramPassword(verifier, password));
  EXPECT_FALSE(VerifyScramPassword(verifier, password + "x"));
  EXPECT_FALSE(VerifyScramPassword("garbage", password));
  EXPECT_NE(MakeScramVerifier(password), verifier);  // salted
}

}  // namespace
}  // namespace duckstore
