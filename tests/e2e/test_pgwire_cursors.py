"""Server-side cursors of the PostgreSQL door (DECLARE / FETCH / MOVE / CLOSE): psycopg2's named cursors,
psycopg 3's ServerCursor (parameters, binary results, Describe of the cursor's portal), the statements as
psql sends them with their command tags, and the errors PostgreSQL gives."""

from __future__ import annotations

import psycopg
import psycopg2
import psycopg2.errors
import pytest

ROWS = 10_000  # several DuckDB chunks (2,048 rows each)


@pytest.fixture
def big(login):
    conn = login.track(psycopg2.connect(**login.kwargs()))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"CREATE TABLE big AS SELECT i AS id, 'v' || i AS v FROM range({ROWS}) r(i)")
    return login


def test_psycopg2_named_cursor_streams_in_batches(big):
    conn = big.track(psycopg2.connect(**big.kwargs()))
    with conn.cursor(name="walk") as cur:  # DECLARE "walk" CURSOR WITHOUT HOLD FOR ... in a transaction
        cur.itersize = 3000  # FETCH FORWARD 3000 FROM "walk", over chunk boundaries
        cur.execute("SELECT id, v FROM big WHERE id >= %s ORDER BY id", (10,))
        got = list(cur)
        assert [d.name for d in cur.description] == ["id", "v"]
    assert got == [(i, f"v{i}") for i in range(10, ROWS)]
    with conn.cursor(name="some") as cur:
        cur.execute("SELECT id FROM big ORDER BY id")
        assert cur.fetchmany(5) == [(i,) for i in range(5)]
        cur.scroll(100)  # MOVE FORWARD 100
        assert cur.fetchone() == (105,)
        assert len(cur.fetchall()) == ROWS - 106
    conn.commit()
    # A cursor WITHOUT HOLD ends with its transaction; WITH HOLD outlives it.
    with conn.cursor(name="held", withhold=True) as cur:
        cur.execute("SELECT count(*) FROM big")
        conn.commit()
        assert cur.fetchone() == (ROWS,)
    conn.commit()


def test_psycopg3_server_cursor_with_parameters_and_binary(big):
    with psycopg.connect(big.dsn()) as conn:
        with conn.cursor(name="p3") as cur:  # DECLARE with $1, then Describe of the portal "p3"
            cur.execute("SELECT id, v FROM big WHERE id < %s ORDER BY id", (2500,))
            assert [d.name for d in cur.description] == ["id", "v"]
            assert cur.fetchmany(3) == [(0, "v0"), (1, "v1"), (2, "v2")]
            assert len(cur.fetchall()) == 2497
        with conn.cursor(name="p3b", binary=True) as cur:
            cur.execute("SELECT id, v FROM big WHERE id BETWEEN %s AND %s ORDER BY id", (7, 9))
            assert cur.fetchall() == [(7, "v7"), (8, "v8"), (9, "v9")]


def test_statements_and_tags(big):
    conn = big.track(psycopg2.connect(**big.kwargs()))
    conn.autocommit = True  # the transaction is the test's own
    cur = conn.cursor()
    cur.execute("BEGIN")
    cur.execute("DECLARE c CURSOR FOR SELECT id FROM big ORDER BY id")
    assert cur.statusmessage == "DECLARE CURSOR"
    cur.execute("FETCH 2 FROM c")
    assert cur.fetchall() == [(0,), (1,)] and cur.statusmessage == "FETCH 2"
    cur.execute("MOVE FORWARD 5000 IN c")
    assert cur.statusmessage == "MOVE 5000"
    cur.execute("FETCH NEXT FROM c")
    assert cur.fetchall() == [(5002,)]
    cur.execute("FETCH ALL FROM c")
    assert len(cur.fetchall()) == ROWS - 5003 and cur.statusmessage == f"FETCH {ROWS - 5003}"
    cur.execute("FETCH c")  # at the end: no rows
    assert cur.fetchall() == [] and cur.statusmessage == "FETCH 0"
    cur.execute('DECLARE "Mixed" CURSOR FOR VALUES (1), (2)')
    cur.execute('FETCH ALL FROM "Mixed"')
    assert cur.fetchall() == [(1,), (2,)]
    cur.execute("CLOSE c")
    assert cur.statusmessage == "CLOSE CURSOR"
    cur.execute("CLOSE ALL")
    cur.execute("COMMIT")


@pytest.mark.parametrize("sql,state", [
    ("FETCH 1 FROM nope", "34000"),
    ("CLOSE nope", "34000"),
    ("DECLARE s SCROLL CURSOR FOR SELECT 1", "0A000"),
    ("DECLARE c CURSOR FOR SELECT 1", "42P03"),  # c is declared already
    ("FETCH BACKWARD 1 FROM c", "0A000"),
    ("DECLARE d CURSOR FOR INSERT INTO big VALUES (1, 'x')", "42601"),
    ("DECLARE d CURSOR FOR SELECT * FROM read_csv('/etc/passwd')", "42501"),
])
def test_errors(big, sql, state):
    conn = big.track(psycopg2.connect(**big.kwargs()))
    with conn.cursor() as cur:
        cur.execute("DECLARE c CURSOR FOR SELECT 1")
        with pytest.raises(psycopg2.Error) as error:
            cur.execute(sql)
        assert error.value.pgcode == state, error.value.pgerror
    conn.rollback()


def test_declare_outside_a_transaction_needs_hold(big):
    conn = big.track(psycopg2.connect(**big.kwargs()))
    conn.autocommit = True
    with conn.cursor() as cur:
        with pytest.raises(psycopg2.errors.NoActiveSqlTransaction):
            cur.execute("DECLARE c CURSOR FOR SELECT 1")
        cur.execute("DECLARE h CURSOR WITH HOLD FOR SELECT id FROM big ORDER BY id LIMIT 3")
        cur.execute("FETCH ALL FROM h")
        assert cur.fetchall() == [(0,), (1,), (2,)]
        cur.execute("CLOSE h")
        with pytest.raises(psycopg2.errors.InvalidCursorName):
            cur.execute("FETCH h")
