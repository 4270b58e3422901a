// The raw baseline for bench/rest_api.py: DuckDB in-process doing the work the REST benchmark asks duckstore
// to do (create a table; preview 100 filtered, ordered rows of a 100k-row table), timed the same way.
// Prints one JSON object: median and p99 latencies in microseconds.
#include <duckdb.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Summary {
  double median_us;
  double p99_us;
};

Summary Summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return Summary{samples[samples.size() / 2],
                 samples[std::min(samples.size() - 1, samples.size() * 99 / 100)]};
}

void Check(const duckdb::unique_ptr<duckdb::MaterializedQueryResult>& result) {
  if (result->HasError()) {
    std::fprintf(stderr, "%s\n", result->GetError().c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int creates = argc > 1 ? std::stoi(argv[1]) : 200;
  int previews = argc > 2 ? std::stoi(argv[2]) : 1000;
  auto dir = std::filesystem::temp_directory_path() / "duckstore-bench-baseline";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  duckdb::DBConfig config;
  config.SetOptionByName("threads", duckdb::Value::BIGINT(2));
  duckdb::DuckDB db((dir / "baseline.duckdb").string(), &config);
  duckdb::Connection conn(db);
  Check(conn.Query("CREATE SCHEMA \"in.c-bench\""));

  std::vector<double> create_us;
  for (int i = 0; i < creates; ++i) {
    auto start = Clock::now();
    Check(conn.Query("CREATE TABLE \"in.c-bench\".\"t" + std::to_string(i) +
                     "\" (id INTEGER NOT NULL, amount DECIMAL(12,2), note VARCHAR)"));
    create_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }

  Check(conn.Query(
      "CREATE TABLE \"in.c-bench\".preview AS SELECT i::INTEGER AS id, (i % 1000)::DECIMAL(12,2) AS amount, "
      "'note ' || i AS note FROM range(100000) t(i)"));
  auto prepared = conn.Prepare(
      "SELECT \"id\", \"amount\", \"note\" FROM \"in.c-bench\".\"preview\" WHERE \"amount\" > CAST($1 AS "
      "DECIMAL(12,2)) "
      "ORDER BY \"id\" DESC LIMIT 100");
  auto count = conn.Prepare(
      "SELECT count(*) FROM \"in.c-bench\".\"preview\" WHERE \"amount\" > CAST($1 AS DECIMAL(12,2))");
  std::vector<double> preview_us;
  for (int i = 0; i < previews; ++i) {
    auto start = Clock::now();
    auto rows = prepared->Execute(duckdb::Value("500"));
    auto materialized = rows->Fetch();
    auto total = count->Execute(duckdb::Value("500"))->Fetch();
    preview_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (!materialized || materialized->size() == 0 || !total) return 1;
  }
  auto c = Summarize(create_us);
  auto p = Summarize(preview_us);
  std::printf(
      "{\"create_median_us\": %.1f, \"create_p99_us\": %.1f, \"preview_median_us\": %.1f, "
      "\"preview_p99_us\": %.1f}\n",
      c.median_us, c.p99_us, p.median_us, p.p99_us);
  std::filesystem::remove_all(dir);
  return 0;
}
