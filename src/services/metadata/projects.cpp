#include "duckstore/services/metadata/projects.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/storage/engine/project_schema.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {
namespace {

constexpr int64_t kMaxKeyLifetimeDays = 3650;

}  // namespace

ProjectService::Created ProjectService::Create(const std::string& id, std::string name,
                                               nlohmann::json settings) {
  ValidateId(id, "project id");
  if (!settings.is_object()) throw InvalidArgument("invalid_request", "settings must be a JSON object");
  return ops_.Run(id, "project.create", id, [&] {
    Project project;
    project.id = id;
    project.name = name.empty() ? id : name;
    project.settings = std::move(settings);
    project.created_at = project.updated_at = NowTimestamp();
    // Catalog row first: it is the lock on the id. Storage second; if that fails the row goes again.
    catalog_.CreateProject(project);
    try {
      if (engine_.ProjectExists(id)) engine_.DropProject(id);  // leftovers of an interrupted delete
      engine_.CreateProject(id);
      auto key = auth_.IssueKey(id, KeyScope::kProjectAdmin, std::nullopt, "project admin key", std::nullopt);
      return Created{project, std::move(key)};
    } catch (...) {
      catalog_.DeleteProject(id);
      throw;
    }
  });
}

Project ProjectService::Get(const std::string& id) {
  auto project = catalog_.GetProject(id);
  if (!project) throw NotFound("project_not_found", "project '" + id + "' does not exist");
  return *project;
}

Page<Project> ProjectService::List(const PageRequest& page) {
  return catalog_.ListProjects(page);
}

Project ProjectService::Update(const std::string& id, std::optional<std::string> name,
                               std::optional<nlohmann::json> settings) {
  return ops_.Run(id, "project.update", id, [&] {
    Project project = Get(id);
    if (name) {
      if (name->empty()) throw InvalidArgument("invalid_request", "name must not be empty");
      project.name = std::move(*name);
    }
    if (settings) {
      if (!settings->is_object()) throw InvalidArgument("invalid_request", "settings must be a JSON object");
      project.settings = std::move(*settings);
    }
    project.updated_at = NowTimestamp();
    catalog_.UpdateProject(project);
    return project;
  });
}

void ProjectService::Delete(const std::string& id) {
  // A server-level operation: the project's own log goes with it, and a project later created with the
  // same id starts with an empty one.
  ops_.Run("", "project.delete", id, [&] {
    Project project = Get(id);
    // Mark first so that the project's keys stop authenticating while its storage goes away; the row
    // (and by cascade keys and branches) is deleted last, so a crash midway is finished by a retry.
    project.status = "deleting";
    catalog_.UpdateProject(project);
    sessions_.TerminateAll(
        {id, std::nullopt, std::nullopt});  // its workspaces' SQL sessions let go of its databases
    engine_.DropProject(id);
    catalog_.DeleteProject(id);
  });
}

ProjectStats ProjectService::Stats(const std::string& id) {
  Get(id);
  auto db = engine_.Open(id);
  auto conn = db->Connect();
  ProjectStats stats;
  auto buckets =
      RunSql(*conn,
             "SELECT count(*) FROM duckdb_schemas() WHERE database_name = current_database() "
             "AND NOT internal AND schema_name <> 'main' AND NOT starts_with(schema_name, '_duckstore')");
  stats.bucket_count = buckets->GetValue(0, 0).GetValue<int64_t>();
  auto tables = RunSql(*conn,
                       "SELECT count(*), coalesce(sum(estimated_size), 0) FROM duckdb_tables() "
                       "WHERE database_name = current_database() AND schema_name <> 'main' AND NOT "
                       "starts_with(schema_name, '_duckstore')");
  stats.table_count = tables->GetValue(0, 0).GetValue<int64_t>();
  stats.row_count = tables->GetValue(1, 0).GetValue<int64_t>();
  auto size = RunSql(*conn,
                     "SELECT total_blocks * block_size FROM pragma_database_size() "
                     "WHERE database_name = current_database()");
  stats.size_bytes = size->RowCount() ? size->GetValue(0, 0).GetValue<int64_t>() : 0;
  return stats;
}

AuthService::IssuedKey ProjectService::CreateKey(const std::string& project_id, KeyScope scope,
                                                 std::optional<std::string> branch_id,
                                                 std::string description,
                                                 std::optional<int64_t> expires_in_days) {
  Get(project_id);
  if (description.empty()) throw InvalidArgument("invalid_request", "description is required");
  if (scope == KeyScope::kProjectAdmin && branch_id) {
    throw InvalidArgument("invalid_request", "a project_admin key is not bound to a branch; omit branch_id");
  }
  if (scope != KeyScope::kProjectAdmin && !branch_id) {
    throw InvalidArgument("invalid_request", "branch scopes need branch_id ('default' for the main branch)");
  }
  if (branch_id && *branch_id == kDefaultBranch) branch_id.reset();  // NULL in the catalog = main branch
  if (branch_id && !catalog_.GetBranch(project_id, *branch_id)) {
    throw NotFound("branch_not_found", "branch '" + *branch_id + "' does not exist");
  }
  if (expires_in_days && (*expires_in_days < 1 || *expires_in_days > kMaxKeyLifetimeDays)) {
    throw InvalidArgument("invalid_request", "expires_in_days must be between 1 and 3650");
  }
  std::optional<int64_t> lifetime;
  if (expires_in_days) lifetime = *expires_in_days * 86400;
  return ops_.Run(project_id, "key.create", ToString(scope), [&] {
    return auth_.IssueKey(project_id, scope, std::move(branch_id), std::move(description), lifetime);
  });
}

Page<ApiKey> ProjectService::ListKeys(const std::string& project_id, const PageRequest& page) {
  Get(project_id);
  // A project has few keys; the catalog returns them all and the page is cut here.
  auto keys = catalog_.ListActiveKeys(project_id);
  Page<ApiKey> out;
  out.total = static_cast<int64_t>(keys.size());
  auto first = std::min<size_t>(keys.size(), static_cast<size_t>(page.offset));
  auto last = std::min<size_t>(keys.size(), first + static_cast<size_t>(page.limit));
  out.items.assign(keys.begin() + static_cast<std::ptrdiff_t>(first),
                   keys.begin() + static_cast<std::ptrdiff_t>(last));
  return out;
}

ApiKey ProjectService::GetKey(const std::string& project_id, const std::string& key_id) {
  auto key = catalog_.GetKey(key_id);
  if (!key || key->project_id != project_id) {
    throw NotFound("api_key_not_found",
                   "API key '" + key_id + "' does not exist in project '" + project_id + "'");
  }
  return *key;
}

void ProjectService::RevokeKey(const std::string& project_id, const std::string& key_id) {
  ops_.Run(project_id, "key.revoke", key_id, [&] {
    catalog_.InTransaction([&] {
      ApiKey key = GetKey(project_id, key_id);
      if (key.revoked_at) return;
      if (key.scope == KeyScope::kProjectAdmin) {
        auto active = catalog_.ListActiveKeys(project_id);
        auto admins = std::count_if(active.begin(), active.end(),
                                    [](const ApiKey& k) { return k.scope == KeyScope::kProjectAdmin; });
        if (admins <= 1) {
          throw InvalidArgument("cannot_revoke_last_admin_key",
                                "this is the project's last project_admin key; create another one first");
        }
      }
      catalog_.RevokeKey(key_id, NowTimestamp());
    });
    sessions_.TerminateAll(
        {std::nullopt, std::nullopt, key_id});  // the workspace logins of the key (workspace_access.hpp)
  });
}

AuthService::IssuedKey ProjectService::RotateKey(const std::string& project_id, const std::string& key_id) {
  return ops_.Run(project_id, "key.rotate", key_id, [&] {
    AuthService::IssuedKey issued;
    catalog_.InTransaction([&] {
      ApiKey old = GetKey(project_id, key_id);
      if (old.revoked_at) throw InvalidArgument("cannot_rotate_revoked_key", "the key is already revoked");
      std::optional<int64_t> lifetime;  // the old key's lifetime, counted again from now
      if (old.expires_at)
        lifetime = TimestampToUnixSeconds(*old.expires_at) - TimestampToUnixSeconds(old.created_at);
      issued = auth_.IssueKey(project_id, old.scope, old.branch_id, old.description, lifetime);
      catalog_.RevokeKey(key_id, NowTimestamp());
    });
    sessions_.TerminateAll({std::nullopt, std::nullopt, key_id});
    return issued;
  });
}

}  // namespace duckstore
