#!/usr/bin/env bash
# Installs everything duckstore needs to build and test on Debian 12, idempotently:
# the Debian packages, then from the npm registry the S3 JavaScript clients of the end-to-end suites
# (tests/e2e/js) and DuckDB 1.4.4 (third_party/duckdb); each package-lock.json holds the integrity hashes and
# `npm ci --ignore-scripts` checks them and runs nothing.
# DUCKDB_ROOT=/path (with include/duckdb.hpp and lib/libduckdb.so) skips the npm pin.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git clang-format clang-tidy-22
  libgrpc++-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev
  libboost1.81-dev libboost-url1.81-dev libsqlite3-dev libssl-dev libisal-dev
  nlohmann-json3-dev libspdlog-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  nodejs
)
# prometheus provides promtool (checks /metrics); chromium, chromium-driver and python3-selenium drive the
# dashboard tests in a headless browser.
TEST_PACKAGES=(
  python3 python3-pytest python3-grpcio python3-protobuf python3-boto3 awscli
  python3-psycopg2 python3-requests postgresql-15 curl
  prometheus chromium chromium-driver python3-selenium
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

# Installs the npm pin of <source dir> (package.json + package-lock.json, integrity-checked by `npm ci
# --ignore-scripts`, which runs nothing) into <target dir>; a stamp holding the files' hash makes re-runs free.
npm_pin() {
  local source=$1 target=$2 what=$3
  local stamp="$target/.lock-sha256" want
  want=$(sha256sum "$source/package-lock.json" "$source/package.json" | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "bootstrap: installing $what from the npm registry"
    rm -rf "$target" && mkdir -p "$target"
    cp "$source/package.json" "$source/package-lock.json" "$target/"
    (cd "$target" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
  fi
}

# The S3 client libraries the end-to-end suites drive (AWS SDK for JavaScript v3, minio-js).
npm_pin tests/e2e/js .deps/e2e-js "the pinned S3 JavaScript clients"

if [ -n "${DUCKDB_ROOT:-}" ]; then
  echo "bootstrap: using DuckDB from DUCKDB_ROOT=$DUCKDB_ROOT"
  exit 0
fi
npm_pin third_party/duckdb .deps/duckdb "the pinned DuckDB"
