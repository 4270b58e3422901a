#include "duckstore/services/export/export_service.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include "duckstore/common/identifiers.hpp"
#include "duckstore/common/random.hpp"
#include "duckstore/common/scope_exit.hpp"
#include "duckstore/services/files/files.hpp"
#include "duckstore/services/files/object_store.hpp"
#include "duckstore/services/import/import_errors.hpp"
#include "duckstore/services/import/transfer_metrics.hpp"
#include "duckstore/services/metadata/table_access.hpp"
#include "duckstore/services/model/sql_builder.hpp"

namespace duckstore {
namespace {

bool IsUnixSeconds(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "<ts column> >= $n" for change_since / "< $n" for change_until; unix seconds or a timestamp text.
std::string ChangeCondition(const std::string& column, const char* op, const std::string& value,
                            SqlParams& params) {
  if (IsUnixSeconds(value)) {
    params.push_back(duckdb::Value::BIGINT(std::stoll(value)));
    return QuoteIdent(column) + " " + op + " CAST(to_timestamp($" + std::to_string(params.size()) +
           ") AS TIMESTAMP)";
  }
  params.push_back(duckdb::Value(value));
  return QuoteIdent(column) + " " + op + " CAST($" + std::to_string(params.size()) + " AS TIMESTAMP)";
}

std::string Extension(const ExportRequest& request) {
  if (request.format == FileFormat::kParquet) return ".parquet";
  return request.gzip ? ".csv.gz" : ".csv";
}

// Files DuckDB wrote into `dir` ("slice_<i>.<ext>"), in slice order.
std::vector<std::filesystem::path> WrittenFiles(const std::filesystem::path& dir) {
  std::vector<std::pair<long, std::filesystem::path>> numbered;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("slice_", 0) != 0) continue;
    numbered.emplace_back(std::strtol(name.c_str() + 6, nullptr, 10), entry.path());
  }
  std::sort(numbered.begin(), numbered.end());
  std::vector<std::filesystem::path> out;
  out.reserve(numbered.size());
  for (auto& [index, path] : numbered) out.push_back(std::move(path));
  return out;
}

// Moves a finished output file into the store (it is in the project's staging directory, on the blobs'
// filesystem): renamed, not copied, and read once for its ETag.
ExportedObject Publish(ObjectStore& objects, const ObjectBucket& bucket, const std::string& key,
                       const std::filesystem::path& file, const std::string& content_type) {
  auto writer = objects.OpenWriter(bucket);
  writer->AdoptFile(file.string());
  ObjectAttributes attributes;
  attributes.content_type = content_type;
  auto stored = objects.CommitWrite(*writer, bucket, key, attributes);
  return ExportedObject{stored.bucket, stored.key, stored.size, stored.etag, std::nullopt};
}

ExportedObject PublishText(ObjectStore& objects, const ObjectBucket& bucket, const std::string& key,
                           const std::string& text) {
  auto writer = objects.OpenWriter(bucket);
  writer->Append(text.data(), text.size());
  ObjectAttributes attributes;
  attributes.content_type = "application/json";
  auto stored = objects.CommitWrite(*writer, bucket, key, attributes);
  return ExportedObject{stored.bucket, stored.key, stored.size, stored.etag, std::nullopt};
}

}  // namespace

ExportResult ExportService::ExportToFile(const TableRef& source, const ExportRequest& request,
                                         TaskControl* control) {
  ValidateObjectName(source.bucket, "bucket name");
  ValidateObjectName(source.table, "table name");
  if (request.target.key.empty()) throw InvalidArgument("invalid_target", "the export needs a target key");
  if (request.format == FileFormat::kParquet && (request.gzip || request.header)) {
    throw InvalidArgument("invalid_export_options", "gzip and header apply to CSV exports only");
  }
  if (request.slice_bytes < (1 << 20))
    throw InvalidArgument("invalid_export_options", "slice_bytes must be >= 1 MiB");
  if (request.limit && *request.limit < 0) throw InvalidArgument("invalid_limit", "limit cannot be negative");
  if (request.fulltext && !request.filters.empty()) {
    throw InvalidArgument("invalid_filter", "a fulltext search cannot be combined with column filters");
  }
  ObjectBucket bucket = objects_.GetBucket(request.target.bucket);

  return ops_.Run(source.branch.project_id, "table.export", source.Qualified(), [&] {
    auto started = std::chrono::steady_clock::now();
    // Wherever the branch sees the table: its own copy, the default branch's, or a linked bucket's source.
    auto open = OpenForRead(branches_, source);
    // A linked bucket's table lives in another project's database, which cannot write into this project.
    if (open.bucket.linked()) {
      throw InvalidArgument("linked_bucket_export_unsupported",
                            "bucket '" + source.bucket + "' is linked from another project; export it there");
    }
    auto* conn = open.conn;
    auto* table = &open.info;
    const std::string& schema = open.schema;

    ExportResult result;
    std::string select;
    if (request.columns.empty()) {
      for (const auto& column : table->columns) result.columns.push_back(column.name);
    } else {
      for (const auto& name : request.columns) {
        const ColumnInfo* column = table->FindColumn(name);
        if (!column)
          throw NotFound("column_not_found", "column '" + name + "' does not exist", {{"column", name}});
        result.columns.push_back(column->name);
      }
    }
    for (const auto& name : result.columns) select += (select.empty() ? "" : ", ") + QuoteIdent(name);

    SqlParams params;
    std::string where = BuildWhere(request.filters, *table, params);
    if (request.fulltext) {
      where +=
          (where.empty() ? " WHERE (" : " AND (") + BuildFulltext(*request.fulltext, *table, params) + ")";
    }
    if (request.change_since || request.change_until) {
      const ColumnInfo* ts = table->FindColumn(request.timestamp_column);
      if (!ts) {
        throw InvalidArgument("column_not_found", "changeSince/changeUntil need the timestamp column '" +
                                                      request.timestamp_column + "'");
      }
      if (request.change_since) {
        where += (where.empty() ? " WHERE " : " AND ") +
                 ChangeCondition(ts->name, ">=", *request.change_since, params);
      }
      if (request.change_until) {
        where += (where.empty() ? " WHERE " : " AND ") +
                 ChangeCondition(ts->name, "<", *request.change_until, params);
      }
    }
    std::string query = "SELECT " + select + " FROM " + QualifiedName(schema, table->name) +
                        (where.empty() ? "" : " " + where) + " " + BuildOrderBy(request.order_by, *table);
    if (request.limit) {
      params.push_back(duckdb::Value::BIGINT(*request.limit));
      query += " LIMIT $" + std::to_string(params.size());
    }

    // COPY writes into a private directory of the project (the only place its DuckDB may write).
    auto dir = open.view->db().root() / "staging" / ("export-" + RandomHex(16));
    std::filesystem::create_directories(dir.parent_path());
    ScopeExit cleanup([&] {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    });
    bool ordered = !request.order_by.empty() || request.limit;
    // One file: rows in order, or the caller wants a single object. A CSV wanted as one file is written by
    // DuckDB's single-file COPY, which measured faster than its rotating writers (docs/benchmarks.md);
    // Parquet is faster unordered, so it keeps the rotating writer with no size limit.
    bool one_file = ordered || (request.slicing == SliceMode::kNone && request.format == FileFormat::kCsv);
    int64_t slice_bytes =
        request.slicing == SliceMode::kNone ? std::numeric_limits<int64_t>::max() : request.slice_bytes;
    std::string options = request.format == FileFormat::kParquet
                              ? "FORMAT parquet"
                              : std::string("FORMAT csv, HEADER ") + (request.header ? "true" : "false") +
                                    ", COMPRESSION " + (request.gzip ? "gzip" : "none");
    // One ordered file, or files DuckDB rotates at slice_bytes (names and sizes are server constants).
    std::string single = "COPY (" + query + ") TO " +
                         QuoteLiteral((dir / ("slice_0" + Extension(request))).string()) + " (" + options +
                         ")";
    std::string sliced = "COPY (" + query + ") TO " + QuoteLiteral(dir.string()) + " (" + options +
                         ", FILE_SIZE_BYTES " + std::to_string(slice_bytes) +
                         ", FILENAME_PATTERN 'slice_{i}')";
    {
      AttachedConnection attached(control, *conn);
      if (control) {
        control->Checkpoint();
        control->SetPhase("writing");
      }
      if (one_file) std::filesystem::create_directories(dir);
      auto copied = RunSql(*conn, one_file ? single : sliced, params);
      result.exported_rows = copied->RowCount() ? copied->GetValue(0, 0).GetValue<int64_t>() : 0;
      // Rotating COPY writes no file for an empty result; an empty export is still one (empty) file.
      if (!std::filesystem::exists(dir) || WrittenFiles(dir).empty()) {
        std::filesystem::create_directories(dir);
        RunSql(*conn, single, params);
      }
    }
    auto write_done = std::chrono::steady_clock::now();
    result.timers.push_back({"writeFiles", std::chrono::duration<double>(write_done - started).count()});

    if (control) {
      control->Checkpoint();
      control->SetPhase("publishing");
    }
    auto files = WrittenFiles(dir);
    if (files.empty()) throw Internal("the export wrote no file");
    std::string content_type = request.format == FileFormat::kParquet ? "application/vnd.apache.parquet"
                               : request.gzip                         ? "application/gzip"
                                                                      : "text/csv";
    if (files.size() == 1 && request.slicing != SliceMode::kAlways) {
      result.files.push_back(Publish(objects_, bucket, request.target.key, files.front(), content_type));
    } else {
      nlohmann::json entries = nlohmann::json::array();
      for (size_t i = 0; i < files.size(); ++i) {
        char index[24];
        std::snprintf(index, sizeof index, "%04zu", i);
        auto published = Publish(objects_, bucket, request.target.key + index + Extension(request), files[i],
                                 content_type);
        entries.push_back({{"url", "s3://" + published.bucket + "/" + published.key}, {"mandatory", true}});
        result.files.push_back(std::move(published));
      }
      result.manifest = PublishText(objects_, bucket, request.target.key + "manifest",
                                    nlohmann::json{{"entries", entries}}.dump());
    }
    if (request.register_files) {
      auto name = [&](const ExportedObject& object) {
        NewFile file;
        file.name = object.key.substr(object.key.rfind('/') + 1);
        file.tags = {"export"};
        return files_.Register(source.branch.project_id, file, object.bucket, object.key).file.id;
      };
      for (auto& file : result.files) file.file_id = name(file);
      if (result.manifest) result.manifest->file_id = name(*result.manifest);
    }
    result.timers.push_back(
        {"publishFiles",
         std::chrono::duration<double>(std::chrono::steady_clock::now() - write_done).count()});
    result.table = *LoadTable(*conn, schema, table->name, TableDetail::kWithStats);
    result.table.bucket = table->bucket;
    uint64_t written = 0;
    for (const auto& file : result.files) written += static_cast<uint64_t>(file.size);
    RecordTransfer("export", result.exported_rows, written, result.timers);
    return result;
  });
}

}  // namespace duckstore
