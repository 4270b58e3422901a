"""Table history benchmark (docs/design/history.md): the write overhead of keeping history, the bytes of
history per byte of table, restore speed, and the database size with expiry.

  bench/history.py <build dir> [rows] [upsert_rows] [--rounds=N] [--json]   (default 10,000,000 / 100,000)

1. import_baseline generates full.csv (~100 bytes a row) and upsert.csv (the upsert rows: half updates).
2. One server, two projects in the same run: `off` (dataRetentionTimeInDays 0) and `on` (default 7). Each
   round imports full.csv FULL into both (alternating which goes first); the ratio compares the best round
   of each (target: on <= 1.15x off).
3. On `on`: 10 FULL and 100 INCREMENTAL loads (upsert.csv), then the project database's size against the
   table's own bytes (history bytes per table byte).
4. Restore as of the time after the timed FULL loads into a new table, against CLONE of the live table
   (DuckDB creating the same table in-process from stored data; target: <= 2x).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

from harness import Server

COLUMNS = [
    {"name": "id", "type": "BIGINT", "nullable": False},
    {"name": "name", "type": "VARCHAR"},
    {"name": "amount", "type": "DECIMAL(12,2)"},
    {"name": "created", "type": "TIMESTAMP"},
    {"name": "note", "type": "VARCHAR"},
]
OPTIONS = {"import_strategy": "user_defined_table", "timestamp_mode": "none"}


def project(server, conn, name, retention, work):
    key = server.call(conn, "POST", "/projects", server.admin_key, {"id": name})["api_key"]
    server.call(conn, "PUT", f"/projects/{name}/retention", key, {"dataRetentionTimeInDays": retention})
    server.call(conn, "POST", f"/projects/{name}/branches/default/buckets", key, {"name": "in"})
    server.call(conn, "POST", f"/projects/{name}/branches/default/buckets/in/tables", key,
                {"name": "t", "columns": COLUMNS, "primary_key": ["id"]})
    files = {f: server.upload(key, name, os.path.join(work, f)) for f in ("full.csv", "upsert.csv")}
    return key, files


def run(build, work, rounds):
    server = Server(os.path.join(build, "duckstore"))
    try:
        conn = server.connection()
        keys = {name: project(server, conn, name, days, work) for name, days in (("off", 0), ("on", 7))}
        table = "/projects/{}/branches/default/buckets/in/tables/t"
        out = {"full_off_s": [], "full_on_s": []}
        for round_ in range(rounds):
            for name in (("off", "on") if round_ % 2 == 0 else ("on", "off")):
                key, files = keys[name]
                seconds, _ = server.timed_call(conn, "POST", table.format(name) + "/import", key,
                                   {"file_id": files["full.csv"], **OPTIONS})
                out[f"full_{name}_s"].append(seconds)
        key, files = keys["on"]
        after_timed_fulls = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        time.sleep(0.01)
        for _ in range(10 - rounds):
            server.call(conn, "POST", table.format("on") + "/import", key, {"file_id": files["full.csv"], **OPTIONS})
        for _ in range(100):
            server.call(conn, "POST", table.format("on") + "/import", key,
                        {"file_id": files["upsert.csv"], **OPTIONS, "import_type": "incremental"})
        stats = server.call(conn, "GET", table.format("on") + "/stats", key)
        server.call(conn, "POST", "/projects/on/branches/default/buckets/in/tables", key,
                    {"name": "probe", "columns": [{"name": "x", "type": "INTEGER"}]})
        db = os.path.join(server.data_dir, "projects", "on", "project.duckdb")
        out["table_bytes"] = stats["size_bytes"]
        out["database_bytes"] = os.path.getsize(db) + (os.path.getsize(db + ".wal") if os.path.exists(db + ".wal") else 0)
        restore_s, _ = server.timed_call(conn, "POST", table.format("on") + "/restore", key,
                             {"at": after_timed_fulls, "destination": {"table": "restored"}})
        clone_s, _ = server.timed_call(conn, "POST", "/projects/on/branches/default/buckets/in/tables/cloned/import-table",
                           key, {"source": {"bucket": "in", "table": "t"}, "import_type": "clone"})
        out["restore_s"], out["clone_s"] = restore_s, clone_s
        return out
    finally:
        server.stop()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    build = args[0] if args else "build"
    rows = int(args[1]) if len(args) > 1 else 10_000_000
    upsert_rows = int(args[2]) if len(args) > 2 else 100_000
    rounds = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--rounds=")), 3)
    work = tempfile.mkdtemp(prefix="duckstore-history-bench-")
    try:
        subprocess.run([os.path.join(build, "bench", "import_baseline"), "generate", work, str(rows),
                        str(upsert_rows)], check=True)
        out = run(build, work, rounds)
    finally:
        subprocess.run(["rm", "-rf", work], check=False)
    result = {"rows": rows, "upsert_rows": upsert_rows, "rounds": rounds, **out}
    if "--json" in sys.argv:
        print(json.dumps(result))
        return
    off, on = min(out["full_off_s"]), min(out["full_on_s"])
    print(f"FULL import of {rows:,} rows, best of {rounds}: history off {off:.2f}s, on {on:.2f}s, "
          f"ratio {on / off:.2f}x (medians {statistics.median(out['full_off_s']):.2f}s / "
          f"{statistics.median(out['full_on_s']):.2f}s)")
    print(f"after 10 FULL + 100 INCREMENTAL ({upsert_rows:,} rows) loads: table {out['table_bytes'] / 1e6:,.0f} MB, "
          f"database {out['database_bytes'] / 1e6:,.0f} MB, history per table byte "
          f"{(out['database_bytes'] - out['table_bytes']) / max(out['table_bytes'], 1):.2f}")
    print(f"restore as of after the timed FULL loads: {out['restore_s']:.2f}s; CLONE of the live table "
          f"{out['clone_s']:.2f}s; ratio {out['restore_s'] / out['clone_s']:.2f}x")


if __name__ == "__main__":
    main()
