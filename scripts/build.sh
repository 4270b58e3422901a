#!/usr/bin/env bash
# Configures and builds duckstore (Release with debug info) into build/, after bootstrapping dependencies.
# BUILD_DIR overrides the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
# ccache: these settings let it reuse results across clean clones and worktrees.
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
export CCACHE_BASEDIR="$PWD"
# Debug info embeds the working directory; do not hash it, or no two clones ever share a result.
export CCACHE_NOHASHDIR=true
build_dir=${BUILD_DIR:-build}
# Warnings are errors here (CI runs this script); DUCKSTORE_WERROR=OFF relaxes that for a local experiment.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDUCKSTORE_WERROR="${DUCKSTORE_WERROR:-ON}" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"
