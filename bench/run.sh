#!/usr/bin/env bash
# Builds duckstore with the benchmark baselines and runs the named benchmarks (default: all).
# Usage: bench/run.sh [rest] [import] [s3] [das] [driver] [pgwire] [history] [scale]   (default: all). Scale with
#   IMPORT_BENCH_ROWS / IMPORT_BENCH_UPSERT_ROWS / IMPORT_BENCH_ROUNDS (default 3) /
#   IMPORT_BENCH_FLAGS=--imports-only (import),
#   DAS_BENCH_ROWS (DAS scan, default 10,000,000),
#   S3_BENCH_SIZE_MB / S3_BENCH_COMPLETE_GB / S3_BENCH_RUNS (S3, e.g. 256 / 1 / 1 on a busy machine),
#   DRIVER_BENCH_ROWS / DRIVER_BENCH_SECONDS / DRIVER_BENCH_THREADS (driver),
#   PGWIRE_BENCH_ROWS / PGWIRE_BENCH_SECONDS / PGWIRE_BENCH_SESSIONS / PGWIRE_BENCH_QUERIES (pgwire),
#   HISTORY_BENCH_ROWS / HISTORY_BENCH_UPSERT_ROWS / HISTORY_BENCH_ROUNDS (history),
#   SCALE_BENCH_TABLES (default 10,100,1000; add 5000, slow) / SCALE_BENCH_PROJECTS (10,100,1000) (scale).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
# The same optimized build the server runs from (RelWithDebInfo: -O2), plus the baseline programs.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDUCKSTORE_BUILD_BENCH=ON >/dev/null
cmake --build build --parallel "$(nproc)"
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(rest import s3 das driver pgwire history scale)
for bench in "${benches[@]}"; do
  case "$bench" in
    rest) /usr/bin/python3 bench/rest_api.py build ;;
    das) /usr/bin/python3 bench/das_scan.py build ${DAS_BENCH_ROWS:-10000000} ;;
    driver) /usr/bin/python3 bench/driver_commands.py build ;;
    pgwire) /usr/bin/python3 bench/pgwire.py build ${PGWIRE_BENCH_ROWS:-1000000} ;;
    scale) /usr/bin/python3 bench/scale.py build ;;
    history) /usr/bin/python3 bench/history.py build ${HISTORY_BENCH_ROWS:-10000000} ${HISTORY_BENCH_UPSERT_ROWS:-100000} --rounds=${HISTORY_BENCH_ROUNDS:-3} ;;
    import) /usr/bin/python3 bench/import_export.py build ${IMPORT_BENCH_ROWS:-10000000} ${IMPORT_BENCH_UPSERT_ROWS:-1000000} --rounds=${IMPORT_BENCH_ROUNDS:-3} ${IMPORT_BENCH_FLAGS:-} ;;
    s3)
      command -v nginx >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light
      /usr/bin/python3 bench/s3_throughput.py build ;;
    *) echo "unknown benchmark '$bench'" >&2; exit 2 ;;
  esac
done
