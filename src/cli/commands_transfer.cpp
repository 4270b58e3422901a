// Client subcommands that move data: files (upload and download with progress), import (upload a local file,
// load it into a table as a job, follow the job) and export (a job writing a file, then its download).
#include <chrono>
#include <iostream>

#include "duckstore/cli/commands.hpp"
#include "duckstore/cli/progress.hpp"

namespace duckstore::cli {
namespace {

const std::vector<std::string> kFileColumns{"id", "name", "size", "content_type", "created_at"};

std::string ContentTypeOf(const std::filesystem::path& path) {
  auto extension = path.extension().string();
  if (extension == ".csv") return "text/csv";
  if (extension == ".gz") return "application/gzip";
  if (extension == ".parquet") return "application/vnd.apache.parquet";
  return "application/octet-stream";
}

// Uploads `path` as a project file with a progress display; returns the file's JSON.
nlohmann::json UploadFile(const ClientOptions& o, const RestClient& client, const std::filesystem::path& path,
                          const std::string& name) {
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) throw ApiError(0, "file_not_readable", "cannot read " + path.string() + ": " + ec.message());
  Progress progress(std::cerr, "upload " + name, size, o.terminal);
  auto file = client.Upload(o.ProjectPath() + "/files" + Query({{"name", name}}), path, ContentTypeOf(path),
                            [&progress](uint64_t done) { progress.Update(done); });
  progress.Update(size);
  progress.Finish();
  return file;
}

void DownloadFile(const ClientOptions& o, const RestClient& client, const std::string& file_id,
                  const std::filesystem::path& out) {
  auto file = client.Call("GET", o.ProjectPath() + "/files/" + Segment(file_id));
  Progress progress(std::cerr, "download " + out.filename().string(), file.value("size", uint64_t{0}),
                    o.terminal);
  client.Download(o.ProjectPath() + "/files/" + Segment(file_id) + "/content", out,
                  [&progress](uint64_t done) { progress.Update(done); });
  progress.Finish();
}

void AddFiles(CLI::App& app, ClientOptions& o) {
  auto* files = app.add_subcommand("files", "files of the project (uploads, exports)");
  files->require_subcommand(1);
  files->add_subcommand("list", "list files")->callback([&o] {
    o.Print(ListAll(o.Client(), o.ProjectPath() + "/files", "files"), kFileColumns);
  });
  auto* upload = files->add_subcommand("upload", "upload a local file (streamed, with progress)");
  auto path = Value(*upload, "path", "local file");
  auto name = Value(*upload, "--name", "file name on the server (default: the local name)", false);
  upload->callback([&o, path, name] {
    std::filesystem::path local(*path);
    o.Print(UploadFile(o, o.Client(), local, name->empty() ? local.filename().string() : *name),
            kFileColumns);
  });
  auto* download = files->add_subcommand("download", "download a file (with progress)");
  auto id = Value(*download, "id", "file id");
  auto out = Value(*download, "out", "local path to write");
  download->callback([&o, id, out] { DownloadFile(o, o.Client(), *id, *out); });
  auto* remove = files->add_subcommand("delete", "delete a file");
  auto remove_id = Value(*remove, "id", "file id");
  remove->callback([&o, remove_id] {
    o.Client().Call("DELETE", o.ProjectPath() + "/files/" + Segment(*remove_id));
    std::cerr << "deleted file " << *remove_id << "\n";
  });
}

void AddImport(CLI::App& app, ClientOptions& o) {
  auto* command =
      app.add_subcommand("import", "upload a local CSV or Parquet file into a table and follow the job");
  auto bucket = Value(*command, "bucket", "bucket name");
  auto table = Value(*command, "table", "table name");
  auto path = Value(*command, "path", "local file (.csv, .csv.gz or .parquet)");
  auto incremental = std::make_shared<bool>(false);
  command->add_flag("--incremental", *incremental,
                    "append (and deduplicate on the primary key) instead of replacing");
  auto delimiter = Value(*command, "--delimiter", "CSV delimiter (default ,)", false);
  command->callback([&o, bucket, table, path, incremental, delimiter] {
    auto client = o.Client();
    std::filesystem::path local(*path);
    auto file = UploadFile(o, client, local, local.filename().string());
    nlohmann::json body = {{"file_id", file["id"]},
                           {"async", true},
                           {"import_type", *incremental ? "incremental" : "full"},
                           {"format", local.extension() == ".parquet" ? "parquet" : "csv"}};
    if (!delimiter->empty()) body["delimiter"] = *delimiter;
    auto job = client.Call("POST", o.TablePath(*bucket, *table) + "/import", body);
    auto done = FollowJob(o, client, job["id"]);
    o.Print(done["result"], {"imported_rows", "table_rows", "table_size_bytes"});
  });
}

void AddExport(CLI::App& app, ClientOptions& o) {
  auto* exported = app.add_subcommand("export", "export a table to a local file (a job, then the download)");
  auto bucket = Value(*exported, "bucket", "bucket name");
  auto table = Value(*exported, "table", "table name");
  auto out = Value(*exported, "out", "local file to write");
  auto format = Value(*exported, "--format", "csv (default) or parquet", false);
  auto gzip = std::make_shared<bool>(false);
  exported->add_flag("--gzip", *gzip, "gzip the CSV");
  exported->callback([&o, bucket, table, out, format, gzip] {
    auto client = o.Client();
    std::string kind = format->empty() ? "csv" : *format;
    auto stamp = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    nlohmann::json body = {{"async", true},
                           {"format", kind},
                           {"gzip", *gzip},
                           {"slicing", "none"},
                           {"key", "exports/" + *bucket + "." + *table + "-" + std::to_string(stamp) + "." +
                                       kind + (*gzip ? ".gz" : "")}};
    auto job = client.Call("POST", o.TablePath(*bucket, *table) + "/export", body);
    auto done = FollowJob(o, client, job["id"]);
    const auto& files = done["result"]["files"];
    if (!files.is_array() || files.size() != 1 || !files[0]["file_id"].is_string()) {
      throw ApiError(0, "unexpected_export", "the export did not produce exactly one file");
    }
    DownloadFile(o, client, files[0]["file_id"], *out);
    o.Print({{"file", *out},
             {"exported_rows", done["result"]["exported_rows"]},
             {"file_id", files[0]["file_id"]}});
  });
}

}  // namespace

void AddTransferCommands(CLI::App& app, ClientOptions& options) {
  AddFiles(app, options);
  AddImport(app, options);
  AddExport(app, options);
}

}  // namespace duckstore::cli
