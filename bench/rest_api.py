"""REST API benchmark: table-create and preview latency, and request throughput, against raw DuckDB.

Runs in one go: duckstore (HTTP, sequential keep-alive client) and bench/duckdb_baseline (the same SQL work
in-process), then wrk for throughput. Prints medians, p99s and the ratios duckstore / DuckDB.
Usage: bench/run.sh rest   (or: python3 bench/rest_api.py BUILD_DIR)
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from harness import Server

CREATES = 200
PREVIEWS = 1000
ROWS = 100_000
PREVIEW_BODY = {"filters": [{"column": "amount", "operator": "gt", "value": "500"}],
                "order_by": [{"column": "id", "order": "desc"}], "limit": 100}


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def timed(fn, count):
    samples = []
    for i in range(count):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples), percentile(samples, 0.99)


def wrk(url, key, body=None, seconds=10, connections=16):
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    method = "POST" if body is not None else "GET"
    script.write(f'wrk.method = "{method}"\n')
    script.write(f'wrk.headers["Authorization"] = "Bearer {key}"\n')
    script.write('wrk.headers["Content-Type"] = "application/json"\n')
    if body is not None:
        script.write(f"wrk.body = [[{json.dumps(body)}]]\n")
    script.close()
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script.name, url],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
        if "Non-2xx" in line:
            raise RuntimeError(out)
    raise RuntimeError(out)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    server = Server(os.path.join(build, "duckstore"))
    try:
        conn = server.connection()
        project = server.call(conn, "POST", "/projects", server.admin_key, {"id": "bench"})
        key = project["api_key"]
        base = "/projects/bench/branches/default/buckets"
        server.call(conn, "POST", base, key, {"name": "in.c-bench"})
        columns = [{"name": "id", "type": "INTEGER", "nullable": False}, {"name": "amount", "type": "DECIMAL(12,2)"},
                   {"name": "note", "type": "VARCHAR"}]
        create_median, create_p99 = timed(
            lambda i: server.call(conn, "POST", f"{base}/in.c-bench/tables", key, {"name": f"t{i}", "columns": columns}),
            CREATES)

        server.call(conn, "POST", f"{base}/in.c-bench/tables", key, {"name": "preview", "columns": columns})
        for start in range(0, ROWS, 10_000):
            rows = [{"id": i, "amount": str(i % 1000), "note": f"note {i}"} for i in range(start, start + 10_000)]
            server.call(conn, "POST", f"{base}/in.c-bench/tables/preview/rows", key, {"rows": rows})
        preview_path = f"{base}/in.c-bench/tables/preview/preview"
        preview_median, preview_p99 = timed(lambda i: server.call(conn, "POST", preview_path, key, PREVIEW_BODY), PREVIEWS)

        url = f"http://{server.host}:{server.port}"
        health_rps = wrk(url + "/health", key)
        preview_rps = wrk(url + preview_path, key, PREVIEW_BODY)
    finally:
        server.stop()

    baseline = json.loads(subprocess.run([os.path.join(build, "bench", "duckdb_baseline"), str(CREATES), str(PREVIEWS)],
                                         capture_output=True, text=True, check=True).stdout)
    print(f"table create  duckstore median {create_median:8.0f} us  p99 {create_p99:8.0f} us | "
          f"DuckDB median {baseline['create_median_us']:8.0f} us | ratio {create_median / baseline['create_median_us']:.2f}x")
    print(f"preview 100   duckstore median {preview_median:8.0f} us  p99 {preview_p99:8.0f} us | "
          f"DuckDB median {baseline['preview_median_us']:8.0f} us | ratio {preview_median / baseline['preview_median_us']:.2f}x")
    print(f"throughput    GET /health {health_rps:9.0f} req/s | POST preview {preview_rps:8.0f} req/s "
          f"(wrk, 16 connections) | DuckDB in-process preview {1e6 / baseline['preview_median_us']:8.0f} q/s on 1 thread")


if __name__ == "__main__":
    main()
