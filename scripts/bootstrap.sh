#!/usr/bin/env bash
# Installs everything duckstore needs to build and test on Debian 12, idempotently:
# the Debian packages, then DuckDB 1.4.4 pinned from the npm registry (third_party/duckdb/package-lock.json
# holds the integrity hashes; `npm ci --ignore-scripts` checks them and runs nothing).
# DUCKDB_ROOT=/path (with include/duckdb.hpp and lib/libduckdb.so) skips the npm pin.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git clang-format clang-tidy
  libgrpc++-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev
  libboost1.81-dev libboost-url1.81-dev libsqlite3-dev libssl-dev
  nlohmann-json3-dev libspdlog-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  nodejs
)
TEST_PACKAGES=(
  python3 python3-pytest python3-grpcio python3-protobuf python3-boto3 awscli
  python3-psycopg2 python3-requests postgresql-15 curl
  python3-psycopg python3-sqlalchemy libpostgresql-jdbc-java default-jdk-headless
)

missing=()
for p in "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm ships inside some nodejs builds (the machine image has one); Debian's separate npm package otherwise.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ -n "${DUCKDB_ROOT:-}" ]; then
  echo "bootstrap: using DuckDB from DUCKDB_ROOT=$DUCKDB_ROOT"
  exit 0
fi

# The npm pin installs into .deps/duckdb; a stamp holding the lock file's hash makes re-runs free.
pin_dir=.deps/duckdb
lock=third_party/duckdb/package-lock.json
stamp="$pin_dir/.lock-sha256"
want=$(sha256sum "$lock" third_party/duckdb/package.json | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "bootstrap: installing the pinned DuckDB from the npm registry"
  rm -rf "$pin_dir" && mkdir -p "$pin_dir"
  cp third_party/duckdb/package.json "$lock" "$pin_dir/"
  (cd "$pin_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
fi
