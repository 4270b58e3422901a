// The raw baseline for bench/import_export.py: DuckDB in-process doing the work the benchmark asks duckstore
// to do, with the same settings as a duckstore project database (file database in the 1.4 storage format,
// 2 threads, 2 GB memory limit).
//
//   import_baseline generate <dir> <rows> <upsert_rows>   writes <dir>/full.csv and <dir>/upsert.csv
//   import_baseline run <dir> <rounds> [imports]          times the four operations <rounds> times and
//                                                         prints their seconds as one JSON object of lists
//
// The operations, with the engine's semantics written the fastest way raw DuckDB allows: FULL import of
// full.csv into a typed table (one transaction: delete + insert from read_csv, casts inline); INCREMENTAL
// upsert of upsert.csv by primary key (stage, keep the last occurrence of a key repeated in the file,
// delete matching keys, insert); export of the table to CSV.gz and to Parquet with COPY. Peak RSS is the
// process's high-water mark. `imports` skips the exports.
#include <sys/resource.h>
#include <duckdb.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

void Check(const duckdb::unique_ptr<duckdb::MaterializedQueryResult>& result) {
  if (result->HasError()) {
    std::fprintf(stderr, "%s\n", result->GetError().c_str());
    std::exit(1);
  }
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// [1.5, 2.25] -> "[1.500, 2.250]"
std::string JsonList(const std::vector<double>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    char number[32];
    std::snprintf(number, sizeof number, "%s%.3f", i ? ", " : "", values[i]);
    out += number;
  }
  return out + "]";
}

long PeakRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

constexpr const char* kColumns =
    "{'id': 'VARCHAR', 'name': 'VARCHAR', 'amount': 'VARCHAR', 'created': 'VARCHAR', 'note': 'VARCHAR'}";
// The engine's conversions: empty values are NULL in typed columns and stay '' in string columns.
constexpr const char* kSelect =
    "SELECT CAST(id AS BIGINT) AS id, COALESCE(name, '') AS name, CAST(amount AS DECIMAL(12,2)) AS amount, "
    "CAST(created AS TIMESTAMP) AS created, COALESCE(note, '') AS note FROM ";

std::string ReadCsv(const std::string& path) {
  return "read_csv('" + path + "', columns = " + kColumns +
         ", header = false, skip = 1, auto_detect = false, delim = ',', quote = '\"', escape = '\"')";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(
        stderr,
        "usage: import_baseline generate <dir> <rows> <upsert_rows> | run <dir> <rounds> [imports]\n");
    return 2;
  }
  std::string mode = argv[1];
  std::filesystem::path dir = argv[2];
  if (mode == "generate") {
    if (argc < 5) return 2;
    long rows = std::stol(argv[3]);
    long upsert = std::stol(argv[4]);
    duckdb::DuckDB db(nullptr);
    duckdb::Connection conn(db);
    // ~100 bytes a row; the upsert file updates the upper half of its keys and adds as many new ones.
    auto generate = [&](const std::string& file, long from, long count) {
      Check(
          conn.Query("COPY (SELECT i AS id, 'name-' || i AS name, ((i * 7919) % 100000) / 100.0 AS amount, "
                     "TIMESTAMP '2024-01-01' + to_seconds(i % 31536000) AS created, "
                     "'note ' || md5(i::VARCHAR) AS note FROM range(" +
                     std::to_string(from) + ", " + std::to_string(from + count) + ") t(i)) TO '" +
                     (dir / file).string() + "' (HEADER true)"));
    };
    generate("full.csv", 0, rows);
    generate("upsert.csv", rows - upsert / 2, upsert);
    return 0;
  }

  int rounds = std::stoi(argv[3]);
  bool exports = argc < 5 || std::string(argv[4]) != "imports";
  auto db_dir = dir / "baseline-db";
  std::filesystem::remove_all(db_dir);
  std::filesystem::create_directories(db_dir);
  duckdb::DBConfig config;
  config.SetOptionByName("storage_compatibility_version", duckdb::Value("v1.4.0"));
  config.SetOptionByName("threads", duckdb::Value::BIGINT(2));
  config.SetOptionByName("memory_limit", duckdb::Value("2GB"));
  duckdb::DuckDB db((db_dir / "baseline.duckdb").string(), &config);
  duckdb::Connection conn(db);
  Check(conn.Query("CREATE SCHEMA bench"));
  Check(
      conn.Query("CREATE TABLE bench.t (id BIGINT NOT NULL, name VARCHAR, amount DECIMAL(12,2), created "
                 "TIMESTAMP, note VARCHAR)"));

  // Each round starts with the FULL import, which replaces whatever the previous round left.
  std::vector<double> full, upsert, csv_gz, parquet;
  for (int round = 0; round < rounds; ++round) {
    auto start = Clock::now();
    Check(conn.Query("BEGIN"));
    Check(conn.Query("DELETE FROM bench.t"));
    Check(conn.Query(std::string("INSERT INTO bench.t ") + kSelect + ReadCsv((dir / "full.csv").string())));
    Check(conn.Query("COMMIT"));
    full.push_back(Seconds(start));

    start = Clock::now();
    Check(conn.Query("BEGIN"));
    Check(conn.Query(std::string("CREATE TEMP TABLE stage AS ") + kSelect +
                     ReadCsv((dir / "upsert.csv").string())));
    // A key twice in the file keeps its last occurrence (the engine's UPDATE_DUPLICATES): find out, and
    // only when the file repeats a key drop the earlier rows.
    auto repeated = conn.Query("SELECT id FROM stage GROUP BY ALL HAVING count(*) > 1 LIMIT 1");
    Check(repeated);
    if (repeated->RowCount() > 0)
      Check(conn.Query("DELETE FROM stage WHERE rowid NOT IN (SELECT max(rowid) FROM stage GROUP BY id)"));
    Check(conn.Query("DELETE FROM bench.t t USING stage s WHERE t.id = s.id"));
    Check(conn.Query("INSERT INTO bench.t SELECT * FROM stage"));
    Check(conn.Query("DROP TABLE stage"));
    Check(conn.Query("COMMIT"));
    upsert.push_back(Seconds(start));

    if (!exports) continue;
    start = Clock::now();
    Check(conn.Query("COPY (SELECT * FROM bench.t) TO '" + (dir / "baseline.csv.gz").string() +
                     "' (FORMAT csv, HEADER true, COMPRESSION gzip)"));
    csv_gz.push_back(Seconds(start));
    start = Clock::now();
    Check(conn.Query("COPY (SELECT * FROM bench.t) TO '" + (dir / "baseline.parquet").string() +
                     "' (FORMAT parquet)"));
    parquet.push_back(Seconds(start));
  }

  std::printf(
      "{\"full_import_s\": %s, \"upsert_s\": %s, \"export_csv_gz_s\": %s, \"export_parquet_s\": %s, "
      "\"peak_rss_mb\": %.1f}\n",
      JsonList(full).c_str(), JsonList(upsert).c_str(), JsonList(csv_gz).c_str(), JsonList(parquet).c_str(),
      PeakRssKb() / 1024.0);
  std::filesystem::remove_all(db_dir);
  std::filesystem::remove(dir / "baseline.csv.gz");
  std::filesystem::remove(dir / "baseline.parquet");
  return 0;
}
