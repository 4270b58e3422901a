"""DAS scan benchmark: ExecuteTable streaming of an N-row (default 10M), 6-column table to a C++ gRPC client (rows/s), against
DuckDB materialising the same full scan in-process with the server's per-project thread count, in one run.

Steps: start duckstore, create the project, bucket and table over REST; stop it and fill the table directly
(bench/das_scan_data fill); restart, register a DAS, run bench/das_scan_client RUNS times (best run counts);
stop, and time the in-process baseline on the same database file.
Usage: DAS_BENCH_ROWS=N bench/run.sh das   (or: python3 bench/das_scan.py BUILD_DIR [ROWS])
"""
import json
import os
import subprocess
import sys

from harness import Server

RUNS = 3
THREADS = 2  # the server's default --project-threads, given to the baseline too
COLUMNS = ["id", "amount", "ratio", "customer", "day", "flag"]


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else int(os.environ.get("DAS_BENCH_ROWS", 10_000_000))
    binary = os.path.join(build, "duckstore")
    server = Server(binary)
    conn = server.connection()
    admin_key = server.admin_key
    project = server.call(conn, "POST", "/projects", admin_key, {"id": "bench"})
    key = project["api_key"]
    base = "/projects/bench/branches/default/buckets"
    server.call(conn, "POST", base, key, {"name": "in.c-bench"})
    columns = [{"name": "id", "type": "BIGINT", "nullable": False}, {"name": "amount", "type": "BIGINT"},
               {"name": "ratio", "type": "DOUBLE"}, {"name": "customer", "type": "VARCHAR"},
               {"name": "day", "type": "DATE"}, {"name": "flag", "type": "BOOLEAN"}]
    server.call(conn, "POST", f"{base}/in.c-bench/tables", key, {"name": "scan", "columns": columns,
                                                                  "primary_key": ["id"]})
    data_dir = server.data_dir
    server.stop(keep_data=True)
    db_file = os.path.join(data_dir, "projects", "bench", "project.duckdb")
    subprocess.run([os.path.join(build, "bench", "das_scan_data"), "fill", db_file, str(rows)], check=True)

    server = Server(binary, data_dir=data_dir)
    try:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
        from das_support import Das  # noqa: E402  (stubs generated from proto/)

        class Address:
            grpc_address = f"{server.host}:{server.grpc_port}"

        das = Das(Address())
        das_id = das.register({"project_id": "bench", "api_key": key})
        das.close()
        results = []
        for _ in range(RUNS):
            out = subprocess.run([os.path.join(build, "bench", "das_scan_client"), Address.grpc_address, das_id,
                                  "in_c_bench__scan", *COLUMNS], capture_output=True, text=True, check=True).stdout
            results.append(json.loads(out))
    finally:
        server.stop(keep_data=True)
    baseline = json.loads(subprocess.run([os.path.join(build, "bench", "das_scan_data"), "baseline", db_file,
                                          str(THREADS), str(RUNS)], capture_output=True, text=True, check=True).stdout)
    subprocess.run(["rm", "-rf", data_dir], check=False)

    best = min(results, key=lambda r: r["seconds"])
    assert best["rows"] == rows == baseline["rows"], (best, baseline)
    das_rps = rows / best["seconds"]
    duck_rps = rows / baseline["seconds"]
    print(f"DAS ExecuteTable {rows} rows x {len(COLUMNS)} columns: {best['seconds']:.2f} s, {das_rps:,.0f} rows/s, "
          f"{best['messages']} messages, {best['bytes'] / best['seconds'] / 1e6:.0f} MB/s on the wire "
          f"(best of {RUNS}: {', '.join('%.2f' % r['seconds'] for r in results)} s)")
    print(f"DuckDB in-process materialised scan ({THREADS} threads): {baseline['seconds']:.2f} s, "
          f"{duck_rps:,.0f} rows/s | DAS / DuckDB time ratio {best['seconds'] / baseline['seconds']:.1f}x")


if __name__ == "__main__":
    main()
