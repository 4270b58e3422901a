"""Instructions per driver PreviewTable call, counted by callgrind: a figure that does not move with machine
load, for comparing two builds where wall-clock throughput is too noisy (docs/benchmarks.md, issue 12).

Starts duckstore under `valgrind --tool=callgrind` with instrumentation off, sets up the table of
bench/driver_commands.py, turns instrumentation on for CALLS PreviewTable calls (100 rows x 8 columns) from
one Python client, off again, and prints the instructions per call of the whole process and of the driver's
dispatch. DUCKSTORE_PROJECT_THREADS=1 is set: with more DuckDB threads the executor's polling for task
completion is counted too, and under callgrind (which runs one thread at a time) that count follows the
scheduling, not the work.
Usage: python3 bench/callgrind_preview.py BUILD_DIR [CALLS=100]   (build with bench/run.sh's configuration)
"""
import os
import re
import subprocess
import sys
import tempfile

import driver_commands
import harness
from keboola.storage_driver import table_pb2


def callgrind_popen(out_file):
    plain = subprocess.Popen

    def popen(args, **kwargs):
        if not (isinstance(args, list) and args[0].endswith("/duckstore")):
            return plain(args, **kwargs)
        return plain(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out_file}",
                      *args], **kwargs)

    return popen


def inclusive(out_file, function):
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out_file],
                          capture_output=True, text=True, check=True).stdout
    counts = [int(m.group(1).replace(",", "")) for m in
              re.finditer(r"^\s*([\d,]+) \([^)]*\)\s+\S*" + re.escape(function), text, re.M)]
    return max(counts, default=0)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    os.environ["DUCKSTORE_PROJECT_THREADS"] = "1"
    out_file = os.path.join(tempfile.mkdtemp(prefix="duckstore-callgrind-"), "callgrind.out")
    harness.subprocess.Popen = callgrind_popen(out_file)
    server = harness.Server(os.path.join(build, "duckstore"))
    try:
        address, key = driver_commands.setup(server, 10000)

        class Address:
            grpc_address = address
            http_url = ""

        driver = driver_commands.Driver(Address(), "grpc", server.admin_key).as_project("bench", key)
        preview = table_pb2.PreviewTableCommand(path=[driver_commands.BUCKET], tableName=driver_commands.TABLE,
                                                columns=[name for name, _ in driver_commands.COLUMNS])
        preview.filters.limit = 100
        for _ in range(5):  # warm caches before counting
            driver.execute(preview)
        subprocess.run(["callgrind_control", "-i", "on", str(server.proc.pid)], check=True, capture_output=True)
        for _ in range(calls):
            driver.execute(preview)
        subprocess.run(["callgrind_control", "-i", "off", str(server.proc.pid)], check=True, capture_output=True)
    finally:
        server.stop()
    with open(out_file) as f:
        total = int(re.search(r"^totals: (\d+)", f.read(), re.M).group(1))
    dispatch = inclusive(out_file, "duckstore::driver::Dispatcher::Execute(")
    print(f"PreviewTable under callgrind, {calls} calls: {total / calls / 1e6:.2f} M instructions per call "
          f"(whole process), {dispatch / calls / 1e6:.2f} M in Dispatcher::Execute")


if __name__ == "__main__":
    main()
