// `duckstore history`: a table's versions, its rows as of a past time, restore (in place or into a new
// table), the dropped tables of the branch and their undrop, the project's retention; each over the REST
// history endpoints (docs/design/history.md). Times are RFC 3339 ("2026-01-31T12:00:00.123456Z").
#include <cstdio>
#include <ctime>
#include <iostream>
#include <regex>

#include "duckstore/cli/commands.hpp"

namespace duckstore::cli {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

// The instant one microsecond before `time` (RFC 3339 in UTC, as the server writes it): the table as it was
// just before a change committed at `time` (a drop).
std::string JustBefore(const std::string& time) {
  static const std::regex kUtc(R"((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z)");
  std::smatch m;
  if (!std::regex_match(time, m, kUtc))
    throw ApiError(0, "invalid_timestamp", "unexpected time '" + time + "'");
  std::tm parts{};
  parts.tm_year = std::stoi(m[1]) - 1900;
  parts.tm_mon = std::stoi(m[2]) - 1;
  parts.tm_mday = std::stoi(m[3]);
  parts.tm_hour = std::stoi(m[4]);
  parts.tm_min = std::stoi(m[5]);
  parts.tm_sec = std::stoi(m[6]);
  std::string fraction = m[7].str();
  fraction.resize(6, '0');
  int64_t micros = static_cast<int64_t>(::timegm(&parts)) * kMicrosPerSecond + std::stoll(fraction) - 1;
  std::time_t seconds = static_cast<std::time_t>(micros / kMicrosPerSecond);
  std::tm out{};
  ::gmtime_r(&seconds, &out);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", out.tm_year + 1900,
                out.tm_mon + 1, out.tm_mday, out.tm_hour, out.tm_min, out.tm_sec,
                static_cast<long long>(micros % kMicrosPerSecond));
  return text;
}

struct TableArgs {
  std::shared_ptr<std::string> bucket, table;
};

TableArgs AddTableArgs(CLI::App& command) {
  return {Value(command, "bucket", "bucket name"), Value(command, "table", "table name")};
}

void AddVersions(CLI::App& history, ClientOptions& o) {
  auto* versions = history.add_subcommand("versions", "a table's committed changes within the retention");
  auto args = AddTableArgs(*versions);
  versions->callback([&o, args] {
    auto result = o.Client().Call("GET", o.TablePath(*args.bucket, *args.table) + "/history");
    o.Print(result["versions"],
            {"version", "committed_at", "operation", "rows_added", "rows_removed", "full_image"});
  });

  auto* preview = history.add_subcommand("preview", "a table's rows as they were at a past time");
  auto preview_args = AddTableArgs(*preview);
  auto at = Value(*preview, "--at", "the time, RFC 3339");
  auto limit = std::make_shared<int>(100);
  preview->add_option("--limit", *limit, "rows at most (default 100)")->check(CLI::Range(1, 1000));
  preview->callback([&o, preview_args, at, limit] {
    auto result = o.Client().Call("GET", o.TablePath(*preview_args.bucket, *preview_args.table) + "/preview" +
                                             Query({{"at", *at}, {"limit", std::to_string(*limit)}}));
    if (o.Format() == OutputFormat::kJson) return o.Print(result);
    o.Print(result["rows"], result["columns"].get<std::vector<std::string>>());
  });
}

void AddRestores(CLI::App& history, ClientOptions& o) {
  auto* restore = history.add_subcommand(
      "restore", "restore a table as of a past time: in place (one more change), or into a new table");
  auto args = AddTableArgs(*restore);
  auto at = Value(*restore, "--at", "the time, RFC 3339");
  auto to_bucket = Value(*restore, "--to-bucket", "bucket of the new table (default: the same)", false);
  auto to_table = Value(*restore, "--to-table", "create this new table instead of restoring in place", false);
  restore->callback([&o, args, at, to_bucket, to_table] {
    nlohmann::json body = {{"at", *at}};
    if (!to_table->empty()) {
      body["destination"] = {{"bucket", to_bucket->empty() ? *args.bucket : *to_bucket},
                             {"table", *to_table}};
    } else if (!to_bucket->empty()) {
      throw ApiError(0, "invalid_arguments", "--to-bucket needs --to-table");
    }
    auto restored = o.Client().Call("POST", o.TablePath(*args.bucket, *args.table) + "/restore", body);
    o.Print(restored, {"name", "bucket", "row_count", "primary_key"});
  });

  history.add_subcommand("dropped", "tables of the branch dropped within the retention")->callback([&o] {
    o.Print(o.Client().Call("GET", o.BranchPath() + "/dropped-tables")["tables"],
            {"bucket", "name", "dropped_at"});
  });

  auto* undrop = history.add_subcommand("undrop", "create a dropped table again, as it was when dropped");
  auto undrop_args = AddTableArgs(*undrop);
  undrop->callback([&o, undrop_args] {
    auto client = o.Client();
    std::string dropped_at;
    auto listed = client.Call("GET", o.BranchPath() + "/dropped-tables");
    for (const auto& dropped : listed["tables"]) {
      if (dropped.value("bucket", "") == *undrop_args.bucket &&
          dropped.value("name", "") == *undrop_args.table)
        dropped_at = dropped.value("dropped_at", "");
    }
    if (dropped_at.empty()) {
      throw ApiError(
          404, "table_not_found",
          "no dropped table " + *undrop_args.bucket + "." + *undrop_args.table + " within the retention");
    }
    auto restored = client.Call("POST", o.TablePath(*undrop_args.bucket, *undrop_args.table) + "/restore",
                                {{"at", JustBefore(dropped_at)}});
    o.Print(restored, {"name", "bucket", "row_count", "primary_key"});
  });
}

void AddRetention(CLI::App& history, ClientOptions& o) {
  auto* retention =
      history.add_subcommand("retention", "the project's history retention in days (--set N changes it)");
  auto days = std::make_shared<int>(-1);
  retention->add_option("--set", *days, "keep history this many days (0 turns history off)")
      ->check(CLI::Range(0, 3650));
  retention->callback([&o, days] {
    auto client = o.Client();
    std::string path = o.ProjectPath() + "/retention";
    o.Print(*days < 0 ? client.Call("GET", path)
                      : client.Call("PUT", path, {{"dataRetentionTimeInDays", *days}}));
  });
}

}  // namespace

void AddHistoryCommands(CLI::App& app, ClientOptions& options) {
  auto* history = app.add_subcommand(
      "history", "table history: versions, past states, restore, dropped tables, retention");
  history->require_subcommand(1);
  AddVersions(*history, options);
  AddRestores(*history, options);
  AddRetention(*history, options);
}

}  // namespace duckstore::cli
