// /projects/{project_id}/branches/{branch_id}/buckets/{bucket}/{share,link,readonly-grant} and the
// read-only grants of a project and of a branch.
#include "duckstore/api/rest/rest_support.hpp"
#include "duckstore/api/rest/routes.hpp"

namespace duckstore::rest {
namespace {

constexpr const char* kBucket = "/projects/{project_id}/branches/{branch_id}/buckets/{bucket}";

nlohmann::json ShareJson(const BucketShare& share, const std::vector<BucketLink>& links) {
  nlohmann::json linked = nlohmann::json::array();
  for (const auto& link : links) {
    linked.push_back(
        {{"project_id", link.project_id}, {"bucket", link.bucket}, {"created_at", link.created_at}});
  }
  return {{"project_id", share.project_id},
          {"bucket", share.bucket},
          {"target_project_ids", share.target_project_ids},
          {"created_at", share.created_at},
          {"links", linked}};
}

}  // namespace

void AddSharingRoutes(http::Router& router, Services& s) {
  const std::string bucket = kBucket;
  auto admin = [&s](const http::Request& r) {
    s.auth.Authorize(Authenticate(s, r), Access::kProjectAdmin, r.PathParam("project_id"));
  };
  router.Add("POST", bucket + "/share", [&s, admin](http::Request& r) {
    admin(r);
    auto body = ParseJsonObject(r);
    auto share =
        s.sharing.Share(BranchOf(r), r.PathParam("bucket"), OptionalStringList(body, "target_project_ids"));
    return Json(200, ShareJson(share, {}));
  });
  router.Add("GET", bucket + "/share", [&s, admin](http::Request& r) {
    admin(r);
    auto [share, links] = s.sharing.GetShare(BranchOf(r), r.PathParam("bucket"));
    return Json(200, ShareJson(share, links));
  });
  router.Add("DELETE", bucket + "/share", [&s, admin](http::Request& r) {
    admin(r);
    s.sharing.Unshare(BranchOf(r), r.PathParam("bucket"));
    return http::Response::Empty(204);
  });
  router.Add("POST", bucket + "/link", [&s, admin](http::Request& r) {
    admin(r);
    auto body = ParseJsonObject(r);
    auto linked = s.sharing.Link(BranchOf(r), r.PathParam("bucket"), RequireString(body, "source_project_id"),
                                 RequireString(body, "source_bucket"));
    return Json(201, BucketJson(linked));
  });
  router.Add("DELETE", bucket + "/link", [&s, admin](http::Request& r) {
    admin(r);
    s.sharing.Unlink(BranchOf(r), r.PathParam("bucket"));
    return http::Response::Empty(204);
  });
  router.Add("PUT", bucket + "/readonly-grant", [&s, admin](http::Request& r) {
    admin(r);
    s.sharing.GrantReadOnly(BranchOf(r), r.PathParam("bucket"));
    return http::Response::Empty(204);
  });
  router.Add("DELETE", bucket + "/readonly-grant", [&s, admin](http::Request& r) {
    admin(r);
    s.sharing.RevokeReadOnly(BranchOf(r), r.PathParam("bucket"));
    return http::Response::Empty(204);
  });
  router.Add("GET", "/projects/{project_id}/readonly-grants", [&s, admin](http::Request& r) {
    admin(r);
    return Json(
        200, {{"buckets", s.sharing.ReadOnlyBuckets(BranchRef{r.PathParam("project_id"), kDefaultBranch})}});
  });
  // What the branch's read-only role may read: its own grants and, on a dev branch, the project role's
  // grants of the buckets that show through.
  router.Add(
      "GET", "/projects/{project_id}/branches/{branch_id}/readonly-grants", [&s, admin](http::Request& r) {
        admin(r);
        BranchRef branch = BranchOf(r);
        return Json(200, {{"role", ReadOnlyRoleOf(branch)}, {"buckets", s.sharing.ReadableBuckets(branch)}});
      });
}

}  // namespace duckstore::rest
