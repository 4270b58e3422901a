"""How the cost of the calls users wait on grows with a project's size and a server's number of projects.

One project is filled over REST to 10, 100, 1,000 (and 5,000 with --tables=...,5000 or SCALE_BENCH_TABLES)
tables, in buckets of 50. At each size, on the same server: create, describe (GET) and drop of one table in
the first bucket; a REST page of 10 of the first bucket's tables and the full page of a 50-table bucket; the
storage driver's ObjectInfo of the whole DATABASE and of one TABLE over gRPC (one kept channel). Then, for
servers holding 10, 100, 1,000 projects (SCALE_BENCH_PROJECTS): the time from exec to the ready line on a
restart, the idle RSS right after it, and the RSS once every project was used and then closed as idle.
Each figure is a median of SAMPLES calls; the tables print it against size and as a ratio to the first size.
The raw baseline is DuckDB's own CREATE TABLE in-process (bench/duckdb_baseline), run in the same go.
Usage: bench/run.sh scale   (or: python3 bench/scale.py BUILD_DIR [--tables=10,100,1000] [--projects=10,100])
"""
import json
import os
import statistics
import subprocess
import sys
import time

import grpc

from harness import ROOT, Server

sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from driver_client import Driver  # noqa: E402  (stubs generated from proto/)
from keboola.storage_driver import info_pb2, service_pb2_grpc  # noqa: E402

BUCKET_SIZE = 50
SAMPLES = 21
COLUMNS = [{"name": "id", "type": "INTEGER", "nullable": False}, {"name": "amount", "type": "DECIMAL(12,2)"},
           {"name": "note", "type": "VARCHAR"}]
IDLE_CLOSE_SECONDS = 2


def sizes(argument, variable, default):
    for arg in sys.argv[2:]:
        if arg.startswith(f"--{argument}="):
            return [int(n) for n in arg.split("=", 1)[1].split(",")]
    return [int(n) for n in os.environ.get(variable, default).split(",")]


def median_ms(fn, samples=SAMPLES):
    times = []
    for i in range(samples):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def bucket_name(index):
    return f"in.c-b{index:03d}"


class Project:
    """A project on `server` filled table by table; `grow(n)` adds tables until it holds n."""

    def __init__(self, server):
        self.server = server
        self.conn = server.connection()
        self.key = server.call(self.conn, "POST", "/projects", server.admin_key, {"id": "scale"})["api_key"]
        self.base = "/projects/scale/branches/default/buckets"
        self.tables = 0
        self.channel = grpc.insecure_channel(f"{server.host}:{server.grpc_port}")
        self.stub = service_pb2_grpc.StorageDriverServiceStub(self.channel)

        class Address:
            grpc_address = f"{server.host}:{server.grpc_port}"
        self.driver = Driver(Address(), "grpc", self.key, "scale")

    def call(self, method, path, body=None):
        return self.server.call(self.conn, method, path, self.key, body)

    def grow(self, target):
        while self.tables < target:
            bucket, slot = divmod(self.tables, BUCKET_SIZE)
            if slot == 0:
                self.call("POST", self.base, {"name": bucket_name(bucket)})
            self.call("POST", f"{self.base}/{bucket_name(bucket)}/tables", {"name": f"t{slot:02d}", "columns": COLUMNS})
            self.tables += 1

    def object_info(self, object_type, path):
        request = self.driver.request(info_pb2.ObjectInfoCommand(expectedObjectType=object_type, path=path))
        self.stub.Execute(request, timeout=60)

    def measure(self):
        first = bucket_name(0)
        tables = f"{self.base}/{first}/tables"
        out = {}
        # Create then drop the same name, so the project keeps its size; each measured apart.
        create, drop = [], []
        for i in range(SAMPLES):
            start = time.perf_counter()
            self.call("POST", tables, {"name": f"probe{i}", "columns": COLUMNS})
            create.append((time.perf_counter() - start) * 1e3)
            start = time.perf_counter()
            self.call("DELETE", f"{tables}/probe{i}")
            drop.append((time.perf_counter() - start) * 1e3)
        out["create"] = statistics.median(create)
        out["drop"] = statistics.median(drop)
        out["describe"] = median_ms(lambda i: self.call("GET", f"{tables}/t00"))
        out["list 10"] = median_ms(lambda i: self.call("GET", f"{tables}?limit=10"))
        if self.tables >= BUCKET_SIZE:
            out["list 50"] = median_ms(lambda i: self.call("GET", f"{tables}?limit={BUCKET_SIZE}"))
        out["info db"] = median_ms(lambda i: self.object_info(info_pb2.DATABASE, ["scale"]))
        out["info table"] = median_ms(lambda i: self.object_info(info_pb2.TABLE, [first, "t00"]))
        return out


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def measure_projects(binary, counts):
    """{count: {"start ms", "rss MB", "rss used MB"}} for servers holding `count` projects."""
    results = {}
    server = Server(binary, ["--idle-close-seconds", str(IDLE_CLOSE_SECONDS)])
    data_dir, made = server.data_dir, 0
    try:
        conn = server.connection()
        for count in counts:
            while made < count:
                server.call(conn, "POST", "/projects", server.admin_key, {"id": f"p{made:05d}"})
                made += 1
            server.stop(keep_data=True)
            start = time.monotonic()
            server = Server(binary, ["--idle-close-seconds", str(IDLE_CLOSE_SECONDS)], data_dir=data_dir)
            started_ms = (time.monotonic() - start) * 1e3
            with open(os.path.join(data_dir, "secrets", "admin.key")) as key:
                server.admin_key = key.read().strip()
            time.sleep(1)
            idle = rss_mb(server.proc.pid)
            conn = server.connection()
            for index in range(count):  # opens every project database once
                server.call(conn, "GET", f"/projects/p{index:05d}/branches/default/buckets", server.admin_key)
            peak = rss_mb(server.proc.pid)
            time.sleep(IDLE_CLOSE_SECONDS + 6)  # the idle closer runs every 5 s
            results[count] = {"start ms": started_ms, "rss MB": idle, "rss peak MB": peak,
                              "rss after idle MB": rss_mb(server.proc.pid)}
    finally:
        server.stop()
    return results


def print_table(title, unit, results, first_label):
    labels = list(results)
    # In the order of the largest size's figures, which has them all.
    metrics = list(dict.fromkeys(m for figures in reversed(list(results.values())) for m in figures))
    print(f"\n{title} (median {unit}; x = ratio to {first_label})")
    print(f"{'':>18}" + "".join(f"{label:>20}" for label in labels))
    for metric in metrics:
        row = f"{metric:>18}"
        base = results[labels[0]].get(metric)
        for label in labels:
            value = results[label].get(metric)
            if value is None:
                row += f"{'-':>20}"
            else:
                ratio = f" ({value / base:.2f}x)" if base else ""
                row += f"{value:>11.1f}{ratio:>9}"
        print(row)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    binary = os.path.join(build, "duckstore")
    table_sizes = sizes("tables", "SCALE_BENCH_TABLES", "10,100,1000")
    project_counts = sizes("projects", "SCALE_BENCH_PROJECTS", "10,100,1000")

    by_size = {}
    server = Server(binary)
    try:
        project = Project(server)
        for size in table_sizes:
            fill = time.monotonic()
            project.grow(size)
            print(f"filled to {size} tables in {time.monotonic() - fill:.1f} s", flush=True)
            by_size[f"{size} tables"] = project.measure()
    finally:
        server.stop()
    baseline = json.loads(subprocess.run([os.path.join(build, "bench", "duckdb_baseline"), "200", "1"],
                                         capture_output=True, text=True, check=True).stdout)
    by_projects = measure_projects(binary, project_counts)

    print_table("One project by number of tables (REST and driver over gRPC)", "ms", by_size,
                f"{table_sizes[0]} tables")
    duckdb_ms = baseline["create_median_us"] / 1e3
    print(f"\nDuckDB's own CREATE TABLE in-process: median {duckdb_ms:.2f} ms; REST create / DuckDB: " +
          ", ".join(f"{label} {figures['create'] / duckdb_ms:.1f}x" for label, figures in by_size.items()))
    print_table("Server by number of projects", "start ms, RSS MB", {f"{n} projects": r for n, r in by_projects.items()},
                f"{project_counts[0]} projects")


if __name__ == "__main__":
    main()
