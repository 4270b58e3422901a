"""Fixtures for the end-to-end suites: the real duckstore binary, started once per session (`server`) or per
test (`fresh_server`), an admin client, a fresh project per test, and for the S3 suites a boto3 client of the
project's key with a fresh bucket. See harness.py and s3util.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness import Client, Project, Server, binary, unique_id
from pg_support import make_workspace
from s3util import client as s3_client


def pytest_configure(config):
    if not os.access(binary(), os.X_OK):
        raise pytest.UsageError(f"duckstore binary not found at {binary()}; build it or set DUCKSTORE_BIN")


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    """One server for the whole session; it must exit 0 on SIGTERM at the end."""
    base = tmp_path_factory.mktemp("duckstore")
    srv = Server(base / "data", base / "logs").start()
    yield srv
    code = srv.stop()
    assert code == 0, f"session server exited with {code} on SIGTERM\n{srv.tail()}"


@pytest.fixture
def fresh_server(tmp_path) -> Server:
    """A server of its own on a new data dir, for restart and shutdown tests; the test may stop and restart it."""
    srv = Server(tmp_path / "data", tmp_path / "logs").start()
    yield srv
    if srv.running:
        srv.stop()


@pytest.fixture
def admin(server) -> Client:
    return server.admin()


@pytest.fixture
def anonymous(server) -> Client:
    return server.client(None)


@pytest.fixture
def project_factory(server):
    """Creates projects (ids unique per call) and deletes them after the test."""
    created: list[Project] = []

    def make(**fields) -> Project:
        project = Project(server, **fields)
        created.append(project)
        return project

    yield make
    for project in created:
        project.delete()


@pytest.fixture
def project(project_factory) -> Project:
    """A new project with its project_admin key, owned by this test."""
    return project_factory()


@pytest.fixture
def s3(server, project):
    """boto3 (Debian's) on the S3 API with the project's key, path-style."""
    return s3_client(server, project.key)


@pytest.fixture
def bucket(s3) -> str:
    """A new bucket of the project."""
    name = unique_id("b")
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def login(project):
    """A workspace of the project with its SQL login (pg_support.Login); its tracked connections are closed
    after the test."""
    login = make_workspace(project)
    yield login
    login.close_all()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and Server.started:
        # The running servers and the one started last (a test's own server may already be stopped).
        shown = [s for s in Server.started if s.running or s is Server.started[-1]]
        for srv in shown:
            report.sections.append((f"duckstore log tail ({srv.data_dir})", srv.tail()))
