// Table history (docs/design/history.md):
//   GET  .../buckets/{bucket}/tables/{table}/history    the table's committed changes
//   POST .../buckets/{bucket}/tables/{table}/restore    {"at", "destination": {"bucket", "table"}?}
//   GET  /projects/{project_id}/branches/{branch_id}/dropped-tables
//   GET|PUT /projects/{project_id}/retention            {"dataRetentionTimeInDays": n}
// (GET .../preview?at= is table_routes.cpp's.)
#include "duckstore/api/rest/history_routes.hpp"
#include "duckstore/api/rest/rest_support.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/services/metadata/table_history.hpp"

namespace duckstore::rest {
namespace {

constexpr const char* kTable = "/projects/{project_id}/branches/{branch_id}/buckets/{bucket}/tables/{table}";

nlohmann::json VersionJson(const TableVersion& version) {
  return {{"version", version.version},           {"committed_at", version.committed_at},
          {"operation", version.operation},       {"rows_added", version.rows_added},
          {"rows_removed", version.rows_removed}, {"full_image", version.full_image},
          {"request_id", version.request_id}};
}

nlohmann::json RetentionJson(int64_t days) {
  return {{"dataRetentionTimeInDays", days}};
}

}  // namespace

void AddHistoryRoutes(RestRoutes& routes, Services& s) {
  const std::string table = kTable;
  routes.Add("GET", table + "/history", Access::kRead, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               nlohmann::json versions = nlohmann::json::array();
               for (const auto& version : TableHistoryService(s.branches, s.operations).History(TableOf(r)))
                 versions.push_back(VersionJson(version));
               return Json(200, {{"versions", versions}});
             });
  routes.Add("POST", table + "/restore", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto body = ParseJsonObject(r);
               TableRef source = TableOf(r);
               std::optional<TableRef> destination;
               if (body.contains("destination")) {
                 const auto& into = body["destination"];
                 if (!into.is_object())
                   throw InvalidArgument("invalid_field", "field 'destination' must be an object");
                 destination = TableRef{caller.branch, OptionalString(into, "bucket").value_or(source.bucket),
                                        RequireString(into, "table")};
               }
               return Json(201, TableJson(TableHistoryService(s.branches, s.operations)
                                              .Restore(source, RequireString(body, "at"), destination)));
             });
  routes.Add(
      "GET", "/projects/{project_id}/branches/{branch_id}/dropped-tables", Access::kRead, TargetFrom::kBranch,
      [&s](http::Request& r, const Caller& caller) {
        nlohmann::json tables = nlohmann::json::array();
        for (const auto& dropped : TableHistoryService(s.branches, s.operations).ListDropped(caller.branch)) {
          tables.push_back(
              {{"bucket", dropped.bucket}, {"name", dropped.name}, {"dropped_at", dropped.dropped_at}});
        }
        return Json(200, {{"tables", tables}});
      });
  routes.Add(
      "GET", "/projects/{project_id}/retention", Access::kRead, TargetFrom::kProjectAnyBranch,
      [&s](http::Request&, const Caller& caller) {
        return Json(
            200, RetentionJson(
                     TableHistoryService(s.branches, s.operations).RetentionDays(caller.branch.project_id)));
      });
  routes.Add(
      "PUT", "/projects/{project_id}/retention", Access::kProjectAdmin, TargetFrom::kProject,
      [&s](http::Request& r, const Caller& caller) {
        auto days = OptionalInt(ParseJsonObject(r), "dataRetentionTimeInDays");
        if (!days) throw InvalidArgument("missing_field", "field 'dataRetentionTimeInDays' is required");
        TableHistoryService(s.branches, s.operations).SetRetentionDays(caller.branch.project_id, *days);
        return Json(200, RetentionJson(*days));
      });
}

}  // namespace duckstore::rest
