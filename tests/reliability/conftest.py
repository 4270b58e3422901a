"""The reliability suites run the real binary with the e2e suites' clients (tests/e2e: harness, s3util,
driver_client, import_support), which this puts on sys.path. Settings come from the environment:

- CRASH_KILLS: how many times the crash suite kills the server (default 20, the CI run; scripts/reliability.sh
  runs 200);
- CRASH_SEED: the workload's seed (default: a random one, printed, so a failing run can be replayed).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from harness import Server, binary  # noqa: E402


def pytest_configure(config):
    if not os.access(binary(), os.X_OK):
        raise pytest.UsageError(f"duckstore binary not found at {binary()}; build it or set DUCKSTORE_BIN")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and Server.started:
        srv = Server.started[-1]
        report.sections.append((f"duckstore log tail ({srv.data_dir})", srv.tail()))
