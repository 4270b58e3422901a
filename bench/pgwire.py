"""PostgreSQL wire door benchmark, against a real PostgreSQL 15 on loopback serving the same table and against
DuckDB in-process, in one run:
  (a) SELECT 1 round trips/s through psycopg2 (one connection, closed loop);
  (b) ROWS (default 1 M) rows x 6 columns fetched with COPY TO STDOUT (psycopg2 copy_expert) and with a
      psycopg 3 binary cursor (server-side parameters, binary results);
  (c) SESSIONS (default 64) concurrent sessions each running QUERIES queries; errors are counted.
Steps: start duckstore with --pg-port 0, create a project and a workspace over REST, fill table `b` in the
workspace over the wire (INSERT ... FROM range()); initdb + start PostgreSQL 15 (as user postgres) on a free
port with the same table (generate_series); DuckDB's baseline reads the same rows from an in-memory table.
Usage: bench/run.sh pgwire   (or: python3 bench/pgwire.py BUILD_DIR [ROWS])
Environment: PGWIRE_BENCH_SECONDS (5) per round-trip phase, PGWIRE_BENCH_SESSIONS (64), PGWIRE_BENCH_QUERIES (50).
"""
import concurrent.futures
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import psycopg
import psycopg2

from harness import Server

PG_BIN = "/usr/lib/postgresql/15/bin"
FILL = ("SELECT i AS id, i * 0.5 AS amount, i / 7.0 AS ratio, 'customer-' || (i % 1000) AS customer, "
        "DATE '2020-01-01' + (i % 1000)::INTEGER AS day, i % 2 = 0 AS flag FROM range({rows}) r(i)")
PG_FILL = ("SELECT i AS id, i * 0.5 AS amount, i / 7.0 AS ratio, 'customer-' || (i % 1000) AS customer, "
           "DATE '2020-01-01' + (i % 1000)::INTEGER AS day, i % 2 = 0 AS flag FROM generate_series(0, {last}) i")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def round_trips(dsn, seconds):
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    cur = conn.cursor()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        cur.execute("SELECT 1")
        cur.fetchone()
        n += 1
    conn.close()
    return n / (time.perf_counter() - start)


def copy_out(dsn):
    conn = psycopg2.connect(dsn)
    start = time.perf_counter()
    sink = io.BytesIO()
    try:
        conn.cursor().copy_expert("COPY b TO STDOUT", sink)
    except psycopg2.Error as e:
        conn.close()
        return f"error: {e.pgerror or e}".strip()
    elapsed = time.perf_counter() - start
    conn.close()
    return sink.getvalue().count(b"\n") / elapsed


def binary_cursor(dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        start = time.perf_counter()
        n = 0
        with conn.cursor(binary=True) as cur:
            cur.execute("SELECT * FROM b WHERE id >= %s", [0])
            while rows := cur.fetchmany(10_000):
                n += len(rows)
        return n / (time.perf_counter() - start)


def sessions(dsn, count, queries):
    def one(_):
        conn = psycopg2.connect(dsn)
        conn.autocommit = True
        cur = conn.cursor()
        for _ in range(queries):
            cur.execute("SELECT count(*) FROM b WHERE id < 1000")
            cur.fetchone()
        conn.close()
    errors, start = 0, time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        for future in [pool.submit(one, i) for i in range(count)]:
            try:
                future.result()
            except Exception as e:  # counted: the target is no errors
                errors += 1
                print("  session error:", e)
    return count * queries / (time.perf_counter() - start), errors


def start_postgres(rows):
    base = tempfile.mkdtemp(prefix="pgwire-bench-pg-")
    shutil.chown(base, "postgres")
    data, port = os.path.join(base, "data"), free_port()
    run = lambda *cmd: subprocess.run(["runuser", "-u", "postgres", "--", *cmd], check=True,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run(f"{PG_BIN}/initdb", "-D", data, "-A", "trust", "-U", "postgres")
    run(f"{PG_BIN}/pg_ctl", "-D", data, "-w", "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1", "start")
    dsn = f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE b AS " + PG_FILL.format(last=rows - 1))
    return dsn, lambda: (run(f"{PG_BIN}/pg_ctl", "-D", data, "-m", "fast", "stop"), shutil.rmtree(base, True))


def duckdb_baseline(rows):
    import duckdb  # noqa: optional; the in-process baseline is skipped without the Python package
    con = duckdb.connect()
    con.execute("CREATE TABLE b AS " + FILL.format(rows=rows))
    start = time.perf_counter()
    n = len(con.execute("SELECT * FROM b").fetchall())
    return n / (time.perf_counter() - start)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    seconds = float(os.environ.get("PGWIRE_BENCH_SECONDS", 5))
    count = int(os.environ.get("PGWIRE_BENCH_SESSIONS", 64))
    queries = int(os.environ.get("PGWIRE_BENCH_QUERIES", 50))
    server = Server(os.path.join(build, "duckstore"), ["--pg-port", "0", "--pg-max-sessions", str(count + 8)])
    try:
        pg_host, pg_port = re.match(r".*pg=([\d.]+):(\d+)", server.ready_line).groups()
        conn = server.connection()
        key = server.call(conn, "POST", "/projects", server.admin_key, {"id": "bench"})["api_key"]
        ws = server.call(conn, "POST", "/projects/bench/branches/default/workspaces", key, {"id": "bench"})
        creds = ws["credentials"]
        ours = f"host={pg_host} port={pg_port} user={creds['user']} password={creds['password']} dbname=bench"
        with psycopg2.connect(ours) as c, c.cursor() as cur:
            cur.execute("CREATE TABLE b AS " + FILL.format(rows=rows))
        theirs, stop_pg = start_postgres(rows)
        try:
            def compare(what, measure):
                mine, pg = measure(ours), measure(theirs)
                print(f"{what}: duckstore {mine:,.0f}, PostgreSQL 15 {pg:,.0f}, duckstore/PostgreSQL {mine / pg:.2f}")

            compare("(a) SELECT 1 round trips/s", lambda dsn: round_trips(dsn, seconds))
            compare(f"(b) COPY TO STDOUT rows/s ({rows:,} x 6)", copy_out)
            compare("    binary cursor rows/s", binary_cursor)
            try:
                print(f"    DuckDB in-process fetch rows/s: {duckdb_baseline(rows):,.0f}")
            except ImportError:
                print("    DuckDB in-process: the duckdb Python package is not installed")
            for name, dsn in (("duckstore", ours), ("PostgreSQL 15", theirs)):
                qps, errors = sessions(dsn, count, queries)
                print(f"(c) {count} sessions x {queries} queries on {name}: {qps:,.0f} queries/s, {errors} errors")
        finally:
            stop_pg()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
