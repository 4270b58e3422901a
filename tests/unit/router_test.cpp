#include "duckstore/api/http/router.hpp"

#include <gtest/gtest.h>

namespace duckstore::http {
namespace {

// The routes here test matching only; what they declare does not matter to it.
const EntryPoint kDeclared{"test", "route", Credentials::kNone, Access::kRead, TargetFrom::kNone};

Handler Returning(int status) {
  return [status](Request&) { return Response::Empty(status); };
}

// The status the matched handler answers with; 0 when nothing matched.
int Call(const RouteMatch& match) {
  if (!match.handler) return 0;
  Request request;
  return (*match.handler)(request).status;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/projects", kDeclared, Returning(201));
    router_.Add("GET", "/projects/{id}", kDeclared, Returning(202));
    router_.Add("DELETE", "/projects/{id}", kDeclared, Returning(203));
    router_.Add("GET", "/projects/{id}/buckets/{bucket}/tables/{table}", kDeclared, Returning(204));
    router_.Add("POST", "/projects/{id}/files/{path...}", kDeclared, Returning(205),
                RouteOptions{.stream_body = true});
    router_.Add("GET", "/health", kDeclared, Returning(206));
  }

  // Matches a raw (encoded) path; the decoded form is only used for prefixes.
  RouteMatch Match(const std::string& method, const std::string& raw_path,
                   const std::string& path = "") const {
    return router_.Match(method, raw_path, path.empty() ? raw_path : path);
  }

  Router router_;
};

TEST_F(RouterTest, MatchesLiteralRoutes) {
  auto match = Match("GET", "/projects");
  EXPECT_EQ(Call(match), 201);
  EXPECT_TRUE(match.params.empty());
  EXPECT_FALSE(match.path_matched_other_method);
  EXPECT_FALSE(match.options.stream_body);
  EXPECT_EQ(Call(Match("GET", "/health")), 206);
}

TEST_F(RouterTest, CapturesSegments) {
  auto match = Match("GET", "/projects/p1");
  EXPECT_EQ(Call(match), 202);
  EXPECT_EQ(match.params, (std::map<std::string, std::string>{{"id", "p1"}}));

  match = Match("GET", "/projects/p1/buckets/in.c-sales/tables/orders");
  EXPECT_EQ(Call(match), 204);
  EXPECT_EQ(match.params, (std::map<std::string, std::string>{
                              {"id", "p1"}, {"bucket", "in.c-sales"}, {"table", "orders"}}));
}

TEST_F(RouterTest, SelectsRouteByMethod) {
  EXPECT_EQ(Call(Match("GET", "/projects/p1")), 202);
  auto match = Match("DELETE", "/projects/p1");
  EXPECT_EQ(Call(match), 203);
  EXPECT_EQ(match.params.at("id"), "p1");
}

TEST_F(RouterTest, DecodesSegmentsAfterSplitting) {
  auto match = Match("GET", "/projects/p1/buckets/in.c-a%2Fb/tables/t%20x%C5%BE");
  EXPECT_EQ(Call(match), 204);
  EXPECT_EQ(match.params.at("bucket"), "in.c-a/b");  // %2F stays inside its segment
  EXPECT_EQ(match.params.at("table"), "t x\xC5\xBE");

  // A segment that is not valid percent-encoding is kept literally.
  match = Match("GET", "/projects/a%zz");
  EXPECT_EQ(Call(match), 202);
  EXPECT_EQ(match.params.at("id"), "a%zz");

  // An encoded slash does not make a literal segment match across a real one.
  EXPECT_EQ(Call(Match("GET", "/projects%2Fp1")), 0);
}

TEST_F(RouterTest, IgnoresOneTrailingSlash) {
  EXPECT_EQ(Call(Match("GET", "/projects/")), 201);
  auto match = Match("GET", "/projects/p1/");
  EXPECT_EQ(Call(match), 202);
  EXPECT_EQ(match.params.at("id"), "p1");
}

TEST_F(RouterTest, RejectsWrongShapes) {
  EXPECT_EQ(Call(Match("GET", "/")), 0);
  EXPECT_EQ(Call(Match("GET", "/Projects")), 0);  // literals are case-sensitive
  EXPECT_EQ(Call(Match("GET", "/projects/p1/extra")), 0);
  EXPECT_EQ(Call(Match("GET", "/projects/p1/buckets/a/b/tables/t")), 0);
  EXPECT_EQ(Call(Match("GET", "/projects//buckets/b/tables/t")), 0);  // captures are never empty
  EXPECT_EQ(Call(Match("GET", "/projects//")), 0);
  auto match = Match("GET", "/nothing/here");
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_FALSE(match.path_matched_other_method);
}

TEST_F(RouterTest, MethodMismatchIsReportedFor405) {
  auto match = Match("PUT", "/projects/p1");
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_TRUE(match.path_matched_other_method);
  EXPECT_TRUE(match.params.empty());

  match = Match("POST", "/projects");
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_TRUE(match.path_matched_other_method);

  // A mismatch only counts for paths some route matches.
  match = Match("PUT", "/projects/p1/unknown");
  EXPECT_FALSE(match.path_matched_other_method);
}

TEST_F(RouterTest, RestCaptureTakesTheRemainingSegments) {
  auto match = Match("POST", "/projects/p1/files/dir/sub%20dir/file.csv");
  EXPECT_EQ(Call(match), 205);
  EXPECT_TRUE(match.options.stream_body);
  EXPECT_EQ(match.params.at("id"), "p1");
  EXPECT_EQ(match.params.at("path"), "dir/sub dir/file.csv");

  match = Match("POST", "/projects/p1/files/one");
  EXPECT_EQ(Call(match), 205);
  EXPECT_EQ(match.params.at("path"), "one");

  EXPECT_EQ(Call(Match("POST", "/projects/p1/files")), 0);  // the rest must not be empty
  EXPECT_EQ(Call(Match("POST", "/projects/p1/files/")), 0);
  EXPECT_TRUE(Match("GET", "/projects/p1/files/a/b").path_matched_other_method);
}

TEST_F(RouterTest, PrefixRoutesTakeEveryMethodAndWinOverRoutes) {
  router_.Add("GET", "/s3/{bucket}", kDeclared, Returning(207));
  router_.AddPrefix("/s3", kDeclared, Returning(300), RouteOptions{.stream_body = true});

  for (const char* method : {"GET", "PUT", "DELETE", "HEAD", "POST"}) {
    auto match = Match(method, "/s3/bucket/key%2Fwith%20space", "/s3/bucket/key/with space");
    EXPECT_EQ(Call(match), 300) << method;
    EXPECT_TRUE(match.options.stream_body);
    EXPECT_TRUE(match.params.empty());
  }
  EXPECT_EQ(Call(Match("GET", "/s3")), 300);
  EXPECT_EQ(Call(Match("GET", "/s3/")), 300);
  // Only whole segments: "/s3x" is not under "/s3".
  EXPECT_EQ(Call(Match("GET", "/s3x/bucket")), 0);
  // Routes still match outside the prefix.
  EXPECT_EQ(Call(Match("GET", "/projects")), 201);
}

TEST(Router, FirstMatchingRouteWins) {
  Router router;
  router.Add("GET", "/items/special", kDeclared, Returning(200));
  router.Add("GET", "/items/{id}", kDeclared, Returning(201));
  EXPECT_EQ(Call(router.Match("GET", "/items/special", "/items/special")), 200);
  auto match = router.Match("GET", "/items/other", "/items/other");
  EXPECT_EQ(Call(match), 201);
  EXPECT_EQ(match.params.at("id"), "other");
}

}  // namespace
}  // namespace duckstore::http
