#!/usr/bin/env bash
# Builds duckstore with the benchmark baselines and runs the named benchmarks (default: all).
# Usage: bench/run.sh [rest] [s3]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
# The same optimized build the server runs from (RelWithDebInfo: -O2), plus the baseline programs.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDUCKSTORE_BUILD_BENCH=ON >/dev/null
cmake --build build --parallel "$(nproc)"
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(rest s3)
for bench in "${benches[@]}"; do
  case "$bench" in
    rest) /usr/bin/python3 bench/rest_api.py build ;;
    s3)
      command -v nginx >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light
      /usr/bin/python3 bench/s3_throughput.py build ;;
    *) echo "unknown benchmark '$bench'" >&2; exit 2 ;;
  esac
done
