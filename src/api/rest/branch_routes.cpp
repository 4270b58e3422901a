// /projects/{project_id}/branches[/{branch_id}], and resetting one table of a dev branch.
#include "duckstore/api/rest/rest_support.hpp"
#include "duckstore/api/rest/routes.hpp"

namespace duckstore::rest {
namespace {

nlohmann::json BranchJson(const Branch& b) {
  return {{"id", b.id},
          {"project_id", b.project_id},
          {"name", b.name},
          {"description", b.description},
          {"created_at", b.created_at}};
}

}  // namespace

void AddBranchRoutes(RestRoutes& routes, Services& s) {
  routes.Add("POST", "/projects/{project_id}/branches", Access::kProjectAdmin, TargetFrom::kProject,
             [&s](http::Request& r, const Caller& caller) {
               auto body = ParseJsonObject(r);
               auto branch = s.dev_branches.Create(caller.branch.project_id, RequireString(body, "name"),
                                                   OptionalString(body, "description").value_or(""),
                                                   OptionalString(body, "id"));
               return Json(201, BranchJson(branch));
             });
  routes.Add("GET", "/projects/{project_id}/branches", Access::kProjectAdmin, TargetFrom::kProject,
             [&s](http::Request& r, const Caller& caller) {
               auto page = ParsePage(r);
               auto branches = s.dev_branches.List(caller.branch.project_id, page);
               return Json(200, PageJson(page, branches, "branches", BranchJson));
             });
  routes.Add("GET", "/projects/{project_id}/branches/{branch_id}", Access::kRead, TargetFrom::kBranch,
             [&s](http::Request&, const Caller& caller) {
               return Json(200,
                           BranchJson(s.dev_branches.Get(caller.branch.project_id, caller.branch.branch_id)));
             });
  // A project_admin key passes on every branch, so checking the path's branch is the project-level check.
  routes.Add("DELETE", "/projects/{project_id}/branches/{branch_id}", Access::kProjectAdmin,
             TargetFrom::kBranch, [&s](http::Request&, const Caller& caller) {
               s.dev_branches.Delete(caller.branch.project_id, caller.branch.branch_id);
               return http::Response::Empty(204);
             });
  routes.Add("POST", "/projects/{project_id}/branches/{branch_id}/buckets/{bucket}/tables/{table}/reset",
             Access::kWrite, TargetFrom::kBranch, [&s](http::Request& r, const Caller&) {
               auto table = TableOf(r);
               return Json(200, {{"bucket", table.bucket},
                                 {"table", table.table},
                                 {"was_changed", s.dev_branches.ResetTable(table)}});
             });
}

}  // namespace duckstore::rest
