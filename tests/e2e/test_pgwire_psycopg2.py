"""The PostgreSQL wire door with psycopg2 (libpq): login (SCRAM, TLS, denials), simple queries, types,
errors with their SQLSTATEs, transactions, confinement to the workspace, cancel."""

import datetime
import decimal
import threading
import time
import uuid

import psycopg2
import psycopg2.errors
import pytest

from harness import Server
from pg_support import make_workspace


def connect(login, **extra):
    return login.track(psycopg2.connect(**login.kwargs(**extra)))


def test_select_workspace_table(login):
    with connect(login) as conn, conn.cursor() as cur:
        cur.execute("SELECT id, name FROM t ORDER BY id")
        assert cur.fetchall() == [(i, f"n{i}") for i in range(1, 6)]
        assert [d.name for d in cur.description] == ["id", "name"]
        cur.execute("SELECT 1; SELECT 2, 3")  # several statements: the last result is psycopg2's
        assert cur.fetchall() == [(2, 3)]


def test_repeated_query_follows_schema_changes(login):
    """A simple query's text is prepared once per session and reused; a change of the table by this or another
    session shows in the next run (columns described and rows), and a write reused runs every time."""
    conn, other = connect(login), connect(login)  # closed by the fixture
    conn.autocommit = other.autocommit = True
    with conn.cursor() as cur, other.cursor() as ocur:
        cur.execute("CREATE TABLE reuse (id INTEGER)")
        for i in range(3):
            cur.execute("INSERT INTO reuse VALUES (1)")
            assert cur.rowcount == 1
        cur.execute("SELECT * FROM reuse ORDER BY id")
        assert cur.fetchall() == [(1,), (1,), (1,)] and [d.name for d in cur.description] == ["id"]
        ocur.execute("ALTER TABLE reuse ADD COLUMN label VARCHAR DEFAULT 'x'")
        cur.execute("SELECT * FROM reuse ORDER BY id")
        assert cur.fetchall() == [(1, "x")] * 3 and [d.name for d in cur.description] == ["id", "label"]
        cur.execute("DROP TABLE reuse")
        with pytest.raises(psycopg2.errors.UndefinedTable):
            cur.execute("SELECT * FROM reuse ORDER BY id")
        cur.execute("CREATE TABLE reuse (id VARCHAR)")
        cur.execute("INSERT INTO reuse VALUES (1)")
        cur.execute("SELECT * FROM reuse ORDER BY id")
        assert cur.fetchall() == [("1",)]
        assert cur.description[0].type_code == 25  # text now, int4 before


def test_types_in_text_format(login):
    with connect(login) as conn, conn.cursor() as cur:
        cur.execute("""SELECT true, 7::SMALLINT, 8::INTEGER, 9::BIGINT, 12.50::DECIMAL(10,2), 1.5::DOUBLE,
                              'x y'::VARCHAR, '\\x01\\xff'::BLOB, DATE '2024-02-29', TIME '12:34:56.5',
                              TIMESTAMP '2024-01-02 03:04:05.25', TIMESTAMPTZ '2024-01-02 03:04:05+00',
                              INTERVAL '1 year 2 months 3 days 04:05:06', '123e4567-e89b-12d3-a456-426614174000'::UUID,
                              [1, 2, NULL]::INTEGER[], ['a', 'b c']::VARCHAR[], 170141183460469231731687303715884105727::HUGEINT,
                              {'a': 1, 'b': 'x'}, NULL::INTEGER""")
        row = cur.fetchone()
    assert row[:7] == (True, 7, 8, 9, decimal.Decimal("12.50"), 1.5, "x y")
    assert bytes(row[7]) == b"\x01\xff"
    assert row[8] == datetime.date(2024, 2, 29)
    assert row[9] == datetime.time(12, 34, 56, 500000)
    assert row[10] == datetime.datetime(2024, 1, 2, 3, 4, 5, 250000)
    assert row[11] == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert row[12] == datetime.timedelta(days=365 + 60 + 3, hours=4, minutes=5, seconds=6)
    assert row[13] == "123e4567-e89b-12d3-a456-426614174000"
    assert row[14] == [1, 2, None] and row[15] == ["a", "b c"]
    assert row[16] == decimal.Decimal("170141183460469231731687303715884105727")
    assert row[17] == {"a": 1, "b": "x"}
    assert row[18] is None


def test_writes_and_command_tags(login):
    with connect(login) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE u (id INTEGER, v VARCHAR)")
        cur.execute("INSERT INTO u VALUES (%s, %s), (%s, %s)", (1, "a", 2, "it's"))
        assert cur.rowcount == 2 and cur.statusmessage == "INSERT 0 2"
        cur.execute("UPDATE u SET v = 'b' WHERE id = 1")
        assert cur.statusmessage == "UPDATE 1"
        cur.execute("SELECT v FROM u ORDER BY id")
        assert cur.fetchall() == [("b",), ("it's",)]
        cur.execute("DELETE FROM u")
        assert cur.statusmessage == "DELETE 2"
        # DDL whose DuckDB result still carries a row (its count): no row reaches the client.
        cur.execute("CREATE TABLE w AS SELECT i AS id FROM range(1000) r(i)")
        assert cur.description is None
        cur.execute("SELECT count(*), sum(id) FROM w")
        assert cur.fetchall() == [(1000, 499500)]


@pytest.mark.parametrize("sql,state", [
    ("SELEC 1", "42601"),
    ("SELECT * FROM missing_table", "42P01"),
    ("SELECT missing_column FROM t", "42703"),
    ("SELECT 1/0::INTEGER + 'x'::INTEGER", "22P02"),
])
def test_error_sqlstates(login, sql, state):
    with connect(login) as conn, conn.cursor() as cur:
        with pytest.raises(psycopg2.Error) as e:
            cur.execute(sql)
        assert e.value.pgcode == state, e.value.pgerror


def test_failed_transaction_until_rollback(login):
    conn = connect(login)
    try:
        cur = conn.cursor()  # psycopg2 opens a transaction block before the first statement
        cur.execute("INSERT INTO t VALUES (100, 'x')")
        assert conn.info.transaction_status == psycopg2.extensions.TRANSACTION_STATUS_INTRANS
        with pytest.raises(psycopg2.errors.UndefinedTable):
            cur.execute("SELECT * FROM nope")
        assert conn.info.transaction_status == psycopg2.extensions.TRANSACTION_STATUS_INERROR
        with pytest.raises(psycopg2.errors.InFailedSqlTransaction):
            cur.execute("SELECT 1")
        conn.rollback()
        cur.execute("SELECT count(*) FROM t")
        assert cur.fetchone() == (5,)  # the insert was rolled back
        conn.commit()
    finally:
        conn.close()


def test_set_show_and_parameters(login):
    conn = connect(login, application_name="first")
    conn.autocommit = True
    try:
        cur = conn.cursor()
        cur.execute("SHOW application_name")
        assert cur.fetchone() == ("first",)
        cur.execute("SET application_name = 'second'")
        assert conn.get_parameter_status("application_name") == "second"
        cur.execute("SHOW transaction isolation level")
        assert cur.fetchone()[0]
        cur.execute("SET TIME ZONE 'UTC'")
        with pytest.raises(psycopg2.errors.InvalidParameterValue):
            cur.execute("SET client_encoding = 'LATIN1'")
        assert conn.server_version >= 150000
    finally:
        conn.close()


@pytest.mark.parametrize("sql", [
    'SELECT * FROM "in.c-pg".t',        # storage is not the workspace's schema
    "SELECT * FROM read_csv('/etc/passwd')",
    "ATTACH '/tmp/x.duckdb' AS x",
    "COPY t TO '/tmp/out.csv'",
    "SET enable_external_access = true",
])
def test_confinement(login, sql):
    with connect(login) as conn, conn.cursor() as cur:
        with pytest.raises(psycopg2.Error) as e:
            cur.execute(sql)
        assert e.value.pgcode in ("42501", "42601"), e.value.pgerror


def test_wrong_password_and_unknown_user_fail_alike(login):
    with pytest.raises(psycopg2.OperationalError) as wrong:
        psycopg2.connect(**login.kwargs(password="wrong"))
    with pytest.raises(psycopg2.OperationalError) as unknown:
        psycopg2.connect(**login.kwargs(user="ws_nobody"))
    assert f'password authentication failed for user "{login.user}"' in str(wrong.value)
    assert 'password authentication failed for user "ws_nobody"' in str(unknown.value)
    # Another workspace's name as database: the user does not belong to it.
    with pytest.raises(psycopg2.OperationalError) as other:
        psycopg2.connect(**login.kwargs(dbname="other"))
    assert "password authentication failed" in str(other.value)


def test_tls_require_and_verify_full(login):
    with connect(login, sslmode="require") as conn, conn.cursor() as cur:
        cur.execute("SELECT 1")
        assert conn.info.ssl_in_use
    with connect(login, sslmode="verify-full", sslrootcert=login.cert, host="localhost") as conn:
        assert conn.info.ssl_in_use
    # Channel binding (SCRAM-SHA-256-PLUS) when the client demands it.
    with connect(login, sslmode="require", channel_binding="require") as conn:
        assert conn.info.ssl_in_use
    with pytest.raises(psycopg2.OperationalError):
        connect(login, sslmode="disable", channel_binding="require")


def test_cancel_interrupts_running_statement(login):
    conn = connect(login)
    try:
        cur = conn.cursor()
        timer = threading.Timer(1.0, conn.cancel)
        timer.start()
        started = time.monotonic()
        with pytest.raises(psycopg2.errors.QueryCanceled):
            cur.execute("SELECT count(*) FROM range(100000000000) a")
        assert time.monotonic() - started < 30
        conn.rollback()
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
    finally:
        conn.close()


def test_require_tls_refuses_plaintext(tmp_path, project_factory):
    srv = Server(tmp_path / "data", tmp_path / "logs", extra_args=["--pg-require-tls"]).start()
    try:
        from harness import Project
        project = Project(srv)
        login = make_workspace(project)
        with pytest.raises(psycopg2.OperationalError) as e:
            psycopg2.connect(**login.kwargs(sslmode="disable"))
        assert "TLS" in str(e.value)
        with psycopg2.connect(**login.kwargs(sslmode="require")) as conn:
            assert conn.info.ssl_in_use
    finally:
        srv.stop()


def test_malformed_startup_gets_fatal_and_server_survives(login):
    import socket
    import struct
    with socket.create_connection((login.host, login.port)) as s:
        s.sendall(struct.pack("!II", 8, 2 << 16))  # protocol 2.0
        reply = s.recv(1000)
        assert reply[:1] == b"E" and b"FATAL" in reply and b"0A000" in reply
    with socket.create_connection((login.host, login.port)) as s:
        s.sendall(struct.pack("!I", 0x7FFFFFFF))  # an absurd length
        reply = s.recv(1000)
        assert reply[:1] == b"E" and b"FATAL" in reply
    with connect(login) as conn, conn.cursor() as cur:
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
