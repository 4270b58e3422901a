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

void AddBranchRoutes(http::Router& router, Services& s) {
  router.Add("POST", "/projects/{project_id}/branches", [&s](http::Request& r) {
    const auto& project = r.PathParam("project_id");
    s.auth.Authorize(Authenticate(s, r), Access::kProjectAdmin, project);
    auto body = ParseJsonObject(r);
    auto branch =
        s.dev_branches.Create(project, RequireString(body, "name"),
                              OptionalString(body, "description").value_or(""), OptionalString(body, "id"));
    return Json(201, BranchJson(branch));
  });
  router.Add("GET", "/projects/{project_id}/branches", [&s](http::Request& r) {
    const auto& project = r.PathParam("project_id");
    s.auth.Authorize(Authenticate(s, r), Access::kProjectAdmin, project);
    auto page = ParsePage(r);
    auto branches = s.dev_branches.List(project, page);
    return Json(200, PageJson(page, branches, "branches", BranchJson));
  });
  router.Add("GET", "/projects/{project_id}/branches/{branch_id}", [&s](http::Request& r) {
    auto branch = AuthorizeBranch(s, r, Access::kRead);
    return Json(200, BranchJson(s.dev_branches.Get(branch.project_id, branch.branch_id)));
  });
  router.Add("DELETE", "/projects/{project_id}/branches/{branch_id}", [&s](http::Request& r) {
    auto branch = BranchOf(r);
    s.auth.Authorize(Authenticate(s, r), Access::kProjectAdmin, branch.project_id);
    s.dev_branches.Delete(branch.project_id, branch.branch_id);
    return http::Response::Empty(204);
  });
  router.Add("POST", "/projects/{project_id}/branches/{branch_id}/buckets/{bucket}/tables/{table}/reset",
             [&s](http::Request& r) {
               auto table = TableOf(r);
               s.auth.Authorize(Authenticate(s, r), Access::kWrite, table.branch.project_id,
                                table.branch.branch_id);
               return Json(200, {{"bucket", table.bucket},
                                 {"table", table.table},
                                 {"was_changed", s.dev_branches.ResetTable(table)}});
             });
}

}  // namespace duckstore::rest
