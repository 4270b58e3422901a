"""Reproduces the known defect of docs/design/reliability.md ("Known defects"): a FULL import killed while it
commits can come back with its new rows beside the old ones.

    DUCKSTORE_BIN=build/duckstore /usr/bin/python3 tests/reliability/crash/repro_torn_import.py [seed] [tries]

Each try commits a FULL import of fewer rows than one DuckDB row group (so the history copy of the replaced
rows travels inside the WAL, making the commit's WAL write long), then starts a FULL import of 2-3 row groups
(written to the database file before the commit, "optimistically") and kills the server with SIGKILL around
the time the import commits. Before the restart the data directory is copied: a copy that comes back with
old + new rows is kept (printed), and starting duckstore on it shows the defect every time. Exits 1 when it
reproduced (about one try in 30-40 on the machine of docs/design/reliability.md), 0 otherwise.
"""

from __future__ import annotations

import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "e2e"))

from driver_client import Driver  # noqa: E402
from harness import Project, Server  # noqa: E402
from keboola.storage_driver import execute_query_pb2  # noqa: E402

ROW_GROUP = 122_880  # DuckDB's rows per row group


def main(seed: int, tries: int) -> int:
    rng = random.Random(seed)
    base = Path(tempfile.mkdtemp(prefix="duckstore-torn-import-"))
    server = Server(base / "data", base / "logs").start()
    project = Project(server)
    project.create_bucket("in.c-x")
    project.create_table("in.c-x", "t", [{"name": "id", "type": "INTEGER"}, {"name": "v", "type": "INTEGER"}])

    def count() -> int:
        command = execute_query_pb2.ExecuteQueryCommand(pathRestriction=["in.c-x"], query="SELECT count(*) AS n FROM t")
        return int(dict(Driver(server, "grpc", project.key, project.id).execute(command).response.data.rows[0].fields)["n"])

    def import_rows(n: int, v: int):
        client = server.client(project.key)
        csv = ("id,v\n" + "".join(f"{i},{v}\n" for i in range(n))).encode()
        file_id = client.call("POST", f"{project.path}/files", 201, data=csv, params={"name": "t.csv"})["id"]
        return lambda: client.post(project.table_path("in.c-x", "t") + "/import", timeout=300,
                                   json={"file_id": file_id, "import_type": "full", "timestamp_mode": "none"})

    try:
        for attempt in range(tries):
            old = rng.randint(ROW_GROUP // 2, ROW_GROUP - 1)
            started = time.monotonic()
            assert import_rows(old, 1)().status_code == 200
            took = time.monotonic() - started
            new = rng.randint(2 * ROW_GROUP, 3 * ROW_GROUP)
            killed_import = import_rows(new, 2)
            worker = threading.Thread(target=lambda: _quietly(killed_import))
            worker.start()
            time.sleep(took * rng.uniform(0.8, 1.1))  # empirically around the big import's commit
            server.stop(signal.SIGKILL)
            worker.join()
            snapshot = base / f"data-before-restart-{attempt}"
            shutil.copytree(server.data_dir, snapshot)
            server.start()
            got = count()
            state = {old: "old", new: "new", old + new: "OLD AND NEW"}.get(got, "other")
            print(f"try {attempt}: old {old}, new {new}, after the restart {got} ({state})", flush=True)
            if got not in (old, new):
                print(f"reproduced; the data directory before the restart is kept in {snapshot}", flush=True)
                return 1
            shutil.rmtree(snapshot)
        return 0
    finally:
        if server.running:
            server.stop()


def _quietly(call):
    try:
        call()
    except Exception:  # the server is killed under the request
        pass


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1, int(sys.argv[2]) if len(sys.argv) > 2 else 60))
