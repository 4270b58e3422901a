"""The PostgreSQL wire door with psycopg 3: the extended protocol (server-side parameters, prepared
statements, binary parameters and results, executemany, pipelining, row-limited fetches)."""

import datetime
import decimal
import uuid

import psycopg
import pytest


def connect(login, **extra):
    return psycopg.connect(login.dsn(**extra), autocommit=True)


VALUES = [
    ("BOOLEAN", True),
    ("SMALLINT", -7),
    ("INTEGER", 2_000_000_000),
    ("BIGINT", -9_000_000_000_000),
    ("DOUBLE", 2.5),
    ("DECIMAL(12,3)", decimal.Decimal("-12345.678")),
    ("VARCHAR", "héllo, wörld"),
    ("BLOB", b"\x00\x01\xfe"),
    ("DATE", datetime.date(1999, 12, 31)),
    ("TIME", datetime.time(23, 59, 58, 123456)),
    ("TIMESTAMP", datetime.datetime(2031, 5, 6, 7, 8, 9, 10)),
    ("TIMESTAMPTZ", datetime.datetime(2031, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)),
    ("INTERVAL", datetime.timedelta(days=3, seconds=7, microseconds=5)),
    ("UUID", uuid.UUID("123e4567-e89b-12d3-a456-426614174000")),
    ("INTEGER[]", [1, None, 3]),
    ("VARCHAR[]", ["a", "b,c", ""]),
]


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("sql_type,value", VALUES, ids=[v[0] for v in VALUES])
def test_round_trip(login, binary, sql_type, value):
    with connect(login) as conn:
        with conn.cursor(binary=binary) as cur:
            cur.execute(f"SELECT %s::{sql_type}", [value])
            assert cur.fetchone()[0] == value


def test_parameters_without_cast_and_nulls(login):
    with connect(login) as conn:
        cur = conn.execute("SELECT name FROM t WHERE id = %s OR name = %s ORDER BY id", [2, "n4"])
        assert cur.fetchall() == [("n2",), ("n4",)]
        assert conn.execute("SELECT %s IS NULL", [None]).fetchone() == (True,)


def test_executemany_and_prepared(login):
    with connect(login) as conn:
        conn.execute("CREATE TABLE m (id INTEGER, v VARCHAR)")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO m VALUES (%s, %s)", [(i, f"v{i}") for i in range(50)])
        for i in range(6):  # psycopg prepares a statement on its fifth use
            assert conn.execute("SELECT v FROM m WHERE id = %s", [i], prepare=True).fetchone() == (f"v{i}",)
        assert conn.execute("SELECT count(*) FROM m").fetchone() == (50,)


def test_pipeline(login):
    with connect(login) as conn:
        with conn.pipeline():
            a = conn.execute("SELECT 1")
            b = conn.execute("SELECT %s::INTEGER * 2", [21])
            c = conn.execute("SELECT count(*) FROM t")
        assert (a.fetchone(), b.fetchone(), c.fetchone()) == ((1,), (42,), (5,))


def test_server_side_cursor_in_portions(login):
    # A named cursor is DECLARE ... CURSOR in psycopg 3; row-limited Execute is exercised by pgjdbc.
    with connect(login) as conn:
        cur = conn.execute("SELECT * FROM range(2500) r(i)")
        assert len(cur.fetchmany(1000)) == 1000
        assert len(cur.fetchall()) == 1500


def test_errors_in_extended_protocol(login):
    with connect(login) as conn:
        with pytest.raises(psycopg.errors.UndefinedTable):
            conn.execute("SELECT * FROM nope WHERE id = %s", [1])
        with pytest.raises(psycopg.errors.UndefinedColumn):
            conn.execute("SELECT nope FROM t WHERE id = %s", [1])
        assert conn.execute("SELECT %s::INTEGER", [5]).fetchone() == (5,)  # the session goes on
