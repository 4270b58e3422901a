// /projects, /projects/{id}, /projects/{id}/api-keys, /projects/{id}/operations, /whoami
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

void AddProjectRoutes(http::Router& router, Services& s) {
  router.Add("POST", "/projects", [&s](http::Request& r) {
    s.auth.Authorize(Authenticate(s, r), Access::kServerAdmin);
    auto body = ParseJsonObject(r);
    auto settings = body.contains("settings") ? body["settings"] : nlohmann::json::object();
    auto created =
        s.projects.Create(RequireString(body, "id"), OptionalString(body, "name").value_or(""), settings);
    nlohmann::json out = ProjectJson(created.project);
    out["api_key"] = created.admin_key.token;
    out["api_key_id"] = created.admin_key.key.id;
    return Json(201, out);
  });
  router.Add("GET", "/projects", [&s](http::Request& r) {
    s.auth.Authorize(Authenticate(s, r), Access::kServerAdmin);
    auto page = ParsePage(r);
    auto projects = s.projects.List(page);
    return Json(200, PageJson(page, projects, "projects", ProjectJson));
  });
  router.Add("GET", "/projects/{project_id}", [&s](http::Request& r) {
    const auto& id = r.PathParam("project_id");
    auto principal = Authenticate(s, r);
    if (!principal.admin)
      s.auth.Authorize(principal, Access::kRead, id, principal.key->branch_id.value_or(kDefaultBranch));
    return Json(200, ProjectJson(s.projects.Get(id)));
  });
  router.Add("PUT", "/projects/{project_id}", [&s](http::Request& r) {
    const auto& id = r.PathParam("project_id");
    s.auth.Authorize(Authenticate(s, r), Access::kProjectAdmin, id);
    auto body = ParseJsonObject(r);
    std::optional<nlohmann::json> settings;
    if (body.contains("settings")) settings = body["settings"];
    return Json(200, ProjectJson(s.projects.Update(id, OptionalString(body, "name"), settings)));
  });
  router.Add("DELETE", "/projects/{project_id}", [&s](http::Request& r) {
    s.auth.Authorize(Authenticate(s, r), Access::kServerAdmin);
    s.projects.Delete(r.PathParam("project_id"));
    return http::Response::Empty(204);
  });
  router.Add("GET", "/projects/{project_id}/stats", [&s](http::Request& r) {
    const auto& id = r.PathParam("project_id");
    auto principal = Authenticate(s, r);
    if (!principal.admin)
      s.auth.Authorize(principal, Access::kRead, id, principal.key->branch_id.value_or(kDefaultBranch));
    auto stats = s.projects.Stats(id);
    return Json(200, {{"id", id},
                      {"bucket_count", stats.bucket_count},
                      {"table_count", stats.table_count},
                      {"row_count", stats.row_count},
                      {"size_bytes", stats.size_bytes}});
  });
  router.Add("GET", "/projects/{project_id}/operations", [&s](http::Request& r) {
    const auto& id = r.PathParam("project_id");
    s.auth.Authorize(Authenticate(s, r), Access::kProjectAdmin, id);
    auto page = ParsePage(r);
    auto ops = s.operations.List(id, page);
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

  // The caller's identity, so a client (the dashboard) can show what its key may do.
  router.Add("GET", "/whoami", [&s](http::Request& r) {
    auto principal = Authenticate(s, r);
    nlohmann::json out = {{"admin", principal.admin}};
    if (principal.key) out["key"] = KeyJson(*principal.key);
    return Json(200, out);
  });
  router.Add("POST", "/projects/{project_id}/api-keys", [&s](http::Request& r) {
    const auto& id = r.PathParam("project_id");
    s.auth.Authorize(Authenticate(s, r), Access::kProjectAdmin, id);
    auto body = ParseJsonObject(r);
    auto scope = ParseKeyScope(OptionalString(body, "scope").value_or("project_admin"));
    auto issued = s.projects.CreateKey(id, scope, OptionalString(body, "branch_id"),
                                       OptionalString(body, "description").value_or(""),
                                       OptionalInt(body, "expires_in_days"));
    return Json(201, IssuedKeyJson(issued));
  });
  router.Add("GET", "/projects/{project_id}/api-keys", [&s](http::Request& r) {
    const auto& id = r.PathParam("project_id");
    s.auth.Authorize(Authenticate(s, r), Access::kProjectAdmin, id);
    auto page = ParsePage(r);
    auto keys = s.projects.ListKeys(id, page);
    return Json(200, PageJson(page, keys, "api_keys", KeyJson));
  });
  router.Add("GET", "/projects/{project_id}/api-keys/{key_id}", [&s](http::Request& r) {
    const auto& id = r.PathParam("project_id");
    s.auth.Authorize(Authenticate(s, r), Access::kProjectAdmin, id);
    return Json(200, KeyJson(s.projects.GetKey(id, r.PathParam("key_id"))));
  });
  router.Add("DELETE", "/projects/{project_id}/api-keys/{key_id}", [&s](http::Request& r) {
    const auto& id = r.PathParam("project_id");
    s.auth.Authorize(Authenticate(s, r), Access::kProjectAdmin, id);
    s.projects.RevokeKey(id, r.PathParam("key_id"));
    return http::Response::Empty(204);
  });
  router.Add("POST", "/projects/{project_id}/api-keys/{key_id}/rotate", [&s](http::Request& r) {
    const auto& id = r.PathParam("project_id");
    s.auth.Authorize(Authenticate(s, r), Access::kProjectAdmin, id);
    return Json(201, IssuedKeyJson(s.projects.RotateKey(id, r.PathParam("key_id"))));
  });
}

}  // namespace duckstore::rest
