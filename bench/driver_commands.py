"""Storage driver command throughput: PreviewTable (100 rows) and ObjectInfo (TABLE) over gRPC against an empty
gRPC round trip (the DAS HealthCheck) on the same server, in the same run, from the C++ client
bench/driver_bench_client (closed loop, THREADS concurrent callers, SECONDS per phase).

Steps: start duckstore; create a project, bucket and an 8-column table through the driver and fill it with
ROWS rows (ExecuteQuery INSERT ... FROM range()); run the client; print calls/s, rows/s, latencies and the
ratio of each command's time per call to the empty round trip's.
Usage: bench/run.sh driver   (or: python3 bench/driver_commands.py BUILD_DIR)
Environment: DRIVER_BENCH_ROWS (10000), DRIVER_BENCH_SECONDS per phase (10), DRIVER_BENCH_THREADS (4).
"""
import json
import os
import subprocess
import sys

from harness import ROOT, Server

sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from driver_client import Driver  # noqa: E402  (stubs generated from proto/)
from keboola.storage_driver import bucket_pb2, execute_query_pb2, project_pb2, table_pb2  # noqa: E402

BUCKET, TABLE = "in.c-bench", "orders"
COLUMNS = [("id", "BIGINT"), ("customer", "VARCHAR"), ("amount", "DECIMAL(12,2)"), ("status", "VARCHAR"),
           ("created", "TIMESTAMP"), ("note", "VARCHAR"), ("qty", "INTEGER"), ("_timestamp", "TIMESTAMP")]


def setup(server, rows):
    class Address:
        grpc_address = f"{server.host}:{server.grpc_port}"
        http_url = f"http://{server.host}:{server.port}"

    admin = Driver(Address(), "grpc", server.admin_key)
    created = admin.execute(project_pb2.CreateProjectCommand(projectId="bench")).response
    drv = admin.as_project("bench", created.projectPassword)
    drv.execute(bucket_pb2.CreateBucketCommand(bucketId=BUCKET))
    drv.execute(table_pb2.CreateTableCommand(
        path=[BUCKET], tableName=TABLE, primaryKeysNames=["id"],
        columns=[table_pb2.TableColumnShared(name=name, type=type_, nullable=name != "id") for name, type_ in COLUMNS]))
    result = drv.execute(execute_query_pb2.ExecuteQueryCommand(pathRestriction=[BUCKET], query=f"""
        INSERT INTO {TABLE}
        SELECT i, 'customer-' || (i % 977), (i % 100000) / 100.0, ['open', 'paid', 'refund'][1 + i % 3],
               TIMESTAMP '2024-01-01' + to_seconds(i), 'a note of modest length for row ' || i, i % 50,
               TIMESTAMP '2024-06-01' + to_seconds(i)
        FROM range({rows}) t(i)""")).response
    assert result.status == execute_query_pb2.ExecuteQueryResponse.Success, result.message
    return Address.grpc_address, created.projectPassword


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    rows = int(os.environ.get("DRIVER_BENCH_ROWS", "10000"))
    seconds = float(os.environ.get("DRIVER_BENCH_SECONDS", "10"))
    threads = int(os.environ.get("DRIVER_BENCH_THREADS", "4"))
    server = Server(os.path.join(build, "duckstore"))
    try:
        address, key = setup(server, rows)
        out = subprocess.run([os.path.join(build, "bench", "driver_bench_client"), address, "bench", key, BUCKET,
                              TABLE, str(seconds), str(threads), *[name for name, _ in COLUMNS]],
                             capture_output=True, text=True, check=True).stdout
    finally:
        server.stop()
    result = json.loads(out)
    empty = result["empty"]
    empty_rate = empty["calls"] / empty["seconds"]
    print(f"driver benchmark: {threads} client threads, {seconds:g} s per phase, table of {rows} rows x "
          f"{len(COLUMNS)} columns")
    print(f"empty gRPC round trip (DAS HealthCheck): {empty_rate:,.0f} calls/s, p50 {empty['p50_us']:.0f} us, "
          f"p99 {empty['p99_us']:.0f} us")
    for phase, label in (("info", "ObjectInfo TABLE"), ("preview", "PreviewTable 100 rows")):
        r = result[phase]
        rate = r["calls"] / r["seconds"]
        extra = f", {r['rows'] / r['seconds']:,.0f} rows/s" if r["rows"] else ""
        print(f"{label}: {rate:,.0f} calls/s{extra}, p50 {r['p50_us']:.0f} us, p99 {r['p99_us']:.0f} us | "
              f"{empty_rate / rate:.1f}x the empty round trip's time per call")


if __name__ == "__main__":
    main()
