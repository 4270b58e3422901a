// Client subcommands for projects, API keys, dev branches, workspaces and jobs.
#include <iostream>

#include "duckstore/cli/commands.hpp"

namespace duckstore::cli {
namespace {

void AddProjects(CLI::App& app, ClientOptions& o) {
  auto* projects = app.add_subcommand("projects", "projects (the admin key lists, creates and deletes them)");
  projects->require_subcommand(1);
  projects->add_subcommand("list", "list projects")->callback([&o] {
    o.Print(ListAll(o.Client(), "/projects", "projects"), {"id", "name", "status", "created_at"});
  });
  auto* create =
      projects->add_subcommand("create", "create a project; prints its first project_admin key once");
  auto id = Value(*create, "id", "project id");
  auto name = Value(*create, "--name", "display name", false);
  create->callback([&o, id, name] {
    o.Print(o.Client().Call("POST", "/projects", {{"id", *id}, {"name", *name}}),
            {"id", "name", "api_key_id", "api_key"});
  });
  auto* show = projects->add_subcommand("show", "a project and its statistics");
  auto show_id = Value(*show, "id", "project id");
  show->callback([&o, show_id] {
    auto client = o.Client();
    auto project = client.Call("GET", "/projects/" + Segment(*show_id));
    auto stats = client.Call("GET", "/projects/" + Segment(*show_id) + "/stats");
    for (const auto& [field, value] : stats.items()) {
      if (!project.contains(field)) project[field] = value;
    }
    o.Print(project);
  });
  auto* remove = projects->add_subcommand("delete", "delete a project with all its data");
  auto remove_id = Value(*remove, "id", "project id");
  remove->callback([&o, remove_id] {
    o.Client().Call("DELETE", "/projects/" + Segment(*remove_id));
    std::cerr << "deleted project " << *remove_id << "\n";
  });
}

void AddKeys(CLI::App& app, ClientOptions& o) {
  auto* keys = app.add_subcommand("keys", "API keys of the project (--project)");
  keys->require_subcommand(1);
  keys->add_subcommand("list", "active keys (never their secrets)")->callback([&o] {
    o.Print(ListAll(o.Client(), o.ProjectPath() + "/api-keys", "api_keys"),
            {"id", "scope", "branch_id", "description", "created_at", "expires_at", "last_used_at"});
  });
  auto* create = keys->add_subcommand("create", "issue a key; prints its secret once");
  auto scope = Value(*create, "--scope", "project_admin (default), branch_admin or branch_read", false);
  auto description = Value(*create, "--description", "what the key is for", false);
  auto branch = Value(*create, "--key-branch", "the branch of a branch_* key", false);
  create->callback([&o, scope, description, branch] {
    nlohmann::json body = {{"scope", scope->empty() ? "project_admin" : *scope},
                           {"description", *description}};
    if (!branch->empty()) body["branch_id"] = *branch;
    o.Print(o.Client().Call("POST", o.ProjectPath() + "/api-keys", body),
            {"id", "scope", "branch_id", "api_key"});
  });
  auto* revoke = keys->add_subcommand("revoke", "revoke a key");
  auto key_id = Value(*revoke, "key_id", "key id");
  revoke->callback([&o, key_id] {
    o.Client().Call("DELETE", o.ProjectPath() + "/api-keys/" + Segment(*key_id));
    std::cerr << "revoked key " << *key_id << "\n";
  });
}

void AddBranches(CLI::App& app, ClientOptions& o) {
  auto* branches = app.add_subcommand("branches", "dev branches of the project (copy-on-write)");
  branches->require_subcommand(1);
  branches->add_subcommand("list", "list dev branches")->callback([&o] {
    o.Print(ListAll(o.Client(), o.ProjectPath() + "/branches", "branches"),
            {"id", "name", "description", "created_at"});
  });
  auto* create = branches->add_subcommand("create", "create a dev branch");
  auto name = Value(*create, "name", "branch name");
  auto description = Value(*create, "--description", "description", false);
  create->callback([&o, name, description] {
    o.Print(o.Client().Call("POST", o.ProjectPath() + "/branches",
                            {{"name", *name}, {"description", *description}}),
            {"id", "name", "created_at"});
  });
  auto* remove = branches->add_subcommand("delete", "delete a dev branch");
  auto id = Value(*remove, "id", "branch id");
  remove->callback([&o, id] {
    o.Client().Call("DELETE", o.ProjectPath() + "/branches/" + Segment(*id));
    std::cerr << "deleted branch " << *id << "\n";
  });
}

void AddWorkspaces(CLI::App& app, ClientOptions& o) {
  auto* workspaces = app.add_subcommand("workspaces", "workspaces of the branch (SQL sandboxes)");
  workspaces->require_subcommand(1);
  workspaces->add_subcommand("list", "list workspaces")->callback([&o] {
    o.Print(ListAll(o.Client(), o.BranchPath() + "/workspaces", "workspaces"),
            {"id", "branch_id", "created_at"});
  });
  auto* create = workspaces->add_subcommand(
      "create", "create a workspace; prints its user, password (once) and a psql connection string");
  auto host = Value(*create, "--sql-host", "host of the server's SQL (PostgreSQL wire) door", false);
  auto port = Value(*create, "--sql-port", "port of the SQL door (default 5432)", false);
  create->callback([&o, host, port] {
    auto client = o.Client();
    auto created = client.Call("POST", o.BranchPath() + "/workspaces", nlohmann::json::object());
    const auto& workspace = created;
    const auto& credentials = created["credentials"];
    std::string user = credentials.value("user", "");
    std::string sql_host = host->empty() ? "127.0.0.1" : *host;
    // The password is not part of the string: psql asks for it (or reads PGPASSWORD).
    std::string connection = "postgresql://" + Segment(user) + "@" + sql_host + ":" +
                             (port->empty() ? "5432" : *port) + "/" + Segment(o.Project());
    o.Print({{"id", workspace.value("id", "")},
             {"user", user},
             {"password", credentials.value("password", "")},
             {"psql", "psql \"" + connection + "\""}});
  });
  auto* remove = workspaces->add_subcommand("delete", "delete a workspace");
  auto id = Value(*remove, "id", "workspace id");
  remove->callback([&o, id] {
    o.Client().Call("DELETE", o.BranchPath() + "/workspaces/" + Segment(*id));
    std::cerr << "deleted workspace " << *id << "\n";
  });
}

void AddJobs(CLI::App& app, ClientOptions& o) {
  auto* jobs = app.add_subcommand("jobs", "asynchronous jobs of the project (imports, exports)");
  jobs->require_subcommand(1);
  std::vector<std::string> columns{"id", "kind", "target", "status", "created_at", "finished_at"};
  jobs->add_subcommand("list", "recent jobs")->callback([&o, columns] {
    o.Print(ListAll(o.Client(), o.ProjectPath() + "/jobs", "jobs"), columns);
  });
  auto* show = jobs->add_subcommand("show", "one job with its progress, result or error");
  auto id = Value(*show, "id", "job id");
  show->callback([&o, id] { o.Print(o.Client().Call("GET", o.ProjectPath() + "/jobs/" + Segment(*id))); });
  auto* wait = jobs->add_subcommand("wait", "follow a job to its end; exit 1 when it fails");
  auto wait_id = Value(*wait, "id", "job id");
  wait->callback([&o, wait_id, columns] { o.Print(FollowJob(o, o.Client(), *wait_id), columns); });
  auto* cancel = jobs->add_subcommand("cancel", "ask a job to stop");
  auto cancel_id = Value(*cancel, "id", "job id");
  cancel->callback([&o, cancel_id, columns] {
    o.Print(o.Client().Call("DELETE", o.ProjectPath() + "/jobs/" + Segment(*cancel_id)), columns);
  });
}

}  // namespace

void AddProjectCommands(CLI::App& app, ClientOptions& options) {
  AddProjects(app, options);
  AddKeys(app, options);
  AddBranches(app, options);
  AddWorkspaces(app, options);
  AddJobs(app, options);
}

}  // namespace duckstore::cli
