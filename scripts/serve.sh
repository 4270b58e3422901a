#!/usr/bin/env bash
# Builds duckstore if needed and starts it on the embedded default: data in ./data, every listener on
# 127.0.0.1 (HTTP 8000, gRPC 50051). The admin key is printed on the first start. Extra arguments go to
# `duckstore serve` (e.g. --http-port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
exec ./build/duckstore serve --data-dir ./data "$@"
