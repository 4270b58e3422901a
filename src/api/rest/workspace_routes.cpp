// /projects/{project_id}/branches/{branch_id}/workspaces[/{workspace_id}[/clear|load|objects|users|sessions]]
#include <charconv>

#include "duckstore/api/rest/rest_support.hpp"
#include "duckstore/api/rest/routes.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::rest {
namespace {

constexpr const char* kWorkspaces = "/projects/{project_id}/branches/{branch_id}/workspaces";

nlohmann::json WorkspaceJson(const Workspace& w) {
  return {{"id", w.id},
          {"project_id", w.project_id},
          {"branch_id", w.branch_id},
          {"object_name", w.id},
          {"created_at", w.created_at}};
}

nlohmann::json CredentialsJson(const WorkspaceCredentials& c) {
  return {{"user", c.user}, {"password", c.password}};
}

// The user of the path, which must belong to the workspace.
std::string UserOf(Services& s, const http::Request& r, const Workspace& ws) {
  const auto& user = r.PathParam("user");
  for (const auto& u : s.workspaces.ListUsers(ws.project_id, ws.id)) {
    if (u.name == user) return user;
  }
  throw NotFound("workspace_user_not_found", "workspace '" + ws.id + "' has no user '" + user + "'");
}

// The workspace of the path, which must belong to the path's branch.
Workspace WorkspaceOf(Services& s, const http::Request& r) {
  auto branch = BranchOf(r);
  auto workspace = s.workspaces.Get(branch.project_id, r.PathParam("workspace_id"));
  if (workspace.branch_id != branch.branch_id) {
    throw NotFound("workspace_not_found", "workspace '" + workspace.id + "' does not exist on this branch");
  }
  return workspace;
}

nlohmann::json SessionJson(const SqlSessionInfo& i) {
  return {{"pid", i.pid},
          {"user", i.user},
          {"client_address", i.client_address},
          {"started_at", i.started_at},
          {"state", i.state},
          {"query", i.query},
          {"query_started_at", i.query_started_at ? nlohmann::json(*i.query_started_at) : nlohmann::json()}};
}

// The session of the path: a process id, else no session of this workspace has it.
int32_t PidOf(const http::Request& r, const Workspace& ws) {
  const auto& text = r.PathParam("pid");
  int32_t pid = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
  if (ec != std::errc() || end != text.data() + text.size())
    throw NotFound("session_not_found", "workspace '" + ws.id + "' has no session " + text);
  return pid;
}

WorkspaceLoadMode ParseMode(const std::string& mode) {
  if (mode == "copy") return WorkspaceLoadMode::kCopy;
  if (mode == "append") return WorkspaceLoadMode::kAppend;
  if (mode == "view") return WorkspaceLoadMode::kView;
  throw InvalidArgument("invalid_field", "mode must be copy, append or view");
}

WorkspaceLoad ParseLoad(const http::Request& r, const nlohmann::json& body) {
  WorkspaceLoad load;
  auto source = body.find("source");
  if (source == body.end() || !source->is_object())
    throw InvalidArgument("invalid_field", "field 'source' must be an object {bucket, table}");
  load.source = TableRef{BranchOf(r), RequireString(*source, "bucket"), RequireString(*source, "table")};
  load.destination = OptionalString(body, "destination").value_or(load.source.table);
  if (auto columns = body.find("columns"); columns != body.end() && !columns->is_null()) {
    if (!columns->is_array()) throw InvalidArgument("invalid_field", "field 'columns' must be an array");
    for (const auto& column : *columns) {
      if (column.is_string()) {
        load.columns.emplace_back(column.get<std::string>(), column.get<std::string>());
      } else if (column.is_object()) {
        auto from = RequireString(column, "source");
        load.columns.emplace_back(from, OptionalString(column, "destination").value_or(from));
      } else {
        throw InvalidArgument("invalid_field", "each column is a name or {source, destination}");
      }
    }
  }
  load.filters = ParseFilters(body);
  load.limit = OptionalInt(body, "limit");
  load.mode = ParseMode(OptionalString(body, "mode").value_or("copy"));
  return load;
}

}  // namespace

void AddWorkspaceRoutes(RestRoutes& routes, Services& s) {
  const std::string workspaces = kWorkspaces;
  const std::string workspace = workspaces + "/{workspace_id}";
  routes.Add("POST", workspaces, Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto body = ParseJsonObject(r);
               auto created = s.workspaces.Create(caller.branch, OptionalString(body, "id"));
               auto out = WorkspaceJson(created.workspace);
               out["credentials"] = CredentialsJson(created.credentials);
               return Json(201, out);
             });
  routes.Add(
      "GET", workspaces, Access::kRead, TargetFrom::kBranch, [&s](http::Request& r, const Caller& caller) {
        const auto& branch = caller.branch;
        if (branch.branch_id == kDefaultBranch) {
          s.projects.Get(branch.project_id);
        } else {
          s.dev_branches.Get(branch.project_id, branch.branch_id);
        }
        auto page = ParsePage(r);
        auto all = s.workspaces.List(branch.project_id, branch.branch_id);
        nlohmann::json items = nlohmann::json::array();
        for (auto i = page.offset; i < static_cast<int64_t>(all.size()) && i < page.offset + page.limit; ++i)
          items.push_back(WorkspaceJson(all[i]));
        auto out = PageJson(page, static_cast<int64_t>(all.size()));
        out["workspaces"] = items;
        return Json(200, out);
      });
  routes.Add("GET", workspace, Access::kRead, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto ws = WorkspaceOf(s, r);
               auto out = WorkspaceJson(ws);
               nlohmann::json users = nlohmann::json::array();
               for (const auto& u : s.workspaces.ListUsers(ws.project_id, ws.id))
                 users.push_back({{"user", u.name}, {"created_at", u.created_at}});
               nlohmann::json objects = nlohmann::json::array();
               for (const auto& o : s.workspaces.ListObjects(ws.project_id, ws.id))
                 objects.push_back({{"name", o.name}, {"type", o.type}});
               out["users"] = users;
               out["objects"] = objects;
               return Json(200, out);
             });
  routes.Add("DELETE", workspace, Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto ws = WorkspaceOf(s, r);
               s.workspaces.Drop(ws.project_id, ws.id);
               return http::Response::Empty(204);
             });
  routes.Add("POST", workspace + "/clear", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto ws = WorkspaceOf(s, r);
               s.workspaces.Clear(ws.project_id, ws.id, OptionalStringList(ParseJsonObject(r), "preserve"));
               return http::Response::Empty(204);
             });
  routes.Add("DELETE", workspace + "/objects/{object}", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto ws = WorkspaceOf(s, r);
               s.workspaces.DropObject(ws.project_id, ws.id, r.PathParam("object"), /*ignore_missing=*/false);
               return http::Response::Empty(204);
             });
  routes.Add("POST", workspace + "/load", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto ws = WorkspaceOf(s, r);
               auto result = s.workspaces.Load(ws.project_id, ws.id, ParseLoad(r, ParseJsonObject(r)));
               return Json(
                   200,
                   {{"destination", result.destination}, {"rows", result.rows}, {"columns", result.columns}});
             });
  routes.Add("POST", workspace + "/users", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto ws = WorkspaceOf(s, r);
               return Json(201, CredentialsJson(s.workspaces.CreateUser(ws.project_id, ws.id)));
             });
  routes.Add("DELETE", workspace + "/users/{user}", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto ws = WorkspaceOf(s, r);
               s.workspaces.DropUser(ws.project_id, UserOf(s, r, ws));
               return http::Response::Empty(204);
             });
  routes.Add("GET", workspace + "/sessions", Access::kRead, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto ws = WorkspaceOf(s, r);
               nlohmann::json items = nlohmann::json::array();
               for (const auto& session : s.workspaces.ListSessions(ws.project_id, ws.id))
                 items.push_back(SessionJson(session));
               return Json(200, {{"sessions", items}});
             });
  routes.Add("DELETE", workspace + "/sessions/{pid}", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto ws = WorkspaceOf(s, r);
               s.workspaces.TerminateSession(ws.project_id, ws.id, PidOf(r, ws));
               return http::Response::Empty(204);
             });
  routes.Add("POST", workspace + "/users/{user}/reset-password", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto ws = WorkspaceOf(s, r);
               return Json(200, CredentialsJson(s.workspaces.ResetPassword(ws.project_id, UserOf(s, r, ws))));
             });
}

}  // namespace duckstore::rest
