"""ExecuteQuery's error channel and scripts, over every driver transport (gRPC, protobuf JSON and binary):
errors DuckDB reports about the SQL text (parse, bind, execution) and timeouts are answered in-band
(ExecuteQueryResponse.status = Error, message); errors about the command (credentials, missing scope,
scope violations, unknown role) stay statuses. A text of several statements runs as one script: every
statement checked first, run in order in one transaction, the last statement's rows answered."""

from __future__ import annotations

import pytest

from driver_client import TRANSPORTS, Driver, expect_driver_error
from harness import unique_id
from keboola.storage_driver import bucket_pb2, execute_query_pb2, project_pb2

Query = execute_query_pb2.ExecuteQueryCommand
Success, Error = execute_query_pb2.ExecuteQueryResponse.Success, execute_query_pb2.ExecuteQueryResponse.Error
B = "in.c-q"


@pytest.fixture(params=TRANSPORTS)
def drv(request, server):
    """A project with bucket in.c-q and table s(id INTEGER PRIMARY KEY, v VARCHAR) holding (1, a), (2, b)."""
    admin = Driver(server, request.param, server.admin_key)
    project_id = unique_id("drvq")
    created = admin.execute(project_pb2.CreateProjectCommand(projectId=project_id)).response
    client = admin.as_project(project_id, created.projectPassword)
    client.created = created
    client.execute(bucket_pb2.CreateBucketCommand(bucketId=B))
    ok(client, "CREATE TABLE s (id INTEGER PRIMARY KEY, v VARCHAR); INSERT INTO s VALUES (1, 'a'), (2, 'b')")
    yield client
    admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=project_id))


def query(drv, sql, scope=B, **fields):
    return drv.execute(Query(pathRestriction=[scope], query=sql, **fields)).response


def ok(drv, sql, **fields):
    response = query(drv, sql, **fields)
    assert response.status == Success, response.message
    return [dict(r.fields) for r in response.data.rows]


def failed(drv, sql, **fields) -> str:
    response = query(drv, sql, **fields)
    assert response.status == Error, response
    assert not response.data.columns and not response.data.rows
    return response.message


def contents(drv):
    return ok(drv, "SELECT id, v FROM s ORDER BY id")


def test_sql_errors_are_in_band(drv):
    assert "syntax error" in failed(drv, "SELEC 1")  # parse
    assert "syntax error" in failed(drv, "SELECT 1; SELEC 2")  # parse, in a script
    assert "no statement" in failed(drv, ";")
    assert "nope" in failed(drv, "SELECT nope FROM s")  # bind
    assert "missing" in failed(drv, "SELECT * FROM missing")  # bind: no such table
    assert "Could not convert" in failed(drv, "SELECT CAST('x' AS INTEGER)")  # execution
    assert "Duplicate key" in failed(drv, "INSERT INTO s VALUES (1, 'again')")  # constraint
    assert "timeout" in failed(drv, "SELECT count(*) FROM range(100000000000) a", timeout=1)
    assert contents(drv) == [{"id": "1", "v": "a"}, {"id": "2", "v": "b"}]


def test_command_errors_stay_statuses(drv, server):
    expect_driver_error(lambda: drv.execute(Query(query="SELECT 1")), "INVALID_ARGUMENT", 3000)  # no scope
    expect_driver_error(lambda: query(drv, ""), "INVALID_ARGUMENT", 3000)  # no query
    expect_driver_error(lambda: query(drv, "SELECT 1", scope="in.c-none"), "NOT_FOUND", 2003, "bucket_not_found")
    expect_driver_error(lambda: query(drv, "SELECT * FROM _duckstore.tables"), "PERMISSION_DENIED", 2007,
                        "query_out_of_scope")
    role = Query(pathRestriction=[B], query="SELECT 1")
    role.snowflakeRole.roleName = "someone_else"
    expect_driver_error(lambda: drv.execute(role), "PERMISSION_DENIED", 2007, "unknown_read_only_role")
    stranger = Driver(server, drv.transport, "nokey.nosecret", drv.project_id)
    expect_driver_error(lambda: query(stranger, "SELECT 1"), "UNAUTHENTICATED", 1002)


def test_script_answers_the_last_statement(drv):
    rows = ok(drv, """CREATE TABLE t AS SELECT * FROM s;
                      INSERT INTO t VALUES (3, 'c');
                      UPDATE t SET v = upper(v) WHERE id >= 2;
                      SELECT id, v FROM t ORDER BY id""")
    assert rows == [{"id": "1", "v": "a"}, {"id": "2", "v": "B"}, {"id": "3", "v": "C"}]
    response = query(drv, "SELECT 1 AS one; SELECT 2 AS two")
    assert list(response.data.columns) == ["two"] and dict(response.data.rows[0].fields) == {"two": "2"}
    # A script ending with a write answers that statement's result (DuckDB's row count).
    assert ok(drv, "SELECT 1; DELETE FROM t WHERE id = 3") == [{"Count": "1"}]
    assert ok(drv, "SELECT count(*) AS n FROM t") == [{"n": "2"}]


def test_script_is_all_or_nothing(drv):
    message = failed(drv, "INSERT INTO s VALUES (3, 'c'); CREATE TABLE u (a INT); INSERT INTO s VALUES (1, 'x')")
    assert message.startswith("statement 3 of 3: ") and "Duplicate key" in message
    assert contents(drv) == [{"id": "1", "v": "a"}, {"id": "2", "v": "b"}]
    assert "u" in failed(drv, "SELECT * FROM u")  # the CREATE was undone too
    # A timeout stops the whole script and undoes what ran before it.
    assert "timeout" in failed(drv, "INSERT INTO s VALUES (4, 'd'); SELECT count(*) FROM range(100000000000) a",
                               timeout=1)
    assert contents(drv) == [{"id": "1", "v": "a"}, {"id": "2", "v": "b"}]


def test_every_statement_is_checked_before_any_runs(drv):
    for sql in ("INSERT INTO s VALUES (5, 'e'); SELECT * FROM _duckstore.tables",
                "DELETE FROM s; BEGIN TRANSACTION", "DELETE FROM s; COMMIT",
                "DELETE FROM s; ATTACH ':memory:' AS m"):
        expect_driver_error(lambda: query(drv, sql), "PERMISSION_DENIED", 2007, "query_out_of_scope")
    assert contents(drv) == [{"id": "1", "v": "a"}, {"id": "2", "v": "b"}]


def test_scripts_on_a_read_only_role_and_a_dev_branch(drv):
    ro_role = drv.created.projectReadOnlyRoleName
    drv.execute(bucket_pb2.GrantBucketAccessToReadOnlyRoleCommand(destinationObjectName=B,
                                                                   projectReadOnlyRoleName=ro_role))
    role = Query(pathRestriction=[B], query="SELECT 1; SELECT count(*) AS n FROM s")
    role.snowflakeRole.roleName = ro_role
    response = drv.execute(role).response
    assert response.status == Success and [dict(r.fields) for r in response.data.rows] == [{"n": "2"}]
    role.query = "SELECT 1; DELETE FROM s"
    expect_driver_error(lambda: drv.execute(role), "PERMISSION_DENIED", 2007, "query_not_read_only")
    assert len(contents(drv)) == 2

    drv.execute(project_pb2.CreateDevBranchCommand(projectId=drv.project_id, branchId="55"))
    assert ok(drv, "SELECT count(*) AS n FROM s", scope=f"55/{B}") == [{"n": "2"}]
    expect_driver_error(lambda: query(drv, "INSERT INTO s VALUES (6, 'f'); SELECT 1", scope=f"55/{B}"),
                        "INVALID_ARGUMENT", 3000, "dev_branch_unsupported")
    assert "syntax error" in failed(drv, "SELEC 1", scope=f"55/{B}")
