"""Sessions of the PostgreSQL door seen from the REST door: listing a workspace's sessions with their state
and query, ending one (FATAL 57P01), sessions ended when their workspace or user goes or the password is
reset, statement_timeout (57014) and idle_in_transaction_session_timeout (FATAL 25P03); with psycopg2."""

import threading
import time

import psycopg2
import psycopg2.errors
import pytest

from harness import Server, expect_error
from pg_support import make_workspace

LONG_QUERY = "SELECT count(*) FROM range(100000000000) a"  # about a minute: every test ends it


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """This module's own server: its tests make logins fail on purpose (a reset password, a dropped user or
    workspace), and the door throttles failed logins per source address, which on the shared server would
    refuse the logins of the suites that run after this one."""
    base = tmp_path_factory.mktemp("pgsessions")
    srv = Server(base / "data", base / "logs").start()
    yield srv
    assert srv.stop() == 0, srv.tail()


def connect(login, **extra):
    conn = login.track(psycopg2.connect(**login.kwargs(**extra)))
    conn.autocommit = True
    return conn


def sessions_path(project, workspace="ws1"):
    return f"{project.path}/branches/default/workspaces/{workspace}/sessions"


def list_sessions(project, workspace="ws1"):
    body = project.client.call("GET", sessions_path(project, workspace))
    return {s["pid"]: s for s in body["sessions"]}


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


class Running:
    """A statement running on its own thread; `error` is what it raised."""

    def __init__(self, conn, sql):
        self.error = None
        self.thread = threading.Thread(target=self._run, args=(conn, sql), daemon=True)
        self.thread.start()

    def _run(self, conn, sql):
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
        except Exception as e:  # noqa: BLE001 -- the test asserts on it
            self.error = e

    def join(self, timeout=30.0):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the statement did not end"
        return self.error


def assert_ended(conn):
    """The session was ended by the server: the next call fails and the connection is closed. (psycopg2 with
    libpq 15 reports only "server closed the connection unexpectedly" (or TLS's EOF), not the FATAL it
    received first: test_fatal_reaches_the_client checks that with psql, which prints it.)"""
    with pytest.raises(psycopg2.OperationalError):
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
    assert conn.closed


def psql_session(login, script, sslmode="require"):
    """Runs psql with `script` fed on stdin as it goes (a list of (delay_seconds, line))."""
    import subprocess
    env = {"PGPASSWORD": login.password, "PGSSLMODE": sslmode, "PATH": "/usr/bin:/bin"}
    feed = "; ".join(f"sleep {delay}; echo {line!r}" for delay, line in script)
    return subprocess.run(["bash", "-c", f"({feed}) | psql -X -h {login.host} -p {login.port} "
                           f"-U {login.user} -d {login.database}"],
                          capture_output=True, text=True, env=env, timeout=60)


def test_list_shows_sessions_with_state_and_query(project, login):
    idle = connect(login, application_name="idle-one")
    with idle.cursor() as cur:
        cur.execute("SELECT 41 + 1")
        assert cur.fetchone() == (42,)
    busy = connect(login)
    running = Running(busy, LONG_QUERY)
    sessions = wait_for(lambda: (s := list_sessions(project)) and
                        s.get(busy.info.backend_pid, {}).get("state") == "active" and s)
    assert set(sessions) == {idle.info.backend_pid, busy.info.backend_pid}
    one = sessions[busy.info.backend_pid]
    assert one["query"] == LONG_QUERY
    assert one["user"] == login.user and one["client_address"] == "127.0.0.1"
    assert one["started_at"].endswith("Z") and one["query_started_at"].endswith("Z")
    other = sessions[idle.info.backend_pid]
    assert other["state"] == "idle" and other["query"] == "SELECT 41 + 1"
    # In a transaction block.
    idle.autocommit = False
    with idle.cursor() as cur:
        cur.execute("SELECT 1")
    assert list_sessions(project)[idle.info.backend_pid]["state"] == "idle in transaction"
    idle.rollback()
    assert list_sessions(project)[idle.info.backend_pid]["state"] == "idle"
    # Another workspace lists none of them.
    project.client.call("POST", f"{project.path}/branches/default/workspaces", 201, json={"id": "ws2"})
    assert list_sessions(project, "ws2") == {}
    busy.cancel()
    assert isinstance(running.join(), psycopg2.errors.QueryCanceled)


def test_delete_ends_a_running_session(project, login):
    victim = connect(login)
    bystander = connect(login)
    running = Running(victim, LONG_QUERY)
    pid = victim.info.backend_pid
    wait_for(lambda: list_sessions(project).get(pid, {}).get("state") == "active")
    started = time.monotonic()
    project.client.call("DELETE", f"{sessions_path(project)}/{pid}", 204)
    error = running.join()
    assert time.monotonic() - started < 10
    assert isinstance(error, psycopg2.OperationalError)  # AdminShutdown is one
    assert victim.closed
    wait_for(lambda: pid not in list_sessions(project))
    with bystander.cursor() as cur:  # the others go on
        cur.execute("SELECT count(*) FROM t")
        assert cur.fetchone() == (5,)
    with connect(login).cursor() as cur:  # and new ones log in
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)


def test_delete_ends_an_idle_session(project, login):
    conn = connect(login)
    pid = conn.info.backend_pid
    project.client.call("DELETE", f"{sessions_path(project)}/{pid}", 204)
    wait_for(lambda: pid not in list_sessions(project))
    assert_ended(conn)


def test_delete_unknown_or_foreign_session_is_404(project, login):
    conn = connect(login)
    pid = conn.info.backend_pid
    project.client.call("POST", f"{project.path}/branches/default/workspaces", 201, json={"id": "ws2"})
    for path in (f"{sessions_path(project)}/999999", f"{sessions_path(project)}/abc",
                 f"{sessions_path(project, 'ws2')}/{pid}"):
        expect_error(project.client.request("DELETE", path), 404, "session_not_found")
    expect_error(project.client.request("GET", sessions_path(project, "nope")), 404, "workspace_not_found")
    with conn.cursor() as cur:  # untouched
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)


def test_dropping_the_workspace_ends_its_sessions(project, login):
    idle = connect(login)
    busy = connect(login)
    running = Running(busy, LONG_QUERY)
    wait_for(lambda: list_sessions(project).get(busy.info.backend_pid, {}).get("state") == "active")
    project.client.call("DELETE", f"{project.path}/branches/default/workspaces/ws1", 204)
    error = running.join()
    assert isinstance(error, psycopg2.OperationalError)
    assert_ended(idle)
    with pytest.raises(psycopg2.OperationalError):  # its user is gone with it
        psycopg2.connect(**login.kwargs())


def test_password_reset_and_user_drop_end_that_users_sessions(project, login):
    base = f"{project.path}/branches/default/workspaces/ws1/users"
    other = project.client.call("POST", base, 201)
    first = connect(login)
    second = login.track(psycopg2.connect(**{**login.kwargs(), "user": other["user"],
                                             "password": other["password"]}))
    reset = project.client.call("POST", f"{base}/{login.user}/reset-password", 200)
    assert_ended(first)
    with second.cursor() as cur:  # another user's session is not touched
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
    login.password = reset["password"]
    again = connect(login)
    project.client.call("DELETE", f"{base}/{other['user']}", 204)
    assert_ended(second)
    with again.cursor() as cur:
        cur.execute("SELECT 2")
        assert cur.fetchone() == (2,)


def test_statement_timeout_cancels_the_statement(login):
    conn = connect(login)
    with conn.cursor() as cur:
        cur.execute("SET statement_timeout = 200")
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone() == ("200",)
        started = time.monotonic()
        with pytest.raises(psycopg2.errors.QueryCanceled) as e:
            cur.execute("SELECT count(*) FROM range(10000000000)")  # about 5 s without the timeout
        assert time.monotonic() - started < 4
        assert e.value.pgcode == "57014"
        assert "canceling statement due to statement timeout" in str(e.value)
        cur.execute("SELECT count(*) FROM t")  # the session goes on
        assert cur.fetchone() == (5,)
        cur.execute("SET statement_timeout = 0")
        cur.execute("SELECT count(*) FROM range(1000000)")
        assert cur.fetchone() == (1000000,)


def test_idle_in_transaction_timeout_ends_the_session(project, login):
    conn = connect(login)
    with conn.cursor() as cur:
        cur.execute("SET idle_in_transaction_session_timeout = 300")
        cur.execute("SELECT 1")
        time.sleep(0.6)
        cur.execute("SELECT 2")  # idle outside a transaction block: not ended
        assert cur.fetchone() == (2,)
    conn.autocommit = False
    pid = conn.info.backend_pid
    with conn.cursor() as cur:
        cur.execute("SELECT 3")  # psycopg2 opens a transaction block
    wait_for(lambda: pid not in list_sessions(project), timeout=5)
    # psycopg2 raises IdleInTransactionSessionTimeout (class 25: an InternalError) when it reads the FATAL,
    # OperationalError when it only finds the connection closed.
    with pytest.raises(psycopg2.Error):
        with conn.cursor() as cur:
            cur.execute("SELECT 4")
    assert conn.closed


@pytest.mark.parametrize("sslmode", ["disable", "require"])
def test_fatal_reaches_the_client(project, login, sslmode):
    """What the client receives before the connection closes, as psql prints it."""
    def kill():
        pids = wait_for(lambda: list(list_sessions(project)))
        project.client.call("DELETE", f"{sessions_path(project)}/{pids[0]}", 204)

    threading.Timer(1.0, kill).start()
    out = psql_session(login, [(0, "select 1 as one;"), (3, "select 2 as two;")], sslmode)
    assert " one \n-----\n   1" in out.stdout and "two" not in out.stdout, out.stdout
    assert "FATAL:  terminating connection due to administrator command" in out.stderr, out.stderr
    out = psql_session(login, [(0, "SET idle_in_transaction_session_timeout = 300;"), (0, "BEGIN;"),
                               (2, "select 3 as three;")], sslmode)
    assert "three" not in out.stdout, out.stdout
    assert "FATAL:  terminating connection due to idle-in-transaction timeout" in out.stderr, out.stderr


def test_server_stop_ends_idle_sessions_at_once(tmp_path):
    """SIGTERM: an idle session ends with FATAL 57P01 right away (the registry stops every connection's reads);
    a running statement is interrupted at --shutdown-timeout."""
    from harness import Project, Server
    srv = Server(tmp_path / "data", tmp_path / "logs", extra_args=["--shutdown-timeout", "2"]).start()
    try:
        login = make_workspace(Project(srv))
        idle = psycopg2.connect(**login.kwargs())
        busy = psycopg2.connect(**login.kwargs())
        running = Running(busy, "SELECT count(*) FROM range(1000000000000) a")  # minutes
        time.sleep(0.5)
        started = time.monotonic()
        assert srv.stop() == 0
        assert time.monotonic() - started < 15
        assert isinstance(running.join(), psycopg2.OperationalError)
        assert_ended(idle)
    finally:
        srv.kill()
