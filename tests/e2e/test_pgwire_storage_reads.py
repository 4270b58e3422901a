"""Reading storage from a workspace's SQL session: the buckets granted to the project's read-only role are
readable as "bucket"."table" (joins with the workspace's tables, CREATE TABLE AS, COPY TO STDOUT), never
writable, and a revoke closes them again, for cached and prepared statements too. With psycopg2 and
psycopg 3 (server-side prepared statements)."""

from __future__ import annotations

import psycopg
import psycopg2
import psycopg2.errors
import pytest

from pg_support import BUCKET, make_workspace

STORAGE = f'"{BUCKET}"."t"'


def connect(login):
    conn = login.track(psycopg2.connect(**login.kwargs()))
    conn.autocommit = True
    return conn


def rows(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall() if cur.description else None


def denied(conn, sql):
    with pytest.raises(psycopg2.Error) as error:
        rows(conn, sql)
    assert error.value.pgcode == "42501", error.value.pgerror
    return error.value.pgerror


def grant_path(project, bucket=BUCKET):
    return f"{project.path}/branches/default/buckets/{bucket}/readonly-grant"


def test_granted_buckets_are_readable_and_revoke_closes_them(project, login):
    conn = connect(login)
    query = f"SELECT id, name FROM {STORAGE} ORDER BY id"
    message = denied(conn, query)  # not granted yet
    assert BUCKET in message
    project.client.call("PUT", grant_path(project), 204)
    assert rows(conn, query) == [(i, f"n{i}") for i in range(1, 6)]
    # Storage changes show at once (it is read live, not copied).
    project.insert(BUCKET, "t", [{"id": 6, "name": "n6"}])
    assert rows(conn, f"SELECT count(*) FROM {STORAGE}") == [(6,)]
    # A join with the workspace's own table (5 rows loaded before the insert), and a copy into the workspace.
    assert rows(conn, f"SELECT s.id FROM {STORAGE} s LEFT JOIN t USING (id) WHERE t.id IS NULL") == [(6,)]
    rows(conn, f"CREATE TABLE copied AS SELECT * FROM {STORAGE} WHERE id > 3")
    assert rows(conn, "SELECT id FROM copied ORDER BY id") == [(4,), (5,), (6,)]
    rows(conn, f"INSERT INTO t SELECT * FROM {STORAGE} WHERE id = 6")
    assert rows(conn, "SELECT count(*) FROM t") == [(6,)]
    # Case-insensitive names, as DuckDB resolves them; information about the bucket is not widened.
    assert rows(conn, f'SELECT count(*) FROM "{BUCKET.upper()}".T') == [(6,)]
    # Never written, never behind a view or macro that would outlive the grant.
    for sql in (f"INSERT INTO {STORAGE} VALUES (9, 'x')", f"UPDATE {STORAGE} SET name = 'x'",
                f"DELETE FROM {STORAGE}", f"DROP TABLE {STORAGE}", f"ALTER TABLE {STORAGE} ADD COLUMN c INT",
                f"CREATE VIEW v AS SELECT * FROM {STORAGE}",
                f"CREATE MACRO m() AS TABLE SELECT * FROM {STORAGE}",
                f"CREATE TABLE {STORAGE.replace('t', 'x')} (a INT)"):
        denied(conn, sql)
    stored = project.client.call("POST", project.table_path(BUCKET, "t") + "/preview", json={})["rows"]
    assert sorted(r["id"] for r in stored) == [1, 2, 3, 4, 5, 6]  # untouched
    # Revoke: the same text again (the session's statement cache) is refused.
    project.client.call("DELETE", grant_path(project), 204)
    denied(conn, query)
    denied(conn, f"SELECT count(*) FROM {STORAGE}")
    assert rows(conn, "SELECT count(*) FROM copied") == [(3,)]  # what was copied stays


def test_prepared_statement_is_checked_at_every_run(project, login):
    project.client.call("PUT", grant_path(project), 204)
    with psycopg.connect(login.dsn(), autocommit=True) as conn:
        query = f"SELECT name FROM {STORAGE} WHERE id = %s"
        for _ in range(3):  # psycopg 3 prepares it on the server from the second run on
            assert conn.execute(query, (2,), prepare=True).fetchall() == [("n2",)]
        project.client.call("DELETE", grant_path(project), 204)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(query, (2,), prepare=True)


def test_copy_to_stdout_reads_storage(project, login):
    import io
    project.client.call("PUT", grant_path(project), 204)
    conn = connect(login)
    out = io.StringIO()
    with conn.cursor() as cur:
        cur.copy_expert(f"COPY (SELECT id, name FROM {STORAGE} ORDER BY id) TO STDOUT WITH (FORMAT csv)", out)
    assert out.getvalue() == "".join(f"{i},n{i}\n" for i in range(1, 6))


def test_only_the_granted_bucket_and_never_another_project(project, project_factory, login):
    project.create_bucket("in.c-other")
    project.create_table("in.c-other", "o", [{"name": "a", "type": "int"}])
    project.client.call("PUT", grant_path(project), 204)
    conn = connect(login)
    assert rows(conn, f"SELECT count(*) FROM {STORAGE}") == [(5,)]
    denied(conn, 'SELECT * FROM "in.c-other"."o"')
    denied(conn, f'SELECT * FROM {STORAGE} JOIN "in.c-other"."o" ON true')
    # A database-qualified name is refused whatever it names.
    denied(conn, f'SELECT * FROM project.{STORAGE}')
    other = project_factory()
    other.create_bucket(BUCKET)
    other.create_table(BUCKET, "secret", [{"name": "a", "type": "int"}])
    other.client.call("PUT", grant_path(other), 204)
    with pytest.raises(psycopg2.Error) as error:  # this project's bucket of that name has no such table
        rows(conn, f'SELECT * FROM "{BUCKET}"."secret"')
    assert error.value.pgcode == "42P01"


def test_dev_branch_workspace_does_not_read_storage_yet(project):
    project.client.call("POST", f"{project.path}/branches", 201, json={"name": "dev", "id": "dev"})
    login = make_workspace(project, "wsdev", branch="dev")
    try:
        project.client.call("PUT", grant_path(project), 204)
        conn = connect(login)
        denied(conn, f"SELECT * FROM {STORAGE}")
        assert rows(conn, "SELECT count(*) FROM t") == [(5,)]
    finally:
        login.close_all()
