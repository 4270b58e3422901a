"""Import/export benchmark: duckstore against raw DuckDB doing the same work in-process, in the same run.

  bench/import_export.py <build dir> [rows] [upsert_rows] [--rounds=N] [--imports-only] [--json]
                                                       (default 10,000,000 and 1,000,000 rows, 3 rounds)

1. import_baseline generates full.csv (~100 bytes a row) and upsert.csv (half updates, half new keys).
2. duckstore: a fresh server; full.csv and upsert.csv uploaded as project files (not timed); then timed
   over REST: FULL import into a typed table (USER_DEFINED_TABLE, no managed timestamp), INCREMENTAL upsert
   by the primary key, export to CSV.gz and to Parquet. Peak RSS of the server process (VmHWM).
3. import_baseline: the same four operations on DuckDB in-process with a project database's settings.
Both sides run the four operations N rounds in a row (each round's FULL import replaces the table) and the
ratio compares the best round of each side, so a burst of noise on a shared machine does not decide it;
the median is printed next to it. Prints the engine's own phase timers of the best round; --json prints one
JSON object, --imports-only skips the exports (for quick iterations).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

from harness import Server

COLUMNS = [
    {"name": "id", "type": "BIGINT", "nullable": False},
    {"name": "name", "type": "VARCHAR"},
    {"name": "amount", "type": "DECIMAL(12,2)"},
    {"name": "created", "type": "TIMESTAMP"},
    {"name": "note", "type": "VARCHAR"},
]


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def phases(result):
    """The engine's own per-phase timers of an import response, {name: seconds}."""
    return {t["name"]: round(t["seconds"], 3) for t in result.get("timers", [])}


def run_duckstore(build, work, skip_exports, rounds):
    server = Server(os.path.join(build, "duckstore"))
    try:
        conn = server.connection()
        admin = server.admin_key
        project = server.call(conn, "POST", "/projects", admin, {"id": "bench"})
        key = project["api_key"]
        server.call(conn, "POST", "/projects/bench/branches/default/buckets", key, {"name": "in"})
        server.call(conn, "POST", "/projects/bench/branches/default/buckets/in/tables", key,
                    {"name": "t", "columns": COLUMNS, "primary_key": ["id"]})
        full_id = server.upload(key, "bench", os.path.join(work, "full.csv"))
        upsert_id = server.upload(key, "bench", os.path.join(work, "upsert.csv"))
        table = "/projects/bench/branches/default/buckets/in/tables/t"
        options = {"import_strategy": "user_defined_table", "timestamp_mode": "none"}
        requests = [
            ("full_import", "/import", {"file_id": full_id, **options, "dedup_type": "insert_duplicates"}),
            ("upsert", "/import", {"file_id": upsert_id, **options, "import_type": "incremental"}),
        ]
        if not skip_exports:
            requests += [
                # One object each, as the baseline writes one file.
                ("export_csv_gz", "/export", {"key": "bench/out.csv.gz", "gzip": True, "slicing": "none",
                                              "register_files": False}),
                ("export_parquet", "/export", {"key": "bench/out.parquet", "format": "parquet",
                                               "slicing": "none", "register_files": False}),
            ]
        out = {}
        for _ in range(rounds):
            for name, action, body in requests:
                seconds, result = server.timed_call(conn, "POST", table + action, key, body)
                out.setdefault(name + "_s", []).append(seconds)
                best = min(out[name + "_s"])
                if seconds == best:
                    out[name + "_phases"] = phases(result)
                if name in ("full_import", "upsert"):
                    out["rows_after_" + name] = result["table_rows"]
        out["peak_rss_mb"] = peak_rss_mb(server.proc.pid)
        return out
    finally:
        server.stop()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    build = args[0] if args else "build"
    rows = int(args[1]) if len(args) > 1 else 10_000_000
    upsert_rows = int(args[2]) if len(args) > 2 else 1_000_000
    baseline = os.path.join(build, "bench", "import_baseline")
    skip_exports = "--imports-only" in sys.argv
    rounds = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--rounds=")), 3)
    work = tempfile.mkdtemp(prefix="duckstore-import-bench-")
    try:
        subprocess.run([baseline, "generate", work, str(rows), str(upsert_rows)], check=True)
        size_mb = os.path.getsize(os.path.join(work, "full.csv")) / 1e6
        measured = subprocess.run([baseline, "run", work, str(rounds)] + (["imports"] if skip_exports else []),
                                  capture_output=True, text=True)
        if measured.returncode != 0:
            raise RuntimeError(f"import_baseline failed: {measured.stderr}")
        raw = json.loads(measured.stdout)
        ours = run_duckstore(build, work, skip_exports, rounds)
    finally:
        subprocess.run(["rm", "-rf", work], check=False)
    result = {"rows": rows, "upsert_rows": upsert_rows, "rounds": rounds, "csv_mb": round(size_mb, 1),
              "duckstore": ours, "duckdb": raw}
    if "--json" in sys.argv:
        print(json.dumps(result))
        return
    print(f"{rows:,} rows, {size_mb:,.0f} MB CSV; upsert {upsert_rows:,} rows; best and median of {rounds} rounds")
    print(f"{'operation':<18} {'duckstore':>10} {'duckdb':>10} {'ratio':>7}   {'median ours':>11} {'median duckdb':>13}")
    for name in ("full_import_s", "upsert_s", "export_csv_gz_s", "export_parquet_s"):
        if name not in ours:
            continue
        mine, theirs = ours[name], raw[name]
        print(f"{name:<18} {min(mine):>9.2f}s {min(theirs):>9.2f}s {min(mine) / min(theirs):>6.2f}x   "
              f"{statistics.median(mine):>10.2f}s {statistics.median(theirs):>12.2f}s")
    for name in ("full_import", "upsert", "export_csv_gz", "export_parquet"):
        if name + "_phases" in ours:
            print(f"  duckstore {name} phases (best round): {ours[name + '_phases']}")
    print(f"{'peak RSS':<18} {ours['peak_rss_mb']:>8.0f}MB {raw['peak_rss_mb']:>8.0f}MB")


if __name__ == "__main__":
    main()
