"""Storage driver commands for dev branches, workspaces and bucket sharing, over every transport (gRPC,
protobuf JSON and binary on /driver/execute). Contents are checked through the REST API."""

from __future__ import annotations

import pytest

from driver_client import TRANSPORTS, Driver, expect_driver_error
from harness import table_path, unique_id
from keboola.storage_driver import (bucket_pb2, execute_query_pb2, info_pb2, project_pb2, table_pb2,
                                    workspace_pb2)

B = "in.c-data"
Shared = table_pb2.ImportExportShared
# State conflicts (not "already exists") travel as FAILED_PRECONDITION with the validation code.
CONFLICT_STATUS, CONFLICT_CODE = "FAILED_PRECONDITION", 3000


@pytest.fixture(params=TRANSPORTS)
def admin(request, server):
    return Driver(server, request.param, server.admin_key)


def new_project(admin, server, rows=((1, "a"), (2, "b"))):
    """A driver project with table in.c-data.t(id, v) holding `rows`; returns (driver, REST client, id)."""
    project_id = unique_id("drvbr")
    created = admin.execute(project_pb2.CreateProjectCommand(projectId=project_id)).response
    drv = admin.as_project(project_id, created.projectPassword)
    drv.execute(bucket_pb2.CreateBucketCommand(bucketId=B))
    drv.execute(table_pb2.CreateTableCommand(path=[B], tableName="t", columns=[
        table_pb2.TableColumnShared(name="id", type="INTEGER", nullable=True),
        table_pb2.TableColumnShared(name="v", type="VARCHAR", nullable=True)]))
    rest = server.client(created.projectPassword)
    if rows:
        rest.call("POST", table_path(project_id, B, "t") + "/rows", 201,
                  json={"rows": [{"id": i, "v": v} for i, v in rows]})
    return drv, rest, project_id


def ids(rest, project_id, branch="default", bucket=B, table="t"):
    body = rest.call("POST", table_path(project_id, bucket, table, branch) + "/preview", 200,
                     json={"order_by": [{"column": "id"}]})
    return [r["id"] for r in body["rows"]]


@pytest.fixture
def project(admin, server):
    drv, rest, project_id = new_project(admin, server)
    yield drv, rest, project_id
    admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=project_id))


def test_dev_branch_create_write_drop(project):
    drv, rest, pid = project
    response = drv.execute(project_pb2.CreateDevBranchCommand(projectId=pid, branchId="123")).response
    assert response.devBranchReadOnlyRoleName == "123"
    rest.call("POST", table_path(pid, B, "t", "123") + "/rows", 201, json={"rows": [{"id": 9}]})
    assert ids(rest, pid, "123") == [1, 2, 9]
    assert ids(rest, pid) == [1, 2]
    assert drv.execute(project_pb2.DropDevBranchCommand(devBranchReadOnlyRoleName="123")).response is None
    assert rest.get(table_path(pid, B, "t", "123")).status_code == 404
    # Dropping again is a no-op, like DROP ROLE IF EXISTS.
    drv.execute(project_pb2.DropDevBranchCommand(devBranchReadOnlyRoleName="123"))
    expect_driver_error(lambda: drv.execute(project_pb2.CreateDevBranchCommand(projectId=pid)),
                        "INVALID_ARGUMENT", 3000)


def test_workspace_lifecycle(project):
    drv, rest, pid = project
    created = drv.execute(workspace_pb2.CreateWorkspaceCommand(projectId=pid, workspaceId="w1")).response
    assert created.workspaceObjectName == "w1" and created.workspaceUserName.startswith("ws_")
    assert len(created.workspacePassword) >= 32
    load = workspace_pb2.LoadTableToWorkspaceCommand(
        source=workspace_pb2.LoadTableToWorkspaceCommand.SourceTableMapping(
            path=[B], tableName="t",
            columnMappings=[workspace_pb2.LoadTableToWorkspaceCommand.SourceTableMapping.ColumnMapping(
                sourceColumnName="v", destinationColumnName="value")],
            whereFilters=[Shared.TableWhereFilter(columnsName="id", operator=Shared.TableWhereFilter.eq,
                                                  values=["2"])]),
        destination=Shared.Table(path=["w1"], tableName="copy"),
        importOptions=Shared.ImportOptions(importType=Shared.ImportOptions.FULL))
    loaded = drv.execute(load).response
    assert (loaded.importedRowsCount, loaded.tableRowsCount, list(loaded.importedColumns)) == (1, 1, ["value"])
    view = workspace_pb2.LoadTableToWorkspaceCommand(
        source=workspace_pb2.LoadTableToWorkspaceCommand.SourceTableMapping(path=[B], tableName="t"),
        destination=Shared.Table(path=["w1"], tableName="live"),
        importOptions=Shared.ImportOptions(importType=Shared.ImportOptions.VIEW))
    assert drv.execute(view).response.tableRowsCount == 2
    objects = rest.call("GET", f"/projects/{pid}/branches/default/workspaces/w1")["objects"]
    assert objects == [{"name": "copy", "type": "table"}, {"name": "live", "type": "view"}]

    drv.execute(workspace_pb2.DropWorkspaceObjectCommand(workspaceObjectName="w1", objectNameToDrop="live"))
    drv.execute(workspace_pb2.DropWorkspaceObjectCommand(workspaceObjectName="w1", objectNameToDrop="live",
                                                         ignoreIfNotExists=True))
    expect_driver_error(lambda: drv.execute(workspace_pb2.DropWorkspaceObjectCommand(
        workspaceObjectName="w1", objectNameToDrop="live")), "NOT_FOUND", 2000)
    drv.execute(load)
    drv.execute(workspace_pb2.ClearWorkspaceCommand(workspaceObjectName="w1", objectsToPreserve=["COPY"]))
    assert [o["name"] for o in rest.call("GET", f"/projects/{pid}/branches/default/workspaces/w1")["objects"]] == [
        "copy"]

    reset = drv.execute(workspace_pb2.ResetWorkspacePasswordCommand(
        workspaceUserName=created.workspaceUserName)).response
    assert reset.workspaceUserName == created.workspaceUserName
    assert reset.workspacePassword != created.workspacePassword
    extra = drv.execute(workspace_pb2.CreateWorkspaceUserCommand(workspaceObjectName="w1")).response
    assert extra.workspaceUserName != created.workspaceUserName
    drv.execute(workspace_pb2.DropWorkspaceUserCommand(workspaceUserName=extra.workspaceUserName))

    # A workspace holding objects is only dropped with isCascade.
    failure = expect_driver_error(lambda: drv.execute(workspace_pb2.DropWorkspaceCommand(workspaceObjectName="w1")),
                                  CONFLICT_STATUS, CONFLICT_CODE)
    assert failure.reason == "workspace_not_empty"
    drv.execute(workspace_pb2.DropWorkspaceCommand(workspaceObjectName="w1", isCascade=True))
    assert rest.get(f"/projects/{pid}/branches/default/workspaces/w1").status_code == 404


def test_branch_workspace_loads_the_branch_copy(project):
    drv, rest, pid = project
    drv.execute(project_pb2.CreateDevBranchCommand(projectId=pid, branchId="7"))
    rest.call("DELETE", table_path(pid, B, "t", "7") + "/rows", 200,
              json={"filters": [{"column": "id", "operator": "eq", "value": 1}]})
    drv.execute(workspace_pb2.CreateWorkspaceCommand(projectId=pid, workspaceId="bw", branchId="7"))
    loaded = drv.execute(workspace_pb2.LoadTableToWorkspaceCommand(
        source=workspace_pb2.LoadTableToWorkspaceCommand.SourceTableMapping(path=[B], tableName="t"),
        destination=Shared.Table(path=["bw"], tableName="t"))).response
    assert loaded.tableRowsCount == 1


def test_share_link_unlink_unshare(admin, server):
    src, src_rest, src_id = new_project(admin, server)
    dst, dst_rest, dst_id = new_project(admin, server, rows=())
    try:
        shared = src.execute(bucket_pb2.ShareBucketCommand(sourceProjectId=src_id, sourceBucketObjectName=B)).response
        assert shared.bucketShareRoleName == f"{src_id}/{B}"
        linked = dst.execute(bucket_pb2.LinkBucketCommand(
            targetProjectId=dst_id, targetBucketId="in.c-linked",
            sourceShareRoleName=shared.bucketShareRoleName)).response
        assert linked.linkedBucketObjectName == "in.c-linked"
        # Reads follow the source's current data; writes are refused.
        src_rest.call("POST", table_path(src_id, B, "t") + "/rows", 201, json={"rows": [{"id": 3}]})
        assert ids(dst_rest, dst_id, bucket="in.c-linked") == [1, 2, 3]
        expect_driver_error(lambda: dst.execute(table_pb2.DropTableCommand(path=["in.c-linked"], tableName="t")),
                            "PERMISSION_DENIED", 2007, "bucket_read_only")
        dst.execute(bucket_pb2.UnlinkBucketCommand(bucketObjectName="in.c-linked"))
        assert dst_rest.get(table_path(dst_id, "in.c-linked", "t")).status_code == 404
        # Unsharing breaks the remaining links.
        dst.execute(bucket_pb2.LinkBucketCommand(targetBucketId="in.c-again",
                                                 sourceShareRoleName=shared.bucketShareRoleName))
        src.execute(bucket_pb2.UnshareBucketCommand(bucketObjectName=B,
                                                    bucketShareRoleName=shared.bucketShareRoleName))
        assert dst_rest.get(table_path(dst_id, "in.c-again", "t")).status_code == 404
        expect_driver_error(lambda: dst.execute(bucket_pb2.LinkBucketCommand(
            targetBucketId="in.c-x", sourceShareRoleName=shared.bucketShareRoleName)), "NOT_FOUND", 2000)
        # Read-only grants.
        granted = src.execute(bucket_pb2.GrantBucketAccessToReadOnlyRoleCommand(destinationObjectName=B)).response
        assert granted.createBucketObjectName == B
        assert src_rest.call("GET", f"/projects/{src_id}/readonly-grants") == {"buckets": [B]}
        src.execute(bucket_pb2.RevokeBucketAccessFromReadOnlyRoleCommand(bucketObjectName=B))
        assert src_rest.call("GET", f"/projects/{src_id}/readonly-grants") == {"buckets": []}
    finally:
        admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=src_id))
        admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=dst_id))


def key_of(rest, pid, scope, branch):
    return rest.call("POST", f"/projects/{pid}/api-keys", 201,
                     json={"scope": scope, "branch_id": branch, "description": scope})["api_key"]


def test_branch_bound_keys_reach_only_their_branch(project):
    drv, rest, pid = project
    for branch in ("7", "8"):
        drv.execute(project_pb2.CreateDevBranchCommand(projectId=pid, branchId=branch))
    writer = drv.as_project(pid, key_of(rest, pid, "branch_admin", "7"))
    reader = drv.as_project(pid, key_of(rest, pid, "branch_read", "7"))
    default_writer = drv.as_project(pid, key_of(rest, pid, "branch_admin", "default"))
    columns = [table_pb2.TableColumnShared(name="id", type="INTEGER")]

    # On its own branch a branch_admin key creates buckets and tables and writes rows.
    created = writer.execute(bucket_pb2.CreateBucketCommand(bucketId="in.c-seven", branchId="7")).response
    assert created.createBucketObjectName == "7/in.c-seven"
    writer.execute(table_pb2.CreateTableCommand(path=["7/in.c-seven"], tableName="n", columns=columns))
    writer.execute(table_pb2.DeleteTableRowsCommand(path=[f"7/{B}"], tableName="t",
                                                    whereFilters=[Shared.TableWhereFilter(columnsName="id",
                                                                                          values=["1"])]))
    assert ids(rest, pid, "7") == [2] and ids(rest, pid) == [1, 2]
    # The branch_read key of the branch reads it and writes nothing.
    rows = reader.execute(table_pb2.PreviewTableCommand(path=[f"7/{B}"], tableName="t", columns=["v"])).response
    assert [[c.value.string_value for c in row.columns] for row in rows.rows] == [["b"]]
    expect_driver_error(lambda: reader.execute(table_pb2.DropTableCommand(path=["7/in.c-seven"], tableName="n")),
                        "PERMISSION_DENIED", 2007, "forbidden")

    # Neither reaches the default branch or another dev branch, by any command or field.
    denied = [
        lambda k: k.execute(table_pb2.PreviewTableCommand(path=[B], tableName="t", columns=["id"])),
        lambda k: k.execute(table_pb2.PreviewTableCommand(path=[f"8/{B}"], tableName="t", columns=["id"])),
        lambda k: k.execute(table_pb2.CreateTableCommand(path=["8/in.c-seven"], tableName="n", columns=columns)),
        lambda k: k.execute(bucket_pb2.CreateBucketCommand(bucketId="in.c-x", branchId="8")),
        lambda k: k.execute(bucket_pb2.CreateBucketCommand(bucketId="in.c-x")),
        lambda k: k.execute(bucket_pb2.DropBucketCommand(bucketObjectName=B, isCascade=True)),
        lambda k: k.execute(info_pb2.ObjectInfoCommand(path=[f"8/{B}"], expectedObjectType=info_pb2.SCHEMA)),
        lambda k: k.execute(execute_query_pb2.ExecuteQueryCommand(pathRestriction=[B], query="SELECT 1")),
        # A reference to another branch inside a command of its own branch.
        lambda k: k.execute(table_pb2.DeleteTableRowsCommand(
            path=[f"7/{B}"], tableName="t", whereRefTableFilters=[
                table_pb2.DeleteTableRowsCommand.WhereRefTableFilter(column="id", refPath=[B], refTable="t",
                                                                     refColumn="id")])),
    ]
    for call in denied:
        expect_driver_error(lambda: call(writer), "PERMISSION_DENIED", 2007, "forbidden")
        expect_driver_error(lambda: call(reader), "PERMISSION_DENIED", 2007, "forbidden")
    # And a default-branch key does not reach the dev branch.
    expect_driver_error(lambda: default_writer.execute(table_pb2.PreviewTableCommand(
        path=[f"7/{B}"], tableName="t", columns=["id"])), "PERMISSION_DENIED", 2007, "forbidden")
    expect_driver_error(lambda: default_writer.execute(bucket_pb2.CreateBucketCommand(
        bucketId="in.c-x", branchId="7")), "PERMISSION_DENIED", 2007, "forbidden")
    assert ids(rest, pid) == [1, 2] and ids(rest, pid, "8") == [1, 2]


def test_branch_object_names(project):
    drv, rest, pid = project
    drv.execute(project_pb2.CreateDevBranchCommand(projectId=pid, branchId="dev_1-x"))
    # isBranchDefault wins over branchId; the default branch's names carry no prefix.
    created = drv.execute(bucket_pb2.CreateBucketCommand(bucketId="out.c-a_b", branchId="dev_1-x",
                                                         isBranchDefault=True)).response
    assert created.createBucketObjectName == "out.c-a_b"
    created = drv.execute(bucket_pb2.CreateBucketCommand(bucketId="out.c-a_b-2", branchId="dev_1-x")).response
    assert created.createBucketObjectName == "dev_1-x/out.c-a_b-2"
    # A bucket the branch already sees (inherited from the default branch) is not created twice.
    expect_driver_error(lambda: drv.execute(bucket_pb2.CreateBucketCommand(bucketId=B, branchId="dev_1-x")),
                        "ALREADY_EXISTS", 2006, "bucket_exists")
    for bad in ("default/in.c-data", "dev 1/in.c-data", "dev_1-x/", "a/b/c"):
        expect_driver_error(lambda: drv.execute(table_pb2.PreviewTableCommand(path=[bad], tableName="t",
                                                                              columns=["id"])),
                            "INVALID_ARGUMENT", 3000, "invalid_name")
    expect_driver_error(lambda: drv.execute(table_pb2.PreviewTableCommand(path=[f"nope/{B}"], tableName="t",
                                                                          columns=["id"])),
                        "NOT_FOUND", 2000, "branch_not_found")
    # A command works on one branch: a view's source on another branch is refused.
    expect_driver_error(lambda: drv.execute(table_pb2.CreateViewCommand(
        path=["dev_1-x/out.c-a_b-2"], viewName="v", sourcePath=[B], sourceTableName="t")),
        "INVALID_ARGUMENT", 3000, "cross_branch_reference")
    # Dropping the branch's bucket leaves the default branch's buckets alone.
    drv.execute(bucket_pb2.DropBucketCommand(bucketObjectName=f"dev_1-x/{B}", isCascade=True))
    expect_driver_error(lambda: drv.execute(info_pb2.ObjectInfoCommand(
        path=[f"dev_1-x/{B}"], expectedObjectType=info_pb2.SCHEMA)), "NOT_FOUND", 2003)
    assert ids(rest, pid) == [1, 2]


def test_execute_query_on_a_linked_bucket_is_read_only(admin, server):
    src, src_rest, src_id = new_project(admin, server)
    dst, dst_rest, dst_id = new_project(admin, server, rows=())
    try:
        src.execute(bucket_pb2.CreateBucketCommand(bucketId="in.c-private"))
        src.execute(table_pb2.CreateTableCommand(path=["in.c-private"], tableName="secret", columns=[
            table_pb2.TableColumnShared(name="s", type="VARCHAR")]))
        shared = src.execute(bucket_pb2.ShareBucketCommand(sourceBucketObjectName=B)).response
        dst.execute(bucket_pb2.LinkBucketCommand(targetBucketId="in.c-linked",
                                                 sourceShareRoleName=shared.bucketShareRoleName))

        def run(sql, scope="in.c-linked"):
            return dst.execute(execute_query_pb2.ExecuteQueryCommand(pathRestriction=[scope], query=sql)).response

        # Reads see the source's current data, by unqualified names and names qualified with the link.
        src_rest.call("POST", table_path(src_id, B, "t") + "/rows", 201, json={"rows": [{"id": 3, "v": "c"}]})
        result = run('SELECT l.id, l.v FROM "in.c-linked".t l JOIN t USING (id) WHERE l.id > 1 ORDER BY 1')
        assert result.status == execute_query_pb2.ExecuteQueryResponse.Success, result.message
        assert [dict(r.fields) for r in result.data.rows] == [{"id": "2", "v": "b"}, {"id": "3", "v": "c"}]
        result = run("WITH x AS (SELECT count(*) AS n FROM t) SELECT n FROM x")
        assert [dict(r.fields) for r in result.data.rows] == [{"n": "3"}]
        # List and struct literals (the parser writes them as built-ins of "main") are not other schemas.
        result = run("SELECT ['x', 'y'][id] AS l, {'k': id}.k AS s FROM t WHERE id < 3 ORDER BY id")
        assert result.status == execute_query_pb2.ExecuteQueryResponse.Success, result.message
        assert [dict(r.fields) for r in result.data.rows] == [{"l": "x", "s": "1"}, {"l": "y", "s": "2"}]
        # Through [project, bucket] as well.
        result = dst.execute(execute_query_pb2.ExecuteQueryCommand(pathRestriction=[dst_id, "in.c-linked"],
                                                                   query="SELECT max(id) AS m FROM t")).response
        assert [dict(r.fields) for r in result.data.rows] == [{"m": "3"}]
        # Nothing is written through the link.
        for sql in ("INSERT INTO t VALUES (4, 'd')", "DELETE FROM t", "DROP TABLE t", "CREATE TABLE n AS SELECT 1",
                    "ALTER TABLE t ADD COLUMN z INTEGER", "UPDATE t SET v = 'x'"):
            expect_driver_error(lambda: run(sql), "PERMISSION_DENIED", 2007, "bucket_read_only")
        assert ids(src_rest, src_id) == [1, 2, 3]
        # Nothing of the source project outside the shared bucket is reachable.
        for sql in ('SELECT * FROM "in.c-private".secret', "SELECT * FROM secret", "SELECT * FROM duckdb_tables",
                    "SELECT * FROM duckdb_tables()", "SELECT * FROM information_schema.tables",
                    'SELECT * FROM project."in.c-private".secret'):
            expect_driver_error(lambda: run(sql), "PERMISSION_DENIED", 2007, "query_out_of_scope")
        # Unsharing ends it.
        src.execute(bucket_pb2.UnshareBucketCommand(bucketObjectName=B))
        expect_driver_error(lambda: run("SELECT 1"), "NOT_FOUND", 2003, "bucket_not_found")
    finally:
        admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=src_id))
        admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=dst_id))
