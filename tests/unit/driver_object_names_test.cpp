#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "duckstore/api/driver/object_names.hpp"
#include "duckstore/common/error.hpp"
#include "test_util.hpp"

namespace duckstore::driver {
namespace {

TEST(DriverObjectNames, DefaultBranchBucketsKeepTheirId) {
  EXPECT_EQ(BucketObjectName(kDefaultBranch, "in.c-sales"), "in.c-sales");
  auto parsed = ParseBucketObjectName("in.c-sales", "path");
  EXPECT_EQ(parsed.branch_id, kDefaultBranch);
  EXPECT_EQ(parsed.bucket, "in.c-sales");
  EXPECT_EQ(BranchOfObjectName("in.c-sales"), kDefaultBranch);
}

TEST(DriverObjectNames, DevBranchBucketsCarryTheBranch) {
  EXPECT_EQ(BucketObjectName("1234", "in.c-sales"), "1234/in.c-sales");
  auto parsed = ParseBucketObjectName("1234/in.c-sales", "path");
  EXPECT_EQ(parsed.branch_id, "1234");
  EXPECT_EQ(parsed.bucket, "in.c-sales");
  EXPECT_EQ(BranchOfObjectName("1234/in.c-sales"), "1234");
}

// '_', '.', '-' and spaces in either part never make two pairs share a name (the Snowflake-style
// "<branch>_<bucket>" would: branch "a" + bucket "b_c" and branch "a_b" + bucket "c").
TEST(DriverObjectNames, RoundTripsAreUnambiguous) {
  std::vector<std::pair<std::string, std::string>> pairs = {
      {"a", "b_c"},     {"a_b", "c"},          {"a-b", "c.d"},      {"dev_1", "in.c-x_y"},
      {"x", "a b"},     {"1", "default"},      {"feature-42", "1"}, {kDefaultBranch, "in.c-a_b"},
      {"z", "ünïcødé"}, {"B_-9", "out.c-r-_."}};
  std::set<std::string> names;
  for (const auto& [branch, bucket] : pairs) {
    std::string name = BucketObjectName(branch, bucket);
    EXPECT_TRUE(names.insert(name).second) << name;
    auto parsed = ParseBucketObjectName(name, "path");
    EXPECT_EQ(parsed.branch_id, branch) << name;
    EXPECT_EQ(parsed.bucket, bucket) << name;
  }
}

TEST(DriverObjectNames, MalformedPrefixedNamesAreRejected) {
  for (const char* name : {"/in.c-sales", "dev/", "de v/in.c-x", "dev.1/in.c-x", "a/b/c", "default/in.c-x",
                           "dev/..", "dev/ x"}) {
    EXPECT_DUCKSTORE_ERROR(ParseBucketObjectName(name, "path"), ErrorKind::kInvalidArgument, "invalid_name")
        << name;
  }
}

TEST(DriverObjectNames, PathsNameTheBranchOfTheirBucketElement) {
  EXPECT_EQ(BranchOfPath(std::vector<std::string>{"in.c-sales"}), kDefaultBranch);
  EXPECT_EQ(BranchOfPath(std::vector<std::string>{"7/in.c-sales"}), "7");
  EXPECT_EQ(BranchOfPath(std::vector<std::string>{"7/in.c-sales", "orders"}), "7");
  EXPECT_EQ(BranchOfPath(std::vector<std::string>{"project_1", "7/in.c-sales"}), "7");
  EXPECT_EQ(BranchOfPath(std::vector<std::string>{"project_1"}), kDefaultBranch);
  EXPECT_EQ(BranchOfPath(std::vector<std::string>{}), kDefaultBranch);
}

}  // namespace
}  // namespace duckstore::driver
