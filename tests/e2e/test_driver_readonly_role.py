"""Read-only roles over the storage driver (gRPC): the project's role "<project id>_ro" and a dev branch's
role (its id) read the buckets granted to them, SELECT only, through ExecuteQuery's snowflakeRole
restriction. Grants come with CreateBucket / LinkBucket naming the role, with Grant/Revoke, and go away with
the bucket, the link or the branch."""

from __future__ import annotations

import pytest

from driver_client import Driver, expect_driver_error
from harness import table_path, unique_id
from keboola.storage_driver import bucket_pb2, execute_query_pb2, project_pb2, table_pb2, workspace_pb2

Query = execute_query_pb2.ExecuteQueryCommand
Success = execute_query_pb2.ExecuteQueryResponse.Success
DENIED = ("PERMISSION_DENIED", 2007)


@pytest.fixture
def admin(server):
    return Driver(server, "grpc", server.admin_key)


class RoProject:
    """A driver project with helpers for buckets, tables and restricted queries."""

    def __init__(self, admin, server):
        self.admin = admin
        self.id = unique_id("drvro")
        self.created = admin.execute(project_pb2.CreateProjectCommand(projectId=self.id)).response
        self.role = self.created.projectReadOnlyRoleName
        self.drv = admin.as_project(self.id, self.created.projectPassword)
        self.rest = server.client(self.created.projectPassword)

    def bucket(self, bucket_id, **fields):
        return self.drv.execute(bucket_pb2.CreateBucketCommand(bucketId=bucket_id, **fields)).response

    def table(self, bucket_object, rows, branch="default", bucket=None):
        self.drv.execute(table_pb2.CreateTableCommand(path=[bucket_object], tableName="t", columns=[
            table_pb2.TableColumnShared(name="id", type="INTEGER", nullable=True),
            table_pb2.TableColumnShared(name="v", type="VARCHAR", nullable=True)]))
        self.insert(bucket or bucket_object, rows, branch)

    def insert(self, bucket, rows, branch="default"):
        self.rest.call("POST", table_path(self.id, bucket, "t", branch) + "/rows", 201,
                       json={"rows": [{"id": i, "v": v} for i, v in rows]})

    def query(self, scope, sql, role=None):
        command = Query(pathRestriction=[scope], query=sql)
        if role is not None:
            command.snowflakeRole.SetInParent()
            command.snowflakeRole.roleName = role
        return self.drv.execute(command).response

    def rows(self, scope, role, sql="SELECT id, v FROM t ORDER BY id"):
        result = self.query(scope, sql, role)
        assert result.status == Success, result.message
        return [dict(r.fields) for r in result.data.rows]

    def denied(self, scope, role, reason, sql="SELECT id, v FROM t"):
        return expect_driver_error(lambda: self.query(scope, sql, role), *DENIED, reason)

    def readable(self, branch="default"):
        return self.rest.call("GET", f"/projects/{self.id}/branches/{branch}/readonly-grants")

    def drop(self):
        self.admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=self.id))


@pytest.fixture
def ro(admin, server):
    project = RoProject(admin, server)
    yield project
    project.drop()


def test_create_project_answers_the_read_only_role(ro):
    assert ro.role == f"{ro.id}_ro"
    assert ro.readable() == {"role": ro.role, "buckets": []}


def test_bucket_created_for_the_role_is_readable_select_only(ro):
    ro.bucket("in.c-ro", projectReadOnlyRoleName=ro.role)
    ro.table("in.c-ro", [(1, "a"), (2, "b")])
    ro.bucket("in.c-plain")
    ro.table("in.c-plain", [(7, "x")])
    assert ro.rows("in.c-ro", ro.role) == [{"id": "1", "v": "a"}, {"id": "2", "v": "b"}]
    assert ro.readable() == {"role": ro.role, "buckets": ["in.c-ro"]}
    # A bucket not granted to the role.
    error = ro.denied("in.c-plain", ro.role, "bucket_not_granted")
    assert "in.c-plain" in error.message and ro.role in error.message
    # Writes of every kind are refused and change nothing.
    for sql in ("INSERT INTO t VALUES (3, 'c')", "UPDATE t SET v = 'z'", "DELETE FROM t", "DROP TABLE t",
                "CREATE TABLE n AS SELECT 1 AS x", "ALTER TABLE t ADD COLUMN z INTEGER",
                "CREATE MACRO m(x) AS x"):
        ro.denied("in.c-ro", ro.role, "query_not_read_only", sql)
    assert ro.rows("in.c-ro", None) == [{"id": "1", "v": "a"}, {"id": "2", "v": "b"}]
    # The role reads the granted bucket's tables only: no other bucket, system view or table function.
    for sql in ('SELECT * FROM "in.c-plain".t', "SELECT * FROM duckdb_tables", "SELECT * FROM duckdb_tables()",
                "SELECT * FROM information_schema.tables", "SELECT * FROM range(3)",
                'SELECT "in.c-plain".m(1)'):
        ro.denied("in.c-ro", ro.role, "query_out_of_scope", sql)
    # SQL errors stay in-band, without hints naming other buckets' tables.
    result = ro.query("in.c-ro", 'SELECT * FROM "in.c-ro".missing', ro.role)
    assert result.status != Success and "Did you mean" not in result.message
    # Granting opens the other bucket, revoking closes it again.
    granted = ro.drv.execute(bucket_pb2.GrantBucketAccessToReadOnlyRoleCommand(
        destinationObjectName="in.c-plain", projectReadOnlyRoleName=ro.role)).response
    assert granted.createBucketObjectName == "in.c-plain"
    assert ro.rows("in.c-plain", ro.role) == [{"id": "7", "v": "x"}]
    ro.drv.execute(bucket_pb2.RevokeBucketAccessFromReadOnlyRoleCommand(bucketObjectName="in.c-plain",
                                                                        projectReadOnlyRoleName=ro.role))
    ro.denied("in.c-plain", ro.role, "bucket_not_granted")
    # A dropped bucket takes its grant along: created again without the role, it is not readable.
    ro.drv.execute(bucket_pb2.DropBucketCommand(bucketObjectName="in.c-ro", isCascade=True))
    ro.bucket("in.c-ro")
    ro.table("in.c-ro", [(5, "e")])
    ro.denied("in.c-ro", ro.role, "bucket_not_granted")
    assert ro.readable()["buckets"] == []


def test_other_roles_are_refused(ro, admin, server):
    ro.bucket("in.c-ro", projectReadOnlyRoleName=ro.role)
    ro.table("in.c-ro", [(1, "a")])
    for role in ("someone_else", ro.role.upper(), f"{ro.id}_RO_X"):
        error = ro.denied("in.c-ro", role, "unknown_read_only_role")
        assert role in error.message and ro.role in error.message
    # An empty role name is a malformed request.
    expect_driver_error(lambda: ro.query("in.c-ro", "SELECT 1", ""), "INVALID_ARGUMENT", 3000)
    # BigQuery service accounts have no equivalent.
    command = Query(pathRestriction=["in.c-ro"], query="SELECT 1")
    command.bigQueryServiceAccount.serviceAccountEmail = "sa@example.com"
    expect_driver_error(lambda: ro.drv.execute(command), "UNIMPLEMENTED", 900, "command_not_supported")
    # Commands naming a role that is not the project's fail before doing anything.
    other = RoProject(admin, server)
    try:
        expect_driver_error(lambda: ro.bucket("in.c-new", projectReadOnlyRoleName=other.role), *DENIED,
                            "unknown_read_only_role")
        assert ro.rest.get(f"/projects/{ro.id}/branches/default/buckets/in.c-new").status_code == 404
        expect_driver_error(lambda: ro.drv.execute(bucket_pb2.GrantBucketAccessToReadOnlyRoleCommand(
            destinationObjectName="in.c-ro", projectReadOnlyRoleName=other.role)), *DENIED,
            "unknown_read_only_role")
        expect_driver_error(lambda: ro.drv.execute(workspace_pb2.CreateWorkspaceCommand(
            workspaceId="w1", projectReadOnlyRoleName=other.role)), *DENIED, "unknown_read_only_role")
        ro.drv.execute(workspace_pb2.CreateWorkspaceCommand(workspaceId="w2", projectReadOnlyRoleName=ro.role))
        # The other project's role cannot read this project's grants either.
        ro.denied("in.c-ro", other.role, "unknown_read_only_role")
    finally:
        other.drop()


def test_linked_bucket_granted_to_the_target_role(admin, server):
    src, dst = RoProject(admin, server), RoProject(admin, server)
    try:
        src.bucket("in.c-data")
        src.table("in.c-data", [(1, "a"), (2, "b")])
        share = src.drv.execute(bucket_pb2.ShareBucketCommand(sourceBucketObjectName="in.c-data")).response
        link = bucket_pb2.LinkBucketCommand(targetProjectId=dst.id, targetBucketId="in.c-linked",
                                            sourceShareRoleName=share.bucketShareRoleName,
                                            targetProjectReadOnlyRoleName=dst.role)
        # The source project's role is not the target's.
        link.targetProjectReadOnlyRoleName = src.role
        expect_driver_error(lambda: dst.drv.execute(link), *DENIED, "unknown_read_only_role")
        link.targetProjectReadOnlyRoleName = dst.role
        assert dst.drv.execute(link).response.linkedBucketObjectName == "in.c-linked"
        assert dst.rows("in.c-linked", dst.role) == [{"id": "1", "v": "a"}, {"id": "2", "v": "b"}]
        src.insert("in.c-data", [(3, "c")])
        assert dst.rows("in.c-linked", dst.role, "SELECT count(*) AS n FROM t") == [{"n": "3"}]
        dst.denied("in.c-linked", dst.role, "query_not_read_only", "DELETE FROM t")
        # The source's own role was never granted its bucket.
        src.denied("in.c-data", src.role, "bucket_not_granted")
        # A link made without the role is not readable by it.
        dst.drv.execute(bucket_pb2.LinkBucketCommand(targetBucketId="in.c-plain",
                                                     sourceShareRoleName=share.bucketShareRoleName))
        dst.denied("in.c-plain", dst.role, "bucket_not_granted")
        assert dst.readable()["buckets"] == ["in.c-linked"]
        # Unlinking removes the grant: linked again under the same name without the role, it is closed.
        dst.drv.execute(bucket_pb2.UnlinkBucketCommand(bucketObjectName="in.c-linked"))
        dst.drv.execute(bucket_pb2.LinkBucketCommand(targetBucketId="in.c-linked",
                                                     sourceShareRoleName=share.bucketShareRoleName))
        dst.denied("in.c-linked", dst.role, "bucket_not_granted")
        # So does unsharing at the source (it breaks every link).
        dst.drv.execute(bucket_pb2.GrantBucketAccessToReadOnlyRoleCommand(destinationObjectName="in.c-linked"))
        assert dst.readable()["buckets"] == ["in.c-linked"]
        src.drv.execute(bucket_pb2.UnshareBucketCommand(bucketObjectName="in.c-data"))
        assert dst.readable()["buckets"] == []
        assert dst.rest.call("GET", f"/projects/{dst.id}/readonly-grants") == {"buckets": []}
    finally:
        src.drop()
        dst.drop()


def test_dev_branch_role(ro):
    ro.bucket("in.c-data", projectReadOnlyRoleName=ro.role)
    ro.table("in.c-data", [(1, "a"), (2, "b")])
    ro.bucket("in.c-closed")
    ro.table("in.c-closed", [(9, "z")])
    branch = ro.drv.execute(project_pb2.CreateDevBranchCommand(projectId=ro.id, branchId="55"))
    role = branch.response.devBranchReadOnlyRoleName
    assert role == "55"
    # The branch role inherits the project role's grants of what shows through, and reads what the branch
    # sees: its own copy once the branch writes the table.
    assert ro.rows("55/in.c-data", role) == [{"id": "1", "v": "a"}, {"id": "2", "v": "b"}]
    ro.insert("in.c-data", [(3, "c")], branch="55")
    assert ro.rows("55/in.c-data", role) == [{"id": "1", "v": "a"}, {"id": "2", "v": "b"}, {"id": "3", "v": "c"}]
    assert ro.rows("in.c-data", ro.role) == [{"id": "1", "v": "a"}, {"id": "2", "v": "b"}]
    ro.denied("55/in.c-closed", role, "bucket_not_granted")
    ro.denied("55/in.c-data", role, "query_not_read_only", "INSERT INTO t VALUES (4, 'd')")
    assert ro.rows("55/in.c-data", role, "SELECT count(*) AS n FROM t") == [{"n": "3"}]
    # Each path has its own role: the project role does not run on the branch, nor the branch's on default.
    ro.denied("55/in.c-data", ro.role, "unknown_read_only_role")
    ro.denied("in.c-data", role, "unknown_read_only_role")
    # A bucket created on the branch for its role; one created without it needs a grant on the branch.
    ro.bucket("in.c-own", branchId="55", devBranchReadOnlyRoleName=role, projectReadOnlyRoleName=ro.role)
    ro.table("55/in.c-own", [(5, "e")], branch="55", bucket="in.c-own")
    assert ro.rows("55/in.c-own", role) == [{"id": "5", "v": "e"}]
    ro.bucket("in.c-later", branchId="55")
    ro.table("55/in.c-later", [(6, "f")], branch="55", bucket="in.c-later")
    ro.denied("55/in.c-later", role, "bucket_not_granted")
    expect_driver_error(lambda: ro.drv.execute(bucket_pb2.GrantBucketAccessToReadOnlyRoleCommand(
        destinationObjectName="55/in.c-later", projectReadOnlyRoleName=ro.role)), *DENIED,
        "unknown_read_only_role")
    ro.drv.execute(bucket_pb2.GrantBucketAccessToReadOnlyRoleCommand(destinationObjectName="55/in.c-later"))
    assert ro.rows("55/in.c-later", role) == [{"id": "6", "v": "f"}]
    assert ro.readable("55") == {"role": "55", "buckets": ["in.c-data", "in.c-later", "in.c-own"]}
    # Branch grants stay on the branch.
    assert ro.readable() == {"role": ro.role, "buckets": ["in.c-data"]}
    # Revoking the project's grant closes the inherited bucket on the branch too.
    ro.drv.execute(bucket_pb2.RevokeBucketAccessFromReadOnlyRoleCommand(bucketObjectName="in.c-data"))
    ro.denied("55/in.c-data", role, "bucket_not_granted")
    # A dropped branch takes its grants along: a new branch of the same id starts with none.
    ro.drv.execute(project_pb2.DropDevBranchCommand(devBranchReadOnlyRoleName="55"))
    ro.drv.execute(project_pb2.CreateDevBranchCommand(projectId=ro.id, branchId="55"))
    ro.bucket("in.c-own", branchId="55")
    ro.table("55/in.c-own", [(5, "e")], branch="55", bucket="in.c-own")
    ro.denied("55/in.c-own", "55", "bucket_not_granted")
    assert ro.readable("55") == {"role": "55", "buckets": []}
