// /projects, /projects/{id}, /projects/{id}/api-keys, /projects/{id}/operations
#include "duckstore/api/rest/rest_support.hpp"
#include "duckstore/api/rest/routes.hpp"

namespace duckstore::rest {
namespace {

nlohmann::json ProjectJson(const Project& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"status", p.status},
          {"settings", p.settings},
          {"created_at", p.created_at},
          {"updated_at", p.updated_at}};
}

nlohmann::json OptionalJson(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json KeyJson(const ApiKey& k) {
  return {{"id", k.id},
          {"project_id", k.project_id},
          {"branch_id", k.scope == KeyScope::kProjectAdmin
                            ? nlohmann::json(nullptr)
                            : nlohmann::json(k.branch_id.value_or(kDefaultBranch))},
          {"scope", ToString(k.scope)},
          {"description", k.description},
          {"created_at", k.created_at},
          {"expires_at", OptionalJson(k.expires_at)},
          {"last_used_at", OptionalJson(k.last_used_at)},
          {"is_revoked", k.revoked_at.has_value()}};
}

nlohmann::json IssuedKeyJson(const AuthService::IssuedKey& issued) {
  nlohmann::json out = KeyJson(issued.key);
  out["api_key"] = issued.token;  // shown once; only its hash is stored
  return out;
}

}  // namespace

void AddProjectRoutes(RestRoutes& routes, Services& s) {
  routes.Add(
      "POST", "/projects", Access::kServerAdmin, TargetFrom::kServer, [&s](http::Request& r, const Caller&) {
        auto body = ParseJsonObject(r);
        auto settings = body.contains("settings") ? body["settings"] : nlohmann::json::object();
        auto created =
            s.projects.Create(RequireString(body, "id"), OptionalString(body, "name").value_or(""), settings);
        nlohmann::json out = ProjectJson(created.project);
        out["api_key"] = created.admin_key.token;
        out["api_key_id"] = created.admin_key.key.id;
        return Json(201, out);
      });
  routes.Add("GET", "/projects", Access::kServerAdmin, TargetFrom::kServer,
             [&s](http::Request& r, const Caller&) {
               auto page = ParsePage(r);
               auto projects = s.projects.List(page);
               return Json(200, PageJson(page, projects, "projects", ProjectJson));
             });
  // Any key of the project may see the project and its stats, whichever branch it is bound to.
  routes.Add("GET", "/projects/{project_id}", Access::kRead, TargetFrom::kProjectAnyBranch,
             [&s](http::Request&, const Caller& caller) {
               return Json(200, ProjectJson(s.projects.Get(caller.branch.project_id)));
             });
  routes.Add("PUT", "/projects/{project_id}", Access::kProjectAdmin, TargetFrom::kProject,
             [&s](http::Request& r, const Caller& caller) {
               auto body = ParseJsonObject(r);
               std::optional<nlohmann::json> settings;
               if (body.contains("settings")) settings = body["settings"];
               return Json(200, ProjectJson(s.projects.Update(caller.branch.project_id,
                                                              OptionalString(body, "name"), settings)));
             });
  routes.Add("DELETE", "/projects/{project_id}", Access::kServerAdmin, TargetFrom::kServer,
             [&s](http::Request& r, const Caller&) {
               s.projects.Delete(r.PathParam("project_id"));
               return http::Response::Empty(204);
             });
  routes.Add("GET", "/projects/{project_id}/stats", Access::kRead, TargetFrom::kProjectAnyBranch,
             [&s](http::Request&, const Caller& caller) {
               const auto& id = caller.branch.project_id;
               auto stats = s.projects.Stats(id);
               return Json(200, {{"id", id},
                                 {"bucket_count", stats.bucket_count},
                                 {"table_count", stats.table_count},
                                 {"row_count", stats.row_count},
                                 {"size_bytes", stats.size_bytes}});
             });
  routes.Add(
      "GET", "/projects/{project_id}/operations", Access::kProjectAdmin, TargetFrom::kProject,
      [&s](http::Request& r, const Caller& caller) {
        auto page = ParsePage(r);
        auto ops = s.operations.List(caller.branch.project_id, page);
        nlohmann::json items = nlohmann::json::array();
        for (const auto& op : ops.items) {
          items.push_back({{"id", op.id},
                           {"at", op.at},
                           {"request_id", op.request_id},
                           {"operation", op.operation},
                           {"resource", op.resource},
                           {"duration_ms", op.duration_ms},
                           {"status", op.status},
                           {"details", op.details.is_object() ? op.details : nlohmann::json::object()}});
        }
        auto out = PageJson(page, ops.total);
        out["operations"] = items;
        return Json(200, out);
      });

  const std::string keys = "/projects/{project_id}/api-keys";
  routes.Add("POST", keys, Access::kProjectAdmin, TargetFrom::kProject,
             [&s](http::Request& r, const Caller& caller) {
               auto body = ParseJsonObject(r);
               auto scope = ParseKeyScope(OptionalString(body, "scope").value_or("project_admin"));
               auto issued = s.projects.CreateKey(
                   caller.branch.project_id, scope, OptionalString(body, "branch_id"),
                   OptionalString(body, "description").value_or(""), OptionalInt(body, "expires_in_days"));
               return Json(201, IssuedKeyJson(issued));
             });
  routes.Add("GET", keys, Access::kProjectAdmin, TargetFrom::kProject,
             [&s](http::Request& r, const Caller& caller) {
               auto page = ParsePage(r);
               auto listed = s.projects.ListKeys(caller.branch.project_id, page);
               return Json(200, PageJson(page, listed, "api_keys", KeyJson));
             });
  routes.Add("GET", keys + "/{key_id}", Access::kProjectAdmin, TargetFrom::kProject,
             [&s](http::Request& r, const Caller& caller) {
               return Json(200, KeyJson(s.projects.GetKey(caller.branch.project_id, r.PathParam("key_id"))));
             });
  routes.Add("DELETE", keys + "/{key_id}", Access::kProjectAdmin, TargetFrom::kProject,
             [&s](http::Request& r, const Caller& caller) {
               s.projects.RevokeKey(caller.branch.project_id, r.PathParam("key_id"));
               return http::Response::Empty(204);
             });
  routes.Add("POST", keys + "/{key_id}/rotate", Access::kProjectAdmin, TargetFrom::kProject,
             [&s](http::Request& r, const Caller& caller) {
               return Json(
                   201, IssuedKeyJson(s.projects.RotateKey(caller.branch.project_id, r.PathParam("key_id"))));
             });
}

}  // namespace duckstore::rest
