// /projects/{project_id}/branches/{branch_id}/buckets[/{bucket}]
#include "duckstore/api/rest/rest_support.hpp"
#include "duckstore/api/rest/routes.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::rest {
namespace {

constexpr const char* kBuckets = "/projects/{project_id}/branches/{branch_id}/buckets";

bool ParseFlag(const http::Request& r, const char* name) {
  const std::string* value = r.QueryParam(name);
  if (!value || *value == "false" || *value == "0") return false;
  if (*value == "true" || *value == "1") return true;
  throw InvalidArgument("invalid_parameter", std::string(name) + " must be true or false",
                        {{"parameter", name}});
}

}  // namespace

void AddBucketRoutes(RestRoutes& routes, Services& s) {
  const std::string buckets = kBuckets;
  routes.Add("POST", buckets, Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto body = ParseJsonObject(r);
               auto bucket = s.buckets.Create(caller.branch, RequireString(body, "name"),
                                              OptionalString(body, "description").value_or(""));
               return Json(201, BucketJson(bucket));
             });
  routes.Add("GET", buckets, Access::kRead, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto page = ParsePage(r);
               auto list = s.buckets.List(caller.branch, page);
               return Json(200, PageJson(page, list, "buckets", BucketJson));
             });
  routes.Add("GET", buckets + "/{bucket}", Access::kRead, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               return Json(200, BucketJson(s.buckets.Get(caller.branch, r.PathParam("bucket"))));
             });
  routes.Add("DELETE", buckets + "/{bucket}", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               s.buckets.Delete(caller.branch, r.PathParam("bucket"), ParseFlag(r, "cascade"));
               return http::Response::Empty(204);
             });
}

}  // namespace duckstore::rest
