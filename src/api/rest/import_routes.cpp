// Imports, exports and jobs:
//   POST   /projects/{project_id}/branches/{branch_id}/buckets/{bucket}/tables/{table}/import        (files)
//   POST   /projects/{project_id}/branches/{branch_id}/buckets/{bucket}/tables/{table}/import-table  (tables)
//   POST   /projects/{project_id}/branches/{branch_id}/buckets/{bucket}/tables/{table}/export
//   GET    /projects/{project_id}/jobs, GET|DELETE /projects/{project_id}/jobs/{job_id}
// Each POST runs synchronously, or as a job with "async": true (202 + the job).
#include "duckstore/api/rest/rest_support.hpp"
#include "duckstore/api/rest/routes.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/services/files/file_access.hpp"

namespace duckstore::rest {
namespace {

constexpr const char* kTable = "/projects/{project_id}/branches/{branch_id}/buckets/{bucket}/tables/{table}";

// One of `names`, mapped to its enum value; kInvalidArgument naming the field otherwise.
template <typename Enum>
Enum ParseEnum(const nlohmann::json& body, const char* field, Enum fallback,
               std::initializer_list<std::pair<const char*, Enum>> names) {
  auto text = OptionalString(body, field);
  if (!text) return fallback;
  std::string accepted;
  for (const auto& [name, value] : names) {
    if (*text == name) return value;
    accepted += (accepted.empty() ? "" : ", ") + std::string(name);
  }
  throw InvalidArgument("invalid_field", std::string("field '") + field + "' must be one of " + accepted,
                        {{"field", field}});
}

// {"file_id"} of a project file, or {"bucket", "key"} of the object store; without "bucket", the project's
// files bucket.
ObjectLocation ObjectLocationOf(Services& s, const std::string& project_id, const nlohmann::json& body) {
  if (auto file_id = OptionalString(body, "file_id")) {
    auto file = s.files.Get(project_id, *file_id);
    return {file.file.bucket, file.file.key};
  }
  ObjectLocation location;
  location.key = RequireString(body, "key");
  auto bucket = OptionalString(body, "bucket");
  location.bucket = bucket ? *bucket : s.objects.ProjectFilesBucket(project_id).name;
  return location;
}

ImportOptions ParseImportOptions(const nlohmann::json& body) {
  ImportOptions o;
  o.type = ParseEnum(body, "import_type", ImportType::kFull,
                     {{"full", ImportType::kFull},
                      {"incremental", ImportType::kIncremental},
                      {"view", ImportType::kView},
                      {"clone", ImportType::kClone}});
  o.dedup = ParseEnum(body, "dedup_type", DedupType::kUpdateDuplicates,
                      {{"update_duplicates", DedupType::kUpdateDuplicates},
                       {"insert_duplicates", DedupType::kInsertDuplicates},
                       {"fail_on_duplicates", DedupType::kFailOnDuplicates}});
  o.dedup_columns = OptionalStringList(body, "dedup_columns");
  o.strategy = ParseEnum(body, "import_strategy", ImportStrategy::kStringTable,
                         {{"string_table", ImportStrategy::kStringTable},
                          {"user_defined_table", ImportStrategy::kUserDefinedTable}});
  o.timestamp_column = OptionalString(body, "timestamp_column").value_or("_timestamp");
  o.timestamp_mode = ParseEnum(body, "timestamp_mode", TimestampMode::kCurrentTime,
                               {{"current_time", TimestampMode::kCurrentTime},
                                {"none", TimestampMode::kNone},
                                {"from_source", TimestampMode::kFromSource}});
  o.convert_empty_values_to_null = OptionalStringList(body, "convert_empty_values_to_null");
  o.import_as_null = OptionalStringList(body, "import_as_null");
  o.create_mode = ParseEnum(body, "create_mode", CreateMode::kCreate,
                            {{"create", CreateMode::kCreate}, {"replace", CreateMode::kReplace}});
  return o;
}

FileFormat ParseFormat(const nlohmann::json& body) {
  return ParseEnum(body, "format", FileFormat::kCsv,
                   {{"csv", FileFormat::kCsv}, {"parquet", FileFormat::kParquet}});
}

FileImportRequest ParseFileImport(Services& s, const std::string& project_id, const nlohmann::json& body) {
  FileImportRequest request;
  request.source = ObjectLocationOf(s, project_id, body);
  request.source_type = ParseEnum(body, "source_type", SourceType::kSingleFile,
                                  {{"single_file", SourceType::kSingleFile},
                                   {"sliced_file", SourceType::kSlicedFile},
                                   {"directory", SourceType::kDirectory}});
  request.format = ParseFormat(body);
  request.csv.column_names = OptionalStringList(body, "columns");
  request.csv.delimiter = OptionalString(body, "delimiter").value_or(",");
  request.csv.enclosure = OptionalString(body, "enclosure").value_or("\"");
  request.csv.escaped_by = OptionalString(body, "escaped_by").value_or("");
  request.csv.ignored_lines = OptionalInt(body, "ignored_lines").value_or(0);
  request.csv.compression =
      ParseEnum(body, "compression", Compression::kAuto,
                {{"auto", Compression::kAuto}, {"none", Compression::kNone}, {"gzip", Compression::kGzip}});
  request.options = ParseImportOptions(body);
  return request;
}

TableImportRequest ParseTableImport(const http::Request& r, const nlohmann::json& body) {
  TableImportRequest request;
  auto it = body.find("source");
  if (it == body.end() || !it->is_object()) {
    throw InvalidArgument("missing_field", "field 'source' ({\"bucket\", \"table\"}) is required");
  }
  request.source = TableRef{BranchOf(r), RequireString(*it, "bucket"), RequireString(*it, "table")};
  if (auto m = body.find("column_mappings"); m != body.end() && !m->is_null()) {
    if (!m->is_array()) throw InvalidArgument("invalid_field", "column_mappings must be an array");
    for (const auto& mapping : *m) {
      if (!mapping.is_object())
        throw InvalidArgument("invalid_field", "each column mapping must be an object");
      request.mappings.push_back({RequireString(mapping, "source"), RequireString(mapping, "destination")});
    }
  }
  request.filters = ParseFilters(body);
  request.seconds = OptionalInt(body, "seconds");
  request.limit = OptionalInt(body, "limit");
  request.options = ParseImportOptions(body);
  return request;
}

ExportRequest ParseExport(Services& s, const std::string& project_id, const nlohmann::json& body) {
  ExportRequest request;
  request.target = ObjectLocationOf(s, project_id, body);
  request.columns = OptionalStringList(body, "columns");
  request.order_by = ParseOrderBy(body);
  request.filters = ParseFilters(body);
  request.change_since = OptionalString(body, "change_since");
  request.change_until = OptionalString(body, "change_until");
  request.limit = OptionalInt(body, "limit");
  request.format = ParseFormat(body);
  request.gzip = OptionalBool(body, "gzip").value_or(false);
  request.header = OptionalBool(body, "header").value_or(request.format == FileFormat::kCsv);
  request.slicing =
      ParseEnum(body, "slicing", SliceMode::kAuto,
                {{"auto", SliceMode::kAuto}, {"always", SliceMode::kAlways}, {"none", SliceMode::kNone}});
  if (auto bytes = OptionalInt(body, "slice_bytes")) request.slice_bytes = *bytes;
  // Exports into the project's files bucket show up as project files unless asked otherwise.
  request.register_files = OptionalBool(body, "register_files").value_or(!body.contains("bucket"));
  request.timestamp_column = OptionalString(body, "timestamp_column").value_or("_timestamp");
  return request;
}

nlohmann::json TimersJson(const std::vector<Timer>& timers) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : timers) out.push_back({{"name", t.name}, {"seconds", t.seconds}});
  return out;
}

nlohmann::json ImportJson(const ImportResult& r) {
  return {{"imported_rows", r.imported_rows},
          {"table_rows", r.table_rows},
          {"table_size_bytes", r.table_size_bytes},
          {"imported_columns", r.imported_columns},
          {"timers", TimersJson(r.timers)}};
}

nlohmann::json ObjectJson(const ExportedObject& o) {
  return {{"bucket", o.bucket},
          {"key", o.key},
          {"size", o.size},
          {"etag", o.etag},
          {"file_id", o.file_id ? nlohmann::json(*o.file_id) : nlohmann::json(nullptr)}};
}

nlohmann::json ExportJson(const ExportResult& r) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : r.files) files.push_back(ObjectJson(f));
  return {{"files", files},
          {"manifest", r.manifest ? ObjectJson(*r.manifest) : nlohmann::json(nullptr)},
          {"exported_rows", r.exported_rows},
          {"columns", r.columns},
          {"table", TableJson(r.table)},
          {"timers", TimersJson(r.timers)}};
}

nlohmann::json ResultJson(const JobResult& result) {
  struct Render {
    nlohmann::json operator()(std::monostate) const { return nullptr; }
    nlohmann::json operator()(const ImportResult& r) const { return ImportJson(r); }
    nlohmann::json operator()(const ExportResult& r) const { return ExportJson(r); }
  };
  return std::visit(Render{}, result);
}

nlohmann::json JobJson(const JobInfo& info) {
  const Job& job = info.job;
  return {{"id", job.id},
          {"project_id", job.project_id},
          {"branch_id", job.branch_id},
          {"kind", job.kind},
          {"target", job.target},
          {"status", job.status},
          {"request", job.request},
          {"progress", job.progress},
          {"result", ResultJson(info.result)},
          {"error", job.error},
          {"cancel_requested", job.cancel_requested},
          {"created_at", job.created_at},
          {"started_at", job.started_at ? nlohmann::json(*job.started_at) : nlohmann::json(nullptr)},
          {"finished_at", job.finished_at ? nlohmann::json(*job.finished_at) : nlohmann::json(nullptr)}};
}

// Runs `work` now (200 + its result) or as a job (202 + the job) when the body says "async": true.
http::Response RunOrSubmit(Services& s, const http::Request& r, const nlohmann::json& body,
                           const std::string& kind, const std::function<JobResult(TaskControl*)>& work) {
  if (!OptionalBool(body, "async").value_or(false)) return Json(200, ResultJson(work(nullptr)));
  auto table = TableOf(r);
  auto job = s.jobs.Submit(table.branch, kind, table.Qualified(), body,
                           [work](TaskControl& control) { return work(&control); });
  return Json(202, JobJson(job));
}

}  // namespace

void AddImportRoutes(RestRoutes& routes, Services& s) {
  const std::string table = kTable;

  // The file read is data-dependent: the source bucket is checked for reading through FileAccess.
  routes.Add("POST", table + "/import", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto ref = TableOf(r);
               auto body = ParseJsonObject(r);
               auto request = ParseFileImport(s, ref.branch.project_id, body);
               FileAccess(s.auth, s.objects).Bucket(caller.principal, request.source.bucket, Access::kRead);
               return RunOrSubmit(s, r, body, "table.import", [&s, ref, request](TaskControl* control) {
                 return s.imports.ImportFromFile(ref, request, control);
               });
             });

  routes.Add("POST", table + "/import-table", Access::kWrite, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller&) {
               auto ref = TableOf(r);
               auto body = ParseJsonObject(r);
               auto request = ParseTableImport(r, body);
               return RunOrSubmit(s, r, body, "table.import_from_table",
                                  [&s, ref, request](TaskControl* control) {
                                    return s.imports.ImportFromTable(ref, request, control);
                                  });
             });

  // The file write is data-dependent: the target bucket is checked for writing through FileAccess.
  routes.Add("POST", table + "/export", Access::kRead, TargetFrom::kBranch,
             [&s](http::Request& r, const Caller& caller) {
               auto ref = TableOf(r);
               auto body = ParseJsonObject(r);
               auto request = ParseExport(s, ref.branch.project_id, body);
               FileAccess(s.auth, s.objects).Bucket(caller.principal, request.target.bucket, Access::kWrite);
               return RunOrSubmit(s, r, body, "table.export", [&s, ref, request](TaskControl* control) {
                 return s.exports.ExportToFile(ref, request, control);
               });
             });

  const std::string jobs = "/projects/{project_id}/jobs";
  routes.Add("GET", jobs, Access::kRead, TargetFrom::kProject, [&s](http::Request& r, const Caller& caller) {
    auto page = ParsePage(r);
    auto list = s.jobs.List(caller.branch.project_id, page);
    return Json(200, PageJson(page, list, "jobs", JobJson));
  });
  // A job is checked on the branch it works on.
  auto job_branch = [&s](const http::Request& r) {
    auto project = r.PathParam("project_id");
    return BranchRef{project, s.jobs.Get(project, r.PathParam("job_id")).job.branch_id};
  };
  routes.AddRecord("GET", jobs + "/{job_id}", Access::kRead, job_branch,
                   [&s](http::Request& r, const Caller& caller) {
                     return Json(200, JobJson(s.jobs.Get(caller.branch.project_id, r.PathParam("job_id"))));
                   });
  routes.AddRecord(
      "DELETE", jobs + "/{job_id}", Access::kWrite, job_branch, [&s](http::Request& r, const Caller& caller) {
        return Json(202, JobJson(s.jobs.Cancel(caller.branch.project_id, r.PathParam("job_id"))));
      });
}

}  // namespace duckstore::rest
