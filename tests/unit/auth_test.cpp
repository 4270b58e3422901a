#include "duckstore/services/auth/auth.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "duckstore/common/error.hpp"
#include "duckstore/common/random.hpp"
#include "duckstore/storage/catalog/sqlite_catalog.hpp"
#include "duckstore/storage/catalog/sqlite_db.hpp"
#include "test_util.hpp"

namespace duckstore {
namespace {

using testing::TempDir;

constexpr const char* kAdminKey = "admin-secret-key-0123456789";
constexpr const char* kMasterKey = "master-key-for-tests";

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"p", "q"}) {
      Project project;
      project.id = id;
      project.name = id;
      project.created_at = project.updated_at = NowTimestamp();
      catalog_->CreateProject(project);
    }
    catalog_->CreateBranch(Branch{"dev", "p", "dev", "", NowTimestamp()});
  }

  Principal Auth(const std::string& token) { return auth_.Authenticate(token); }
  Principal KeyPrincipal(const std::string& project, KeyScope scope,
                         std::optional<std::string> branch = std::nullopt) {
    return Auth(auth_.IssueKey(project, scope, std::move(branch), "test", std::nullopt).token);
  }

  TempDir dir_;
  std::unique_ptr<Catalog> catalog_ = OpenSqliteCatalog((dir_ / "catalog.db").string());
  AuthService auth_{*catalog_, kAdminKey, kMasterKey};
};

#define EXPECT_UNAUTHENTICATED(token) \
  EXPECT_DUCKSTORE_ERROR(auth_.Authenticate(token), ErrorKind::kUnauthenticated, "unauthorized")
#define EXPECT_ALLOWED(...) EXPECT_NO_THROW(auth_.Authorize(__VA_ARGS__))
#define EXPECT_DENIED(...) \
  EXPECT_DUCKSTORE_ERROR(auth_.Authorize(__VA_ARGS__), ErrorKind::kPermissionDenied, "forbidden")

TEST_F(AuthTest, IssuedTokenIsKeyIdDotSecretAndOnlyTheHashIsStored) {
  auto issued = auth_.IssueKey("p", KeyScope::kProjectAdmin, std::nullopt, "first key", std::nullopt);
  EXPECT_TRUE(std::regex_match(issued.key.id, std::regex("DSK[0-9A-F]{16}"))) << issued.key.id;
  ASSERT_EQ(issued.token.rfind(issued.key.id + ".", 0), 0u) << issued.token;
  std::string secret = issued.token.substr(issued.key.id.size() + 1);
  EXPECT_TRUE(std::regex_match(secret, std::regex("[0-9a-f]{64}"))) << secret;

  auto stored = catalog_->GetKey(issued.key.id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->project_id, "p");
  EXPECT_EQ(stored->scope, KeyScope::kProjectAdmin);
  EXPECT_EQ(stored->description, "first key");
  EXPECT_EQ(stored->secret_hash, Sha256Hex(secret));
  EXPECT_NE(stored->secret_hash, secret);
  EXPECT_FALSE(stored->expires_at.has_value());

  auto other = auth_.IssueKey("p", KeyScope::kProjectAdmin, std::nullopt, "second key", std::nullopt);
  EXPECT_NE(other.key.id, issued.key.id);
  EXPECT_NE(other.token, issued.token);
}

TEST_F(AuthTest, TokenOfReturnsTheIssuedToken) {
  auto issued = auth_.IssueKey("p", KeyScope::kBranchRead, std::nullopt, "s3", std::nullopt);
  EXPECT_EQ(auth_.TokenOf(issued.key.id), issued.token);
  // Derived from the master key alone: another service instance with the same master key agrees.
  AuthService again(*catalog_, "other-admin", kMasterKey);
  EXPECT_EQ(again.TokenOf(issued.key.id), issued.token);
  EXPECT_EQ(auth_.TokenOf("DSK0000000000000000"), std::nullopt);
}

TEST_F(AuthTest, AuthenticatesAdminAndProjectKeys) {
  Principal admin = Auth(kAdminKey);
  EXPECT_TRUE(admin.admin);
  EXPECT_FALSE(admin.key.has_value());
  EXPECT_EQ(admin.Describe(), "admin");

  auto issued = auth_.IssueKey("p", KeyScope::kBranchAdmin, std::nullopt, "writer", std::nullopt);
  Principal principal = Auth(issued.token);
  EXPECT_FALSE(principal.admin);
  ASSERT_TRUE(principal.key.has_value());
  EXPECT_EQ(principal.key->id, issued.key.id);
  EXPECT_EQ(principal.key->project_id, "p");
  EXPECT_EQ(principal.key->scope, KeyScope::kBranchAdmin);
  EXPECT_NE(principal.Describe().find(issued.key.id), std::string::npos);
}

TEST_F(AuthTest, RejectsMissingMalformedAndWrongCredentials) {
  auto issued = auth_.IssueKey("p", KeyScope::kProjectAdmin, std::nullopt, "k", std::nullopt);
  EXPECT_UNAUTHENTICATED("");
  EXPECT_UNAUTHENTICATED("no-dot-here");
  EXPECT_UNAUTHENTICATED("." + issued.token);
  EXPECT_UNAUTHENTICATED(std::string(kAdminKey) + "x");
  EXPECT_UNAUTHENTICATED(std::string(kAdminKey).substr(1));
  // Wrong secret for a real key id.
  EXPECT_UNAUTHENTICATED(issued.key.id + "." + std::string(64, '0'));
  EXPECT_UNAUTHENTICATED(issued.key.id + ".");
  EXPECT_UNAUTHENTICATED(issued.token + "0");
  // Unknown key id with a syntactically valid secret.
  std::string secret = issued.token.substr(issued.key.id.size() + 1);
  EXPECT_UNAUTHENTICATED("DSK0000000000000000." + secret);
  // A token made with another master key does not authenticate here.
  AuthService other(*catalog_, kAdminKey, "another-master-key");
  EXPECT_NE(other.TokenOf(issued.key.id), issued.token);
  EXPECT_UNAUTHENTICATED(*other.TokenOf(issued.key.id));
}

TEST_F(AuthTest, RejectsRevokedKeys) {
  auto issued = auth_.IssueKey("p", KeyScope::kProjectAdmin, std::nullopt, "k", std::nullopt);
  EXPECT_NO_THROW(Auth(issued.token));
  catalog_->RevokeKey(issued.key.id, NowTimestamp());
  EXPECT_UNAUTHENTICATED(issued.token);
}

TEST_F(AuthTest, RejectsExpiredKeys) {
  auto expired = auth_.IssueKey("p", KeyScope::kProjectAdmin, std::nullopt, "k", -60);
  ASSERT_TRUE(expired.key.expires_at.has_value());
  EXPECT_UNAUTHENTICATED(expired.token);

  auto valid = auth_.IssueKey("p", KeyScope::kProjectAdmin, std::nullopt, "k", 3600);
  EXPECT_NO_THROW(Auth(valid.token));
  // An expiry moved into the past in the catalog after issuing takes effect at once. The catalog has no
  // UpdateKey, so the row is changed through a second connection to the same database file.
  {
    SqliteDb db((dir_ / "catalog.db").string());
    db.Prepare("UPDATE api_keys SET expires_at = ? WHERE id = ?")
        .Bind(1, NowTimestamp(-1))
        .Bind(2, valid.key.id)
        .Run();
    EXPECT_EQ(db.Changes(), 1);
  }
  EXPECT_UNAUTHENTICATED(valid.token);
}

TEST_F(AuthTest, RejectsKeysOfInactiveOrDeletedProjects) {
  auto issued = auth_.IssueKey("p", KeyScope::kProjectAdmin, std::nullopt, "k", std::nullopt);
  EXPECT_NO_THROW(Auth(issued.token));
  auto project = *catalog_->GetProject("p");
  project.status = "deleting";
  catalog_->UpdateProject(project);
  EXPECT_UNAUTHENTICATED(issued.token);
  project.status = "active";
  catalog_->UpdateProject(project);
  EXPECT_NO_THROW(Auth(issued.token));
  catalog_->DeleteProject("p");
  EXPECT_UNAUTHENTICATED(issued.token);
}

TEST_F(AuthTest, AuthenticationRecordsLastUseAtMostOncePerMinute) {
  auto issued = auth_.IssueKey("p", KeyScope::kProjectAdmin, std::nullopt, "k", std::nullopt);
  EXPECT_FALSE(catalog_->GetKey(issued.key.id)->last_used_at.has_value());
  std::string before = NowTimestamp();
  Principal principal = Auth(issued.token);
  auto first = catalog_->GetKey(issued.key.id)->last_used_at;
  ASSERT_TRUE(first.has_value());
  EXPECT_GE(*first, before);
  EXPECT_EQ(principal.key->last_used_at, first);

  Auth(issued.token);  // within the minute: no new write
  EXPECT_EQ(catalog_->GetKey(issued.key.id)->last_used_at, first);

  std::string old = NowTimestamp(-120);
  catalog_->TouchKey(issued.key.id, old);
  Auth(issued.token);
  auto refreshed = catalog_->GetKey(issued.key.id)->last_used_at;
  ASSERT_TRUE(refreshed.has_value());
  EXPECT_GT(*refreshed, old);

  // Failed authentications do not count as use.
  catalog_->TouchKey(issued.key.id, old);
  EXPECT_UNAUTHENTICATED(issued.key.id + "." + std::string(64, '0'));
  EXPECT_EQ(catalog_->GetKey(issued.key.id)->last_used_at, old);
}

TEST_F(AuthTest, AdminMayDoEverything) {
  Principal admin = Auth(kAdminKey);
  for (Access access : {Access::kRead, Access::kWrite, Access::kProjectAdmin, Access::kServerAdmin}) {
    EXPECT_ALLOWED(admin, access, "p", "default");
    EXPECT_ALLOWED(admin, access, "q", "dev");
  }
  EXPECT_ALLOWED(admin, Access::kServerAdmin);
}

TEST_F(AuthTest, ProjectAdminIsConfinedToItsProject) {
  Principal key = KeyPrincipal("p", KeyScope::kProjectAdmin);
  for (Access access : {Access::kRead, Access::kWrite, Access::kProjectAdmin}) {
    EXPECT_ALLOWED(key, access, "p", "default");
    EXPECT_ALLOWED(key, access, "p", "dev");
    EXPECT_DENIED(key, access, "q", "default");
  }
  EXPECT_DENIED(key, Access::kServerAdmin, "p");
  EXPECT_DENIED(key, Access::kServerAdmin);
  EXPECT_DENIED(key, Access::kRead, "");
}

TEST_F(AuthTest, BranchAdminOfDefaultBranch) {
  Principal key = KeyPrincipal("p", KeyScope::kBranchAdmin);  // no branch id = the default branch
  EXPECT_ALLOWED(key, Access::kRead, "p", "default");
  EXPECT_ALLOWED(key, Access::kWrite, "p", "default");
  EXPECT_ALLOWED(key, Access::kWrite, "p");  // the default branch is the default argument
  EXPECT_DENIED(key, Access::kProjectAdmin, "p", "default");
  EXPECT_DENIED(key, Access::kRead, "p", "dev");
  EXPECT_DENIED(key, Access::kWrite, "p", "dev");
  EXPECT_DENIED(key, Access::kWrite, "q", "default");
  EXPECT_DENIED(key, Access::kServerAdmin, "p", "default");
}

TEST_F(AuthTest, BranchAdminOfDevBranch) {
  Principal key = KeyPrincipal("p", KeyScope::kBranchAdmin, "dev");
  EXPECT_ALLOWED(key, Access::kRead, "p", "dev");
  EXPECT_ALLOWED(key, Access::kWrite, "p", "dev");
  EXPECT_DENIED(key, Access::kRead, "p", "default");
  EXPECT_DENIED(key, Access::kWrite, "p", "default");
  EXPECT_DENIED(key, Access::kProjectAdmin, "p", "dev");
}

TEST_F(AuthTest, BranchReadCanOnlyRead) {
  Principal key = KeyPrincipal("p", KeyScope::kBranchRead);
  EXPECT_ALLOWED(key, Access::kRead, "p", "default");
  EXPECT_DENIED(key, Access::kWrite, "p", "default");
  EXPECT_DENIED(key, Access::kProjectAdmin, "p", "default");
  EXPECT_DENIED(key, Access::kRead, "p", "dev");
  EXPECT_DENIED(key, Access::kRead, "q", "default");
  EXPECT_DENIED(key, Access::kServerAdmin, "p", "default");
}

TEST_F(AuthTest, AnonymousPrincipalIsDenied) {
  Principal nobody;
  EXPECT_EQ(nobody.Describe(), "anonymous");
  EXPECT_DENIED(nobody, Access::kRead, "p", "default");
  EXPECT_DENIED(nobody, Access::kServerAdmin);
}

}  // namespace
}  // namespace duckstore
