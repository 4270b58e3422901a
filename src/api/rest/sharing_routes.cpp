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

// Sharing and read-only grants are project settings: project_admin keys only (a project_admin key passes on
// every branch, so checking the path's branch is the project-level check).
void AddSharingRoutes(RestRoutes& routes, Services& s) {
  const std::string bucket = kBucket;
  routes.Add("POST", bucket + "/share", Access::kProjectAdmin, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto body = ParseJsonObject(r);
               auto share = s.sharing.Share(caller.branch, r.PathParam("bucket"),
                                            OptionalStringList(body, "target_project_ids"));
               return Json(200, ShareJson(share, {}));
             });
  routes.Add("GET", bucket + "/share", Access::kProjectAdmin, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto [share, links] = s.sharing.GetShare(caller.branch, r.PathParam("bucket"));
               return Json(200, ShareJson(share, links));
             });
  routes.Add("DELETE", bucket + "/share", Access::kProjectAdmin, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               s.sharing.Unshare(caller.branch, r.PathParam("bucket"));
               return http::Response::Empty(204);
             });
  routes.Add("POST", bucket + "/link", Access::kProjectAdmin, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto body = ParseJsonObject(r);
               auto linked = s.sharing.Link(caller.branch, r.PathParam("bucket"),
                                            RequireString(body, "source_project_id"),
                                            RequireString(body, "source_bucket"));
               return Json(201, BucketJson(linked));
             });
  routes.Add("DELETE", bucket + "/link", Access::kProjectAdmin, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               s.sharing.Unlink(caller.branch, r.PathParam("bucket"));
               return http::Response::Empty(204);
             });
  routes.Add("PUT", bucket + "/readonly-grant", Access::kProjectAdmin, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               s.sharing.GrantReadOnly(caller.branch, r.PathParam("bucket"));
               return http::Response::Empty(204);
             });
  routes.Add("DELETE", bucket + "/readonly-grant", Access::kProjectAdmin, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               s.sharing.RevokeReadOnly(caller.branch, r.PathParam("bucket"));
               return http::Response::Empty(204);
             });
  routes.Add("GET", "/projects/{project_id}/readonly-grants", Access::kProjectAdmin, TargetFrom::kProject,
             [&s](http::Request&, const Caller& caller) {
               return Json(200, {{"buckets", s.sharing.ReadOnlyBuckets(caller.branch)}});
             });
  // What the branch's read-only role may read: its own grants and, on a dev branch, the project role's
  // grants of the buckets that show through.
  routes.Add("GET", "/projects/{project_id}/branches/{branch_id}/readonly-grants", Access::kProjectAdmin,
             TargetFrom::kBranch, [&s](http::Request&, const Caller& caller) {
               return Json(200, {{"role", ReadOnlyRoleOf(caller.branch)},
                                 {"buckets", s.sharing.ReadableBuckets(caller.branch)}});
             });
}

}  // namespace duckstore::rest
