#include "duckstore/services/workspaces/workspaces.hpp"

#include <set>

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/common/random.hpp"
#include "duckstore/services/auth/password.hpp"
#include "duckstore/services/model/sql_builder.hpp"
#include "duckstore/storage/engine/project_metadata.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {
namespace {

using duckdb::StringUtil;

// A connection whose default database is the workspace's, with the project database held open.
struct WorkspaceSession {
  std::unique_ptr<BranchView> view;
  std::string alias;
  std::unique_ptr<duckdb::Connection> conn;
};

WorkspaceSession OpenSession(BranchResolver& branches, const Workspace& workspace) {
  WorkspaceSession session;
  session.view = branches.View(BranchRef{workspace.project_id, workspace.branch_id});
  session.alias = session.view->db().Attach(AttachedKind::kWorkspace, workspace.id, /*create=*/true);
  session.conn = session.view->db().Connect();
  RunDdl(*session.conn, "USE " + QuoteIdent(session.alias));
  return session;
}

std::vector<WorkspaceObject> ObjectsOf(WorkspaceSession& session) {
  auto result = RunSql(*session.conn,
                       "SELECT table_name, 'table' FROM duckdb_tables() WHERE database_name = $1 AND "
                       "schema_name = 'main' UNION ALL SELECT view_name, 'view' FROM duckdb_views() WHERE "
                       "database_name = $1 AND schema_name = 'main' AND NOT internal ORDER BY 1",
                       {duckdb::Value(session.alias)});
  std::vector<WorkspaceObject> out;
  out.reserve(result->RowCount());
  for (size_t row = 0; row < result->RowCount(); ++row)
    out.push_back({result->GetValue(0, row).ToString(), result->GetValue(1, row).ToString()});
  return out;
}

void DropObjectSql(duckdb::Connection& conn, const WorkspaceObject& object) {
  RunDdl(conn, std::string(object.type == "view" ? "DROP VIEW " : "DROP TABLE ") + "main." +
                   QuoteIdent(object.name));
}

}  // namespace

WorkspaceService::Created WorkspaceService::Create(const BranchRef& branch,
                                                   const std::optional<std::string>& id) {
  std::string workspace_id = id.value_or(RandomHex(8));
  ValidateId(workspace_id, "workspace id");
  return ops_.Run(branch.project_id, "workspace.create", workspace_id, [&] {
    auto view = branches_.View(branch);  // the project and branch exist
    auto& catalog = branches_.catalog();
    if (catalog.GetWorkspace(branch.project_id, workspace_id)) {
      throw Conflict("workspace_exists", "workspace '" + workspace_id + "' already exists");
    }
    Created created;
    created.workspace = Workspace{workspace_id, branch.project_id, branch.branch_id, NowTimestamp()};
    view->db().Attach(AttachedKind::kWorkspace, workspace_id, /*create=*/true);
    try {
      catalog.InTransaction([&] {
        catalog.CreateWorkspace(created.workspace);
        created.credentials = NewUser(created.workspace);
      });
    } catch (...) {
      view->db().DropAttached(AttachedKind::kWorkspace, workspace_id);
      throw;
    }
    return created;
  });
}

std::vector<Workspace> WorkspaceService::List(const std::string& project_id,
                                              const std::optional<std::string>& branch_id) {
  std::vector<Workspace> out;
  for (auto& workspace : branches_.catalog().ListWorkspaces(project_id)) {
    if (!branch_id || workspace.branch_id == *branch_id) out.push_back(std::move(workspace));
  }
  return out;
}

Workspace WorkspaceService::Get(const std::string& project_id, const std::string& id) {
  auto workspace = branches_.catalog().GetWorkspace(project_id, id);
  if (!workspace) throw NotFound("workspace_not_found", "workspace '" + id + "' does not exist");
  return *workspace;
}

void WorkspaceService::Drop(const std::string& project_id, const std::string& id) {
  ops_.Run(project_id, "workspace.drop", id, [&] {
    Workspace workspace = Get(project_id, id);
    branches_.catalog().DeleteWorkspace(project_id, id);  // first: its users stop authenticating
    sessions_.TerminateAll({project_id, id, {}});         // then its sessions let go of its file
    branches_.engine().Open(project_id)->DropAttached(AttachedKind::kWorkspace, workspace.id);
  });
}

std::vector<WorkspaceObject> WorkspaceService::ListObjects(const std::string& project_id,
                                                           const std::string& id) {
  auto session = OpenSession(branches_, Get(project_id, id));
  return ObjectsOf(session);
}

void WorkspaceService::Clear(const std::string& project_id, const std::string& id,
                             const std::vector<std::string>& preserve) {
  ops_.Run(project_id, "workspace.clear", id, [&] {
    auto session = OpenSession(branches_, Get(project_id, id));
    std::set<std::string> keep;
    for (const auto& name : preserve) keep.insert(StringUtil::Lower(name));
    InSqlTransaction(*session.conn, [&] {
      for (const auto& object : ObjectsOf(session)) {
        if (!keep.contains(StringUtil::Lower(object.name))) DropObjectSql(*session.conn, object);
      }
    });
  });
}

void WorkspaceService::DropObject(const std::string& project_id, const std::string& id,
                                  const std::string& name, bool ignore_missing) {
  ops_.Run(project_id, "workspace.drop_object", id + "." + name, [&] {
    auto session = OpenSession(branches_, Get(project_id, id));
    for (const auto& object : ObjectsOf(session)) {
      if (StringUtil::CIEquals(object.name, name)) {
        DropObjectSql(*session.conn, object);
        return;
      }
    }
    if (!ignore_missing)
      throw NotFound("object_not_found", "workspace '" + id + "' has no object '" + name + "'");
  });
}

WorkspaceLoadResult WorkspaceService::Load(const std::string& project_id, const std::string& id,
                                           const WorkspaceLoad& load) {
  ValidateObjectName(load.destination, "destination table name");
  ValidateObjectName(load.source.bucket, "bucket name");
  ValidateObjectName(load.source.table, "table name");
  if (load.limit && *load.limit < 0) throw InvalidArgument("invalid_limit", "limit must not be negative");
  if (load.mode == WorkspaceLoadMode::kView && (!load.filters.empty() || load.limit)) {
    throw InvalidArgument("invalid_request", "a view load takes no filters or limit");
  }
  return ops_.Run(project_id, "workspace.load", id + "." + load.destination, [&] {
    auto session = OpenSession(branches_, Get(project_id, id));
    auto& view = *session.view;
    auto bucket = view.RequireBucket(load.source.bucket);
    auto table = view.FindTable(bucket, load.source.table);
    auto missing = NotFound("table_not_found", "table '" + load.source.table +
                                                   "' does not exist in bucket '" + load.source.bucket + "'");
    if (!table) throw missing;
    auto& source = view.Conn(table->source, &bucket);
    std::string schema = BranchView::PhysicalBucket(bucket, table->source);
    auto info = LoadTable(source, schema, table->name, TableDetail::kDefinition);
    if (!info) throw missing;

    std::string select;
    WorkspaceLoadResult result;
    result.destination = load.destination;
    auto add = [&](const std::string& from, const std::string& to) {
      const ColumnInfo* column = info->FindColumn(from);
      if (!column)
        throw InvalidArgument("column_not_found", "column '" + from + "' does not exist", {{"column", from}});
      ValidateObjectName(to, "column name");
      select += (select.empty() ? "" : ", ") + QuoteIdent(column->name) + " AS " + QuoteIdent(to);
      result.columns.push_back(to);
    };
    if (load.columns.empty()) {
      for (const auto& column : info->columns) add(column.name, column.name);
    } else {
      for (const auto& [from, to] : load.columns) add(from, to);
    }
    SqlParams params;
    std::string where = BuildWhere(load.filters, *info, params);
    std::string limit = load.limit ? " LIMIT " + std::to_string(*load.limit) : "";
    auto lock = view.db().LockTable(session.alias, "main", load.destination);
    auto& target = *session.conn;
    std::string destination = "main." + QuoteIdent(load.destination);
    bool exists = false;
    for (const auto& object : ObjectsOf(session)) {
      if (StringUtil::CIEquals(object.name, load.destination)) exists = true;
    }
    auto count = [&] {
      return RunSql(target, "SELECT count(*) FROM " + destination)->GetValue(0, 0).GetValue<int64_t>();
    };

    if (table->source == TableSource::kLinked) {
      // The source lives in another project's instance: its rows are streamed across, never attached.
      if (load.mode == WorkspaceLoadMode::kView) {
        throw InvalidArgument("invalid_request", "a linked bucket's table cannot be loaded as a view");
      }
      std::string query = "SELECT " + select + " FROM " + QualifiedName(schema, table->name) + where + limit;
      result.loaded_rows = StreamRows(source, query, params, target, session.alias, "main", load.destination,
                                      load.mode == WorkspaceLoadMode::kCopy);
    } else {
      std::string catalog = table->source == TableSource::kOwn ? view.own_catalog() : kProjectCatalog;
      std::string from = QuoteIdent(catalog) + "." + QualifiedName(schema, table->name);
      std::string query = "SELECT " + select + " FROM " + from + where + limit;
      switch (load.mode) {
        case WorkspaceLoadMode::kCopy:
          RunSql(target, "CREATE OR REPLACE TABLE " + destination + " AS " + query, params);
          result.loaded_rows = count();
          break;
        case WorkspaceLoadMode::kAppend: {
          int64_t before = exists ? count() : 0;
          RunSql(
              target,
              (exists ? "INSERT INTO " + destination + " BY NAME " : "CREATE TABLE " + destination + " AS ") +
                  query,
              params);
          result.loaded_rows = count() - before;
          break;
        }
        case WorkspaceLoadMode::kView:
          if (exists) {
            for (const auto& object : ObjectsOf(session)) {
              if (StringUtil::CIEquals(object.name, load.destination)) DropObjectSql(target, object);
            }
          }
          RunDdl(target, "CREATE VIEW " + destination + " AS " + query);
          break;
      }
    }
    result.rows = count();
    return result;
  });
}

WorkspaceCredentials WorkspaceService::NewUser(const Workspace& workspace) {
  WorkspaceCredentials credentials{"ws_" + RandomHex(8), GeneratePassword()};
  branches_.catalog().CreateWorkspaceUser(WorkspaceUser{credentials.user, workspace.project_id, workspace.id,
                                                        MakeScramVerifier(credentials.password),
                                                        NowTimestamp()});
  return credentials;
}

WorkspaceUser WorkspaceService::RequireUser(const std::string& project_id, const std::string& user) {
  auto found = branches_.catalog().GetWorkspaceUser(user);
  if (!found || found->project_id != project_id)
    throw NotFound("workspace_user_not_found", "workspace user '" + user + "' does not exist");
  return *found;
}

std::vector<WorkspaceUser> WorkspaceService::ListUsers(const std::string& project_id, const std::string& id) {
  Get(project_id, id);
  return branches_.catalog().ListWorkspaceUsers(project_id, id);
}

WorkspaceCredentials WorkspaceService::CreateUser(const std::string& project_id, const std::string& id) {
  return ops_.Run(project_id, "workspace.user_create", id, [&] { return NewUser(Get(project_id, id)); });
}

void WorkspaceService::DropUser(const std::string& project_id, const std::string& user) {
  ops_.Run(project_id, "workspace.user_drop", user, [&] {
    RequireUser(project_id, user);
    branches_.catalog().DeleteWorkspaceUser(user);
    sessions_.TerminateAll({std::nullopt, std::nullopt, user});
  });
}

WorkspaceCredentials WorkspaceService::ResetPassword(const std::string& project_id, const std::string& user) {
  return ops_.Run(project_id, "workspace.reset_password", user, [&] {
    RequireUser(project_id, user);
    WorkspaceCredentials credentials{user, GeneratePassword()};
    branches_.catalog().SetWorkspaceUserVerifier(user, MakeScramVerifier(credentials.password));
    sessions_.TerminateAll({std::nullopt, std::nullopt, user});
    return credentials;
  });
}

std::vector<SqlSessionInfo> WorkspaceService::ListSessions(const std::string& project_id,
                                                           const std::string& id) {
  Get(project_id, id);
  return sessions_.List(project_id, id);
}

void WorkspaceService::TerminateSession(const std::string& project_id, const std::string& id, int32_t pid) {
  ops_.Run(project_id, "workspace.session_terminate", id + "." + std::to_string(pid), [&] {
    Get(project_id, id);
    sessions_.Terminate(project_id, id, pid);
  });
}

std::optional<WorkspaceUser> WorkspaceService::Authenticate(const std::string& user,
                                                            const std::string& password) {
  auto found = branches_.catalog().GetWorkspaceUser(user);
  if (!found || !VerifyScramPassword(found->password_verifier, password)) return std::nullopt;
  return found;
}

}  // namespace duckstore
