"""The driver's GrantWorkspaceAccessToProject / RevokeWorkspaceAccessToProject: the project user (the key
CreateProject answered) logs in to a workspace's SQL door with the key as password once granted, reads and
writes it like the workspace's own user, and is refused again (28P01, open sessions ended with 57P01) after a
revoke, a key revocation or rotation. With the real clients: grpcio for the driver, psycopg2 for the door."""

from __future__ import annotations

import psycopg2
import psycopg2.errors
import pytest

from driver_client import Driver, expect_driver_error
from harness import Server, unique_id
from keboola.storage_driver import project_pb2, workspace_pb2

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Its own server: the tests fail logins on purpose, and the door throttles failed logins per address."""
    base = tmp_path_factory.mktemp("pggrants")
    srv = Server(base / "data", base / "logs").start()
    yield srv
    assert srv.stop() == 0, srv.tail()


class DriverProject:
    """A project made by CreateProject, its workspace `ws` with table t(id, name) of 3 rows, and the door's
    connection parameters."""

    def __init__(self, server):
        admin = Driver(server, "grpc", server.admin_key)
        self.server = server
        self.id = unique_id("pggrant")
        created = admin.execute(project_pb2.CreateProjectCommand(projectId=self.id)).response
        self.user, self.key = created.projectUserName, created.projectPassword
        self.drv = admin.as_project(self.id, self.key)
        ws = self.drv.execute(workspace_pb2.CreateWorkspaceCommand(workspaceId="ws")).response
        self.workspace = ws.workspaceObjectName
        self.ws_login = (ws.workspaceUserName, ws.workspacePassword)
        self.rest = server.client(self.key)
        self.opened = []
        with self.connect(*self.ws_login) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE t (id INTEGER, name VARCHAR)")
            cur.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')")

    def grant(self, user=None, workspace=None):
        return self.drv.execute(workspace_pb2.GrantWorkspaceAccessToProjectCommand(
            workspaceObjectName=workspace or self.workspace, projectUserName=user or self.user,
            workspaceUserName=self.ws_login[0]))

    def revoke(self, user=None):
        return self.drv.execute(workspace_pb2.RevokeWorkspaceAccessToProjectCommand(
            workspaceObjectName=self.workspace, projectUserName=user or self.user))

    def connect(self, user, password, workspace=None):
        conn = psycopg2.connect(host=self.server.pg_host, port=self.server.pg_port, user=user, password=password,
                                dbname=workspace or self.workspace, connect_timeout=10, sslmode="require")
        conn.autocommit = True
        self.opened.append(conn)
        return conn

    def close(self):
        for conn in self.opened:
            conn.close()
        self.server.admin().delete(f"/projects/{self.id}")


@pytest.fixture
def proj(server):
    p = DriverProject(server)
    yield p
    p.close()


def refused(proj, user, password, workspace=None):
    with pytest.raises(psycopg2.OperationalError) as error:
        proj.connect(user, password, workspace)
    assert f'password authentication failed for user "{user}"' in str(error.value)


def rows(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall() if cur.description else None


def assert_ended(conn):
    with pytest.raises(psycopg2.OperationalError):
        rows(conn, "SELECT 1")
    assert conn.closed


def test_grant_lets_the_project_user_log_in_and_revoke_ends_it(proj):
    refused(proj, proj.user, proj.key)  # no grant yet
    assert proj.grant().response is None
    conn = proj.connect(proj.user, proj.key)
    assert rows(conn, "SELECT current_user, current_database()") == [(proj.user, proj.workspace)]
    assert rows(conn, "SELECT id, name FROM t ORDER BY id") == [(1, "a"), (2, "b"), (3, "c")]
    rows(conn, "INSERT INTO t VALUES (4, 'd')")  # read-write, like the workspace's user
    with proj.connect(*proj.ws_login) as other:
        assert rows(other, "SELECT count(*) FROM t") == [(4,)]
    # The session is listed under the key id, beside the workspace user's.
    sessions = proj.rest.call("GET", f"/projects/{proj.id}/branches/default/workspaces/ws/sessions")["sessions"]
    assert proj.user in {s["user"] for s in sessions}
    # Granting again changes nothing; a wrong password is still wrong.
    proj.grant()
    assert rows(conn, "SELECT 1") == [(1,)]
    refused(proj, proj.user, proj.key[:-1] + ("0" if proj.key[-1] != "0" else "1"))
    # Revoke: the open session ends, the workspace user's does not, the key logs in no more.
    bystander = proj.connect(*proj.ws_login)
    assert proj.revoke().response is None
    assert_ended(conn)
    assert rows(bystander, "SELECT count(*) FROM t") == [(4,)]
    refused(proj, proj.user, proj.key)
    proj.revoke()  # revoking what is not granted is a no-op
    # The key still works everywhere else.
    assert proj.rest.call("GET", f"/projects/{proj.id}")["id"] == proj.id


def test_a_grant_is_for_one_workspace(proj):
    proj.drv.execute(workspace_pb2.CreateWorkspaceCommand(workspaceId="ws2"))
    proj.grant()
    refused(proj, proj.user, proj.key, workspace="ws2")
    proj.grant(workspace="ws2")
    assert rows(proj.connect(proj.user, proj.key, "ws2"), "SELECT current_database()") == [("ws2",)]
    # Dropping a workspace takes its grants with it.
    proj.drv.execute(workspace_pb2.DropWorkspaceCommand(workspaceObjectName="ws2", isCascade=True))
    proj.drv.execute(workspace_pb2.CreateWorkspaceCommand(workspaceId="ws2"))
    refused(proj, proj.user, proj.key, workspace="ws2")


def test_revoking_or_rotating_the_key_ends_its_logins(proj):
    second = proj.rest.call("POST", f"/projects/{proj.id}/api-keys", 201,
                            json={"scope": "project_admin", "description": "second admin"})
    proj.grant(user=second["id"])
    conn = proj.connect(second["id"], second["api_key"])
    proj.rest.call("DELETE", f"/projects/{proj.id}/api-keys/{second['id']}", 204)
    assert_ended(conn)
    refused(proj, second["id"], second["api_key"])
    # A revoked key cannot be granted.
    expect_driver_error(lambda: proj.grant(user=second["id"]), "INVALID_ARGUMENT", 3000, "api_key_not_usable")
    # Rotation: the old key's sessions end, and the new key has no grant until given one.
    proj.grant()
    conn = proj.connect(proj.user, proj.key)
    rotated = proj.rest.call("POST", f"/projects/{proj.id}/api-keys/{proj.user}/rotate", 201)
    assert_ended(conn)
    refused(proj, rotated["id"], rotated["api_key"])
    proj.drv = proj.drv.as_project(proj.id, rotated["api_key"])
    proj.grant(user=rotated["id"])
    assert rows(proj.connect(rotated["id"], rotated["api_key"]), "SELECT count(*) FROM t") == [(3,)]


def test_only_keys_that_may_write_the_branch_are_granted(proj, server):
    reader = proj.rest.call("POST", f"/projects/{proj.id}/api-keys", 201,
                            json={"scope": "branch_read", "branch_id": "default", "description": "reader"})
    expect_driver_error(lambda: proj.grant(user=reader["id"]), "PERMISSION_DENIED", 2007)
    refused(proj, reader["id"], reader["api_key"])
    # A key of another project, an unknown key, an unknown workspace, missing fields.
    other = DriverProject(server)
    try:
        expect_driver_error(lambda: proj.grant(user=other.user), "NOT_FOUND", 2000, "api_key_not_found")
        expect_driver_error(lambda: proj.grant(user="DSK0000000000000000"), "NOT_FOUND", 2000,
                            "api_key_not_found")
        expect_driver_error(lambda: proj.grant(workspace="nope"), "NOT_FOUND", 2000, "workspace_not_found")
        # Another project's key granted to its own workspace logs in there, never here.
        other.grant()
        with other.connect(other.user, other.key) as conn:
            rows(conn, "INSERT INTO t VALUES (100, 'other')")
        with proj.connect(*proj.ws_login) as conn:
            assert rows(conn, "SELECT count(*) FROM t WHERE id = 100") == [(0,)]
    finally:
        other.close()
    expect_driver_error(lambda: proj.drv.execute(workspace_pb2.GrantWorkspaceAccessToProjectCommand(
        projectUserName=proj.user)), "INVALID_ARGUMENT", 3000)
    expect_driver_error(lambda: proj.drv.execute(workspace_pb2.RevokeWorkspaceAccessToProjectCommand(
        workspaceObjectName="ws")), "INVALID_ARGUMENT", 3000)


def test_deleting_the_project_ends_its_sessions(server):
    proj = DriverProject(server)
    proj.grant()
    by_key = proj.connect(proj.user, proj.key)
    by_user = proj.connect(*proj.ws_login)
    assert server.admin().delete(f"/projects/{proj.id}").status_code == 204
    assert_ended(by_key)
    assert_ended(by_user)
