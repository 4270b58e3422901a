#!/usr/bin/env bash
# Runs clang-tidy with the repository's .clang-tidy over src/, using build/compile_commands.json (run
# scripts/build.sh first). Parallel, with a per-file result cache under ~/.cache (scripts/lint.py).
# Prints the findings and their count per file; fails on findings with --strict or DUCKSTORE_LINT_STRICT=1
# (scripts/test.sh, so CI, passes --strict: the tree is clean), and always when clang-tidy itself fails.
# Arguments: [-j N] [--strict] [files or folders of the repository...]
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 scripts/lint.py "$@"
