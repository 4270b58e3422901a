// The DAS scan benchmark's data and baseline. With the server stopped, fills the benchmark table of a
// project database with N rows of 6 columns (`fill`), or times DuckDB materialising the same full scan
// in-process with the server's per-project settings (`baseline`, best of R runs).
// Usage: das_scan_data fill DB_FILE ROWS | das_scan_data baseline DB_FILE THREADS RUNS
#include <duckdb.hpp>

#include <chrono>
#include <cstdio>
#include <string>

namespace {

constexpr const char* kTable = "\"in.c-bench\".\"scan\"";

void Check(const duckdb::unique_ptr<duckdb::MaterializedQueryResult>& result) {
  if (result->HasError()) {
    std::fprintf(stderr, "%s\n", result->GetError().c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s fill DB ROWS | baseline DB THREADS RUNS\n", argv[0]);
    return 2;
  }
  std::string mode = argv[1];
  duckdb::DBConfig config;
  if (mode == "baseline") config.SetOptionByName("threads", duckdb::Value::BIGINT(std::stoll(argv[3])));
  duckdb::DuckDB db(argv[2], &config);
  duckdb::Connection conn(db);
  if (mode == "fill") {
    Check(conn.Query(
        std::string("INSERT INTO ") + kTable +
        " SELECT i, i * 7, i / 3.0, 'customer-' || (i % 100000), DATE '2020-01-01' + (i % 1500)::INTEGER, "
        "i % 3 = 0 FROM range(" +
        argv[3] + ") t(i)"));
    Check(conn.Query("CHECKPOINT"));
    return 0;
  }
  int runs = argc > 4 ? std::stoi(argv[4]) : 3;
  double best = 1e30;
  uint64_t rows = 0;
  for (int run = 0; run < runs; ++run) {
    auto start = std::chrono::steady_clock::now();
    auto result = conn.Query(std::string("SELECT * FROM ") + kTable);
    Check(result);
    rows = result->RowCount();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::printf("{\"rows\": %llu, \"seconds\": %.3f}\n", static_cast<unsigned long long>(rows), best);
  return 0;
}
