"""COPY ... TO STDOUT and FROM STDIN on the PostgreSQL wire door, with psql (\\copy and COPY), psycopg2
(copy_expert) and psycopg 3 (cursor.copy): text and CSV formats, options, NULLs and escapes, bad data and
CopyFail leaving nothing behind, COPY inside a transaction block."""

import io
import os
import subprocess

import psycopg
import psycopg2
import pytest


def psql(login, *args, stdin=None):
    env = {**os.environ, "PGPASSWORD": login.password, "PGCONNECT_TIMEOUT": "10"}
    cmd = ["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", login.host, "-p", str(login.port),
           "-U", login.user, "-d", login.database, *args]
    return subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True, timeout=60)


def rows(login, sql):
    with login.track(psycopg.connect(login.dsn(), autocommit=True)) as conn:
        return conn.execute(sql).fetchall()


def test_psql_copy_to_stdout_text_and_csv(login):
    out = psql(login, "-c", "COPY (SELECT id, name FROM t WHERE id <= 2 ORDER BY id) TO STDOUT")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "1\tn1\n2\tn2\n"
    out = psql(login, "-c", "COPY (SELECT id, name, NULL AS z FROM t WHERE id = 3) TO STDOUT WITH (FORMAT csv, HEADER)")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "id,name,z\n3,n3,\n"


def test_psql_backslash_copy_round_trip(login, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text('id,name\n10,"comma, and ""quote"""\n11,\n12,"two\nlines"\n')
    out = psql(login, "-c", "CREATE TABLE c (id INTEGER, name VARCHAR)",
               "-c", f"\\copy c FROM '{source}' WITH (FORMAT csv, HEADER)")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "COPY 3" or "COPY 3" in out.stdout + out.stderr
    assert rows(login, "SELECT id, name FROM c ORDER BY id") == [
        (10, 'comma, and "quote"'), (11, None), (12, "two\nlines")]
    target = tmp_path / "out.txt"
    out = psql(login, "-c", f"\\copy (SELECT id, name FROM c ORDER BY id) TO '{target}'")
    assert out.returncode == 0, out.stderr
    assert target.read_text() == '10\tcomma, and "quote"\n11\t\\N\n12\ttwo\\nlines\n'


def test_psycopg2_copy_expert_both_ways(login):
    conn = login.track(psycopg2.connect(**login.kwargs()))
    cur = conn.cursor()
    cur.execute("CREATE TABLE p2 (id INTEGER, day DATE, amount DECIMAL(10,2), note VARCHAR)")
    data = io.StringIO("1|2024-01-02|10.50|tab\\there\n2|\\N|-3.25|back\\\\slash\n")
    cur.copy_expert("COPY p2 FROM STDIN WITH (DELIMITER '|')", data)
    assert cur.rowcount == 2
    conn.commit()
    out = io.StringIO()
    cur.copy_expert("COPY p2 TO STDOUT WITH (FORMAT csv)", out)
    assert out.getvalue() == "1,2024-01-02,10.50,tab\there\n2,,-3.25,back\\slash\n"
    # Bad data: a clear error, and nothing of that COPY stays.
    with pytest.raises(psycopg2.errors.InvalidTextRepresentation):
        cur.copy_expert("COPY p2 (id) FROM STDIN", io.StringIO("3\nnot-a-number\n"))
    conn.rollback()
    with pytest.raises(psycopg2.errors.BadCopyFileFormat, match="missing data for column"):
        cur.copy_expert("COPY p2 FROM STDIN", io.StringIO("4\t2024-01-01\n"))
    conn.rollback()
    cur.execute("SELECT count(*) FROM p2")
    assert cur.fetchone() == (2,)


def test_psycopg3_copy_rows_transactions_and_copy_fail(login):
    with login.track(psycopg.connect(login.dsn())) as conn:
        conn.execute("CREATE TABLE p3 (id INTEGER PRIMARY KEY, name VARCHAR)")
        conn.commit()
        with conn.cursor() as cur:
            with cur.copy("COPY p3 (id, name) FROM STDIN") as copy:
                for i in range(1, 2001):
                    copy.write_row((i, f"name {i}" if i % 7 else None))
            assert cur.rowcount == 2000
        conn.commit()
        # The client gives up mid-COPY (CopyFail carrying its reason): the server answers query_canceled with
        # that reason, as PostgreSQL does; nothing of the COPY stays and the session goes on.
        with pytest.raises(psycopg.errors.QueryCanceled, match="client stops"):
            with conn.cursor() as cur:
                with cur.copy("COPY p3 FROM STDIN") as copy:
                    copy.write_row((5000, "x"))
                    raise RuntimeError("client stops")
        conn.rollback()
        # A duplicate key inside a transaction block fails the block; ROLLBACK undoes the earlier insert too.
        conn.execute("INSERT INTO p3 VALUES (9000, 'in block')")
        with pytest.raises(psycopg.errors.UniqueViolation):
            with conn.cursor() as cur:
                with cur.copy("COPY p3 FROM STDIN") as copy:
                    copy.write_row((1, "duplicate"))
        conn.rollback()
        with conn.cursor() as cur:
            with cur.copy("COPY (SELECT id, name FROM p3 WHERE id IN (1, 7, 2000) ORDER BY id) TO STDOUT") as copy:
                out = b"".join(bytes(data) for data in copy)
        assert out == b"1\tname 1\n7\t\\N\n2000\tname 2000\n"
        assert conn.execute("SELECT count(*), max(id) FROM p3").fetchone() == (2000, 2000)


def test_copy_outside_the_workspace_is_refused(login):
    out = psql(login, "-c", "COPY t TO '/tmp/duckstore-copy-escape.csv'")
    assert out.returncode != 0 and not os.path.exists("/tmp/duckstore-copy-escape.csv")
    out = psql(login, "-c", "COPY other_db.main.t FROM STDIN", stdin="1\tx\n\\.\n")
    assert out.returncode != 0
    out = psql(login, "-c", "COPY t TO STDOUT (FORMAT parquet)")
    assert out.returncode != 0 and "not supported" in out.stderr
