#include "duckstore/services/jobs/job_result.hpp"

#include "duckstore/common/error.hpp"

namespace duckstore {

// The stored form of each result type: every field by its C++ name. Reading takes a missing field as its
// default, so a document written by an older version still reads.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Timer, name, seconds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ImportResult, imported_rows, table_rows, table_size_bytes,
                                                imported_columns, timers)

namespace {

// nlohmann 3.11 has no std::optional support: an absent value is stored as null.
template <typename T>
nlohmann::json OptionalToJson(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

template <typename T>
std::optional<T> OptionalFromJson(const nlohmann::json& document, const char* key) {
  auto it = document.find(key);
  if (it == document.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}

}  // namespace

void to_json(nlohmann::json& out, const ColumnInfo& c) {
  out = {{"name", c.name},
         {"type", c.type},
         {"nullable", c.nullable},
         {"default_value", OptionalToJson(c.default_value)},
         {"ordinal_position", c.ordinal_position}};
}

void from_json(const nlohmann::json& in, ColumnInfo& c) {
  c.name = in.value("name", "");
  c.type = in.value("type", "");
  c.nullable = in.value("nullable", true);
  c.default_value = OptionalFromJson<std::string>(in, "default_value");
  c.ordinal_position = in.value("ordinal_position", int64_t{0});
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TableInfo, bucket, name, columns, primary_key, row_count,
                                                size_bytes, created_at, is_view)

void to_json(nlohmann::json& out, const ExportedObject& o) {
  out = {{"bucket", o.bucket},
         {"key", o.key},
         {"size", o.size},
         {"etag", o.etag},
         {"file_id", OptionalToJson(o.file_id)}};
}

void from_json(const nlohmann::json& in, ExportedObject& o) {
  o.bucket = in.value("bucket", "");
  o.key = in.value("key", "");
  o.size = in.value("size", int64_t{0});
  o.etag = in.value("etag", "");
  o.file_id = OptionalFromJson<std::string>(in, "file_id");
}

void to_json(nlohmann::json& out, const ExportResult& r) {
  out = {{"files", r.files},
         {"manifest", OptionalToJson(r.manifest)},
         {"exported_rows", r.exported_rows},
         {"columns", r.columns},
         {"table", r.table},
         {"timers", r.timers}};
}

void from_json(const nlohmann::json& in, ExportResult& r) {
  r.files = in.value("files", std::vector<ExportedObject>{});
  r.manifest = OptionalFromJson<ExportedObject>(in, "manifest");
  r.exported_rows = in.value("exported_rows", int64_t{0});
  r.columns = in.value("columns", std::vector<std::string>{});
  r.table = in.value("table", TableInfo{});
  r.timers = in.value("timers", std::vector<Timer>{});
}

nlohmann::json EncodeJobResult(const JobResult& result) {
  struct Encode {
    nlohmann::json operator()(std::monostate) const { return nullptr; }
    nlohmann::json operator()(const ImportResult& r) const { return Tagged("import", r); }
    nlohmann::json operator()(const ExportResult& r) const { return Tagged("export", r); }
    static nlohmann::json Tagged(const char* type, nlohmann::json document) {
      document["type"] = type;
      return document;
    }
  };
  return std::visit(Encode{}, result);
}

JobResult DecodeJobResult(const nlohmann::json& document) {
  if (document.is_null()) return std::monostate{};
  if (!document.is_object())
    throw Error(ErrorKind::kInternal, "invalid_job_result", "a job result is not an object");
  std::string type = document.value("type", "");
  // Untagged: a document stored before results were typed; only an export result has "exported_rows".
  if (type.empty()) type = document.contains("exported_rows") ? "export" : "import";
  if (type == "import") return document.get<ImportResult>();
  if (type == "export") return document.get<ExportResult>();
  throw Error(ErrorKind::kInternal, "invalid_job_result", "unknown job result type '" + type + "'");
}

}  // namespace duckstore
