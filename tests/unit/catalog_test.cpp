#include "duckstore/storage/catalog/catalog.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "duckstore/common/error.hpp"
#include "duckstore/storage/catalog/sqlite_catalog.hpp"
#include "duckstore/storage/catalog/sqlite_db.hpp"
#include "duckstore/storage/catalog/sqlite_migrations.hpp"
#include "test_util.hpp"

namespace duckstore {
namespace {

using testing::TempDir;

Project MakeProject(const std::string& id, const std::string& created_at = "2026-01-01T00:00:00.000Z") {
  Project p;
  p.id = id;
  p.name = "Project " + id;
  p.settings = {{"region", "eu"}};
  p.created_at = p.updated_at = created_at;
  return p;
}

ApiKey MakeKey(const std::string& id, const std::string& project_id, const std::string& created_at,
               std::optional<std::string> branch_id = std::nullopt) {
  ApiKey k;
  k.id = id;
  k.project_id = project_id;
  k.branch_id = std::move(branch_id);
  k.scope = k.branch_id ? KeyScope::kBranchRead : KeyScope::kProjectAdmin;
  k.description = "key " + id;
  k.secret_hash = std::string(64, 'a');
  k.created_at = created_at;
  return k;
}

Branch MakeBranch(const std::string& project_id, const std::string& id) {
  return Branch{id, project_id, "branch " + id, "desc", "2026-01-01T00:00:00.000Z"};
}

class CatalogTest : public ::testing::Test {
 protected:
  std::string Path() const { return (dir_ / "catalog.db").string(); }
  TempDir dir_;
  std::unique_ptr<Catalog> catalog_ = OpenSqliteCatalog(Path());
};

TEST_F(CatalogTest, MigrationsAreAppliedOnceAndReopenIsIdempotent) {
  catalog_->CreateProject(MakeProject("p1"));
  catalog_.reset();
  // Re-opening twice must neither fail (tables exist) nor record the migrations again, and keeps the data.
  catalog_ = OpenSqliteCatalog(Path());
  catalog_.reset();
  catalog_ = OpenSqliteCatalog(Path());
  EXPECT_TRUE(catalog_->GetProject("p1").has_value());
  catalog_.reset();

  SqliteDb db(Path());
  auto rows = db.Prepare("SELECT count(*), count(DISTINCT version), max(version) FROM schema_migrations");
  ASSERT_TRUE(rows.Step());
  auto migrations = SqliteMigrations();
  ASSERT_FALSE(migrations.empty());
  EXPECT_EQ(rows.Int(0), static_cast<int64_t>(migrations.size()));
  EXPECT_EQ(rows.Int(1), static_cast<int64_t>(migrations.size()));
  EXPECT_EQ(rows.Int(2), static_cast<int64_t>(migrations.back().version));
}

TEST_F(CatalogTest, ProjectCrud) {
  EXPECT_FALSE(catalog_->GetProject("p1").has_value());
  catalog_->CreateProject(MakeProject("p1"));
  auto p = catalog_->GetProject("p1");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->name, "Project p1");
  EXPECT_EQ(p->status, "active");
  EXPECT_EQ(p->settings, (nlohmann::json{{"region", "eu"}}));
  EXPECT_EQ(p->created_at, "2026-01-01T00:00:00.000Z");

  p->name = "Renamed";
  p->status = "deleting";
  p->settings = {{"a", 1}};
  p->updated_at = "2026-02-01T00:00:00.000Z";
  catalog_->UpdateProject(*p);
  auto updated = catalog_->GetProject("p1");
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ(updated->name, "Renamed");
  EXPECT_EQ(updated->status, "deleting");
  EXPECT_EQ(updated->settings, (nlohmann::json{{"a", 1}}));
  EXPECT_EQ(updated->created_at, "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(updated->updated_at, "2026-02-01T00:00:00.000Z");

  catalog_->DeleteProject("p1");
  EXPECT_FALSE(catalog_->GetProject("p1").has_value());
  EXPECT_NO_THROW(catalog_->DeleteProject("p1"));  // deleting a missing project is a no-op
}

TEST_F(CatalogTest, CreateProjectDuplicateIsConflict) {
  catalog_->CreateProject(MakeProject("p1"));
  EXPECT_DUCKSTORE_ERROR(catalog_->CreateProject(MakeProject("p1")), ErrorKind::kConflict, "project_exists");
  // The original row is untouched.
  EXPECT_EQ(catalog_->GetProject("p1")->name, "Project p1");
}

TEST_F(CatalogTest, ListProjectsPagesInCreationOrderWithTotal) {
  for (int i = 0; i < 5; ++i) {
    // Ids in reverse order of creation time, so the order must come from created_at.
    catalog_->CreateProject(
        MakeProject("p" + std::to_string(5 - i), "2026-01-0" + std::to_string(i + 1) + "T00:00:00.000Z"));
  }
  auto first = catalog_->ListProjects(PageRequest{2, 0});
  EXPECT_EQ(first.total, 5);
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_EQ(first.items[0].id, "p5");
  EXPECT_EQ(first.items[1].id, "p4");

  auto middle = catalog_->ListProjects(PageRequest{2, 2});
  EXPECT_EQ(middle.total, 5);
  ASSERT_EQ(middle.items.size(), 2u);
  EXPECT_EQ(middle.items[0].id, "p3");
  EXPECT_EQ(middle.items[1].id, "p2");

  auto last = catalog_->ListProjects(PageRequest{2, 4});
  ASSERT_EQ(last.items.size(), 1u);
  EXPECT_EQ(last.items[0].id, "p1");

  auto beyond = catalog_->ListProjects(PageRequest{2, 10});
  EXPECT_TRUE(beyond.items.empty());
  EXPECT_EQ(beyond.total, 5);
}

TEST_F(CatalogTest, KeysCreateGetListRevokeTouch) {
  catalog_->CreateProject(MakeProject("p1"));
  catalog_->CreateProject(MakeProject("p2"));
  catalog_->CreateKey(MakeKey("K1", "p1", "2026-01-01T00:00:00.000Z"));
  catalog_->CreateKey(MakeKey("K2", "p1", "2026-01-02T00:00:00.000Z"));
  catalog_->CreateKey(MakeKey("K3", "p1", "2026-01-03T00:00:00.000Z"));
  catalog_->CreateKey(MakeKey("K4", "p2", "2026-01-04T00:00:00.000Z"));

  auto k1 = catalog_->GetKey("K1");
  ASSERT_TRUE(k1.has_value());
  EXPECT_EQ(k1->project_id, "p1");
  EXPECT_EQ(k1->scope, KeyScope::kProjectAdmin);
  EXPECT_EQ(k1->description, "key K1");
  EXPECT_EQ(k1->secret_hash, std::string(64, 'a'));
  EXPECT_FALSE(k1->branch_id.has_value());
  EXPECT_FALSE(k1->expires_at.has_value());
  EXPECT_FALSE(k1->revoked_at.has_value());
  EXPECT_FALSE(k1->last_used_at.has_value());
  EXPECT_FALSE(catalog_->GetKey("nope").has_value());

  // A second key with a taken id is a conflict.
  EXPECT_THROW(
      {
        try {
          catalog_->CreateKey(MakeKey("K1", "p1", "2026-01-05T00:00:00.000Z"));
        } catch (const Error& e) {
          EXPECT_EQ(e.kind(), ErrorKind::kConflict);
          throw;
        }
      },
      Error);

  auto active = catalog_->ListActiveKeys("p1");
  ASSERT_EQ(active.size(), 3u);
  EXPECT_EQ(active[0].id, "K3");  // newest first
  EXPECT_EQ(active[1].id, "K2");
  EXPECT_EQ(active[2].id, "K1");

  catalog_->RevokeKey("K2", "2026-03-01T00:00:00.000Z");
  catalog_->RevokeKey("K2", "2026-04-01T00:00:00.000Z");  // a second revoke keeps the first time
  EXPECT_EQ(catalog_->GetKey("K2")->revoked_at, "2026-03-01T00:00:00.000Z");
  active = catalog_->ListActiveKeys("p1");
  ASSERT_EQ(active.size(), 2u);
  EXPECT_EQ(active[0].id, "K3");
  EXPECT_EQ(active[1].id, "K1");

  catalog_->TouchKey("K1", "2026-03-02T00:00:00.000Z");
  EXPECT_EQ(catalog_->GetKey("K1")->last_used_at, "2026-03-02T00:00:00.000Z");
  catalog_->TouchKey("K1", "2026-03-03T00:00:00.000Z");
  EXPECT_EQ(catalog_->GetKey("K1")->last_used_at, "2026-03-03T00:00:00.000Z");

  EXPECT_EQ(catalog_->ListActiveKeys("p2").size(), 1u);
}

TEST_F(CatalogTest, KeyRoundTripsOptionalFields) {
  catalog_->CreateProject(MakeProject("p1"));
  catalog_->CreateBranch(MakeBranch("p1", "dev"));
  ApiKey key = MakeKey("K1", "p1", "2026-01-01T00:00:00.000Z", "dev");
  key.scope = KeyScope::kBranchAdmin;
  key.expires_at = "2027-01-01T00:00:00.000Z";
  catalog_->CreateKey(key);
  auto stored = catalog_->GetKey("K1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->branch_id, "dev");
  EXPECT_EQ(stored->scope, KeyScope::kBranchAdmin);
  EXPECT_EQ(stored->expires_at, "2027-01-01T00:00:00.000Z");
}

TEST_F(CatalogTest, DeleteProjectCascadesKeysAndBranches) {
  catalog_->CreateProject(MakeProject("p1"));
  catalog_->CreateProject(MakeProject("p2"));
  catalog_->CreateBranch(MakeBranch("p1", "dev"));
  catalog_->CreateBranch(MakeBranch("p2", "dev"));
  catalog_->CreateKey(MakeKey("K1", "p1", "2026-01-01T00:00:00.000Z"));
  catalog_->CreateKey(MakeKey("K2", "p1", "2026-01-01T00:00:00.000Z", "dev"));
  catalog_->CreateKey(MakeKey("K3", "p2", "2026-01-01T00:00:00.000Z"));

  catalog_->DeleteProject("p1");
  EXPECT_FALSE(catalog_->GetKey("K1").has_value());
  EXPECT_FALSE(catalog_->GetKey("K2").has_value());
  EXPECT_FALSE(catalog_->GetBranch("p1", "dev").has_value());
  EXPECT_EQ(catalog_->ListBranches("p1", PageRequest{}).total, 0);
  // The other project keeps its rows.
  EXPECT_TRUE(catalog_->GetKey("K3").has_value());
  EXPECT_TRUE(catalog_->GetBranch("p2", "dev").has_value());

  // The id is free again, without leftovers.
  catalog_->CreateProject(MakeProject("p1"));
  EXPECT_TRUE(catalog_->ListActiveKeys("p1").empty());
}

TEST_F(CatalogTest, BranchesCrudAndConflicts) {
  catalog_->CreateProject(MakeProject("p1"));
  catalog_->CreateBranch(MakeBranch("p1", "b1"));
  catalog_->CreateBranch(MakeBranch("p1", "b2"));
  EXPECT_DUCKSTORE_ERROR(catalog_->CreateBranch(MakeBranch("p1", "b1")), ErrorKind::kConflict,
                         "branch_exists");
  Branch same_name = MakeBranch("p1", "b3");
  same_name.name = "branch b1";
  EXPECT_DUCKSTORE_ERROR(catalog_->CreateBranch(same_name), ErrorKind::kConflict, "branch_exists");

  auto page = catalog_->ListBranches("p1", PageRequest{1, 1});
  EXPECT_EQ(page.total, 2);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].id, "b2");

  catalog_->DeleteBranch("p1", "b1");
  EXPECT_FALSE(catalog_->GetBranch("p1", "b1").has_value());
  EXPECT_EQ(catalog_->ListBranches("p1", PageRequest{}).total, 1);
}

TEST_F(CatalogTest, ReadOnlyGrantsPerBranchFollowTheirBranchAndLink) {
  catalog_->CreateProject(MakeProject("p1"));
  catalog_->CreateProject(MakeProject("p2"));
  catalog_->CreateBranch(MakeBranch("p1", "dev"));
  catalog_->SetReadOnlyGrant("p1", "default", "in.c-a", true);
  catalog_->SetReadOnlyGrant("p1", "default", "IN.C-A", true);  // the same bucket: case-insensitive
  catalog_->SetReadOnlyGrant("p1", "dev", "in.c-b", true);
  EXPECT_EQ(catalog_->ListReadOnlyGrants("p1", "default"), std::vector<std::string>{"in.c-a"});
  EXPECT_TRUE(catalog_->HasReadOnlyGrant("p1", "default", "In.C-A"));
  EXPECT_FALSE(catalog_->HasReadOnlyGrant("p1", "default", "in.c-b"));
  EXPECT_TRUE(catalog_->HasReadOnlyGrant("p1", "dev", "in.c-b"));

  // A linked bucket's grant goes with the link, also when unsharing deletes the link by cascade.
  catalog_->CreateShare(BucketShare{"p2", "in.c-src", {}, NowTimestamp()});
  catalog_->CreateLink(BucketLink{"p1", "in.c-linked", "p2", "in.c-src", NowTimestamp()});
  catalog_->SetReadOnlyGrant("p1", "default", "in.c-linked", true);
  catalog_->DeleteShare("p2", "in.c-src");
  EXPECT_FALSE(catalog_->HasReadOnlyGrant("p1", "default", "in.c-linked"));

  // A branch's grants go with the branch; the default branch's stay.
  catalog_->DeleteBranch("p1", "dev");
  EXPECT_TRUE(catalog_->ListReadOnlyGrants("p1", "dev").empty());
  EXPECT_TRUE(catalog_->HasReadOnlyGrant("p1", "default", "in.c-a"));
  catalog_->SetReadOnlyGrant("p1", "default", "in.c-a", false);
  EXPECT_TRUE(catalog_->ListReadOnlyGrants("p1", "default").empty());
}

TEST_F(CatalogTest, ReadOnlyGrantsBeforeMigration9BelongToTheDefaultBranch) {
  catalog_.reset();
  {
    // A catalog as migration 8 left it, with one grant.
    SqliteDb db(Path());
    db.Exec(
        "DELETE FROM schema_migrations WHERE version = 9; DROP TRIGGER readonly_grants_follow_branches; "
        "DROP TRIGGER readonly_grants_follow_links; DROP TABLE readonly_grants; "
        "CREATE TABLE readonly_grants (project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE, "
        "bucket TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (project_id, bucket)); "
        "INSERT INTO projects (id, name, settings, status, created_at, updated_at) "
        "VALUES ('p1', 'p1', '{}', 'active', 'x', 'x'); "
        "INSERT INTO readonly_grants VALUES ('p1', 'in.c-old', 'x');");
  }
  catalog_ = OpenSqliteCatalog(Path());
  EXPECT_EQ(catalog_->ListReadOnlyGrants("p1", "default"), std::vector<std::string>{"in.c-old"});
}

TEST_F(CatalogTest, InTransactionCommits) {
  catalog_->InTransaction([&] {
    catalog_->CreateProject(MakeProject("p1"));
    catalog_->PutSetting("k", "v");
  });
  EXPECT_TRUE(catalog_->GetProject("p1").has_value());
  EXPECT_EQ(catalog_->GetSetting("k"), "v");
}

TEST_F(CatalogTest, InTransactionRollsBackOnException) {
  catalog_->CreateProject(MakeProject("p0"));
  EXPECT_THROW(catalog_->InTransaction([&] {
    catalog_->CreateProject(MakeProject("p1"));
    catalog_->PutSetting("k", "v");
    catalog_->DeleteProject("p0");
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  EXPECT_FALSE(catalog_->GetProject("p1").has_value());
  EXPECT_FALSE(catalog_->GetSetting("k").has_value());
  EXPECT_TRUE(catalog_->GetProject("p0").has_value());

  // A domain error inside the transaction propagates unchanged and rolls back too.
  EXPECT_DUCKSTORE_ERROR(catalog_->InTransaction([&] {
    catalog_->CreateProject(MakeProject("p2"));
    catalog_->CreateProject(MakeProject("p0"));
  }),
                         ErrorKind::kConflict, "project_exists");
  EXPECT_FALSE(catalog_->GetProject("p2").has_value());

  // The catalog is usable afterwards (no transaction left open).
  catalog_->CreateProject(MakeProject("p3"));
  catalog_.reset();
  catalog_ = OpenSqliteCatalog(Path());
  EXPECT_TRUE(catalog_->GetProject("p3").has_value());
}

TEST_F(CatalogTest, SettingsUpsert) {
  EXPECT_FALSE(catalog_->GetSetting("admin_fingerprint").has_value());
  catalog_->PutSetting("admin_fingerprint", "one");
  EXPECT_EQ(catalog_->GetSetting("admin_fingerprint"), "one");
  catalog_->PutSetting("admin_fingerprint", "two");
  EXPECT_EQ(catalog_->GetSetting("admin_fingerprint"), "two");
  catalog_->PutSetting("other", "");
  EXPECT_EQ(catalog_->GetSetting("other"), "");
  EXPECT_EQ(catalog_->GetSetting("admin_fingerprint"), "two");
}

TEST_F(CatalogTest, OperationsNewestFirstWithPaging) {
  for (int i = 1; i <= 5; ++i) {
    Operation op;
    op.at = "2026-01-01T00:00:0" + std::to_string(i) + ".000Z";
    op.request_id = "req" + std::to_string(i);
    op.project_id = "p1";
    op.operation = "op" + std::to_string(i);
    op.resource = "in.c-b/t" + std::to_string(i);
    op.details = {{"n", i}};
    op.duration_ms = i * 10;
    op.status = i == 3 ? "table_not_found" : "ok";
    catalog_->AppendOperation(op);
  }
  Operation other;
  other.at = "2026-01-01T00:00:09.000Z";
  other.project_id = "p2";
  other.operation = "other";
  other.status = "ok";
  catalog_->AppendOperation(other);

  auto page = catalog_->ListOperations("p1", PageRequest{2, 0});
  EXPECT_EQ(page.total, 5);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].operation, "op5");
  EXPECT_EQ(page.items[1].operation, "op4");
  EXPECT_GT(page.items[0].id, page.items[1].id);
  EXPECT_EQ(page.items[0].request_id, "req5");
  EXPECT_EQ(page.items[0].resource, "in.c-b/t5");
  EXPECT_EQ(page.items[0].details, (nlohmann::json{{"n", 5}}));
  EXPECT_EQ(page.items[0].duration_ms, 50);
  EXPECT_EQ(page.items[0].at, "2026-01-01T00:00:05.000Z");

  page = catalog_->ListOperations("p1", PageRequest{2, 2});
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].operation, "op3");
  EXPECT_EQ(page.items[0].status, "table_not_found");
  EXPECT_EQ(page.items[1].operation, "op2");

  page = catalog_->ListOperations("p1", PageRequest{2, 4});
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].operation, "op1");

  auto p2 = catalog_->ListOperations("p2", PageRequest{});
  EXPECT_EQ(p2.total, 1);
  ASSERT_EQ(p2.items.size(), 1u);
  EXPECT_EQ(p2.items[0].operation, "other");
  EXPECT_EQ(catalog_->ListOperations("p3", PageRequest{}).total, 0);
}

TEST(CatalogTimestamps, NowTimestampFormatAndRoundTrip) {
  std::string now = NowTimestamp();
  ASSERT_EQ(now.size(), 24u) << now;
  EXPECT_EQ(now[10], 'T');
  EXPECT_EQ(now[19], '.');
  EXPECT_EQ(now.back(), 'Z');
  int64_t seconds = TimestampToUnixSeconds(now);
  EXPECT_NEAR(TimestampToUnixSeconds(NowTimestamp(3600)) - seconds, 3600, 1);
  EXPECT_EQ(TimestampToUnixSeconds("1970-01-02T00:00:00.000Z"), 86400);
  EXPECT_LT(NowTimestamp(-10), now);  // string order is time order
  EXPECT_THROW(TimestampToUnixSeconds("yesterday"), Error);
}

TEST(CatalogScopes, ParseAndPrint) {
  for (KeyScope scope : {KeyScope::kProjectAdmin, KeyScope::kBranchAdmin, KeyScope::kBranchRead}) {
    EXPECT_EQ(ParseKeyScope(ToString(scope)), scope);
  }
  EXPECT_DUCKSTORE_ERROR(ParseKeyScope("root"), ErrorKind::kInvalidArgument, "invalid_scope");
}

}  // namespace
}  // namespace duckstore
