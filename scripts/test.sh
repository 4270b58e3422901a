#!/usr/bin/env bash
# Runs every test: the GoogleTest unit suites (through CTest), then the end-to-end pytest suites against the
# real binary, then the reliability suites' short forms (tests/reliability: the crash-consistency run with 20
# kill -9s; scripts/reliability.sh runs the long forms). Bootstraps and builds first. Exits non-zero if
# anything fails. Arguments go to the end-to-end pytest run.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
echo "== formatting (clang-format)"
git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/unit/*.cpp' 'tests/unit/*.hpp' 'bench/*.cpp' | xargs clang-format --dry-run --Werror
echo "== layering (scripts/check_layers.py)"
python3 scripts/check_layers.py
echo "== static analysis (clang-tidy)"
./scripts/lint.sh --strict
echo "== unit tests (ctest)"
ctest --test-dir build --output-on-failure --parallel "$(nproc)"
echo "== end-to-end tests (pytest)"
# Debian's python3 carries the grpcio, protobuf and boto3 the suites use.
DUCKSTORE_BIN="$PWD/build/duckstore" /usr/bin/python3 -m pytest tests/e2e -q -p no:cacheprovider "$@"
echo "== reliability (pytest tests/reliability, CRASH_KILLS=20)"
CRASH_KILLS=20 DUCKSTORE_BIN="$PWD/build/duckstore" /usr/bin/python3 -m pytest tests/reliability -q -s -p no:cacheprovider
