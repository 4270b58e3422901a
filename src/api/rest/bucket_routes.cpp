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

void AddBucketRoutes(http::Router& router, Services& s) {
  const std::string buckets = kBuckets;
  router.Add("POST", buckets, [&s](http::Request& r) {
    auto branch = AuthorizeBranch(s, r, Access::kWrite);
    auto body = ParseJsonObject(r);
    auto bucket = s.buckets.Create(branch, RequireString(body, "name"),
                                   OptionalString(body, "description").value_or(""));
    return Json(201, BucketJson(bucket));
  });
  router.Add("GET", buckets, [&s](http::Request& r) {
    auto branch = AuthorizeBranch(s, r, Access::kRead);
    auto page = ParsePage(r);
    auto list = s.buckets.List(branch, page);
    return Json(200, PageJson(page, list, "buckets", BucketJson));
  });
  router.Add("GET", buckets + "/{bucket}", [&s](http::Request& r) {
    auto branch = AuthorizeBranch(s, r, Access::kRead);
    return Json(200, BucketJson(s.buckets.Get(branch, r.PathParam("bucket"))));
  });
  router.Add("DELETE", buckets + "/{bucket}", [&s](http::Request& r) {
    auto branch = AuthorizeBranch(s, r, Access::kWrite);
    s.buckets.Delete(branch, r.PathParam("bucket"), ParseFlag(r, "cascade"));
    return http::Response::Empty(204);
  });
}

}  // namespace duckstore::rest
