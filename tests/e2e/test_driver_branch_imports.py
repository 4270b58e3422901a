"""TableImportFromTable (FULL, INCREMENTAL, VIEW, CLONE) and CreateView on a dev branch, over gRPC: the source
is read as the branch sees it, the destination is written copy-on-write or created as the branch's own object,
and the default branch never changes (docs/design/branches.md, "Views and imports on dev branches")."""

from __future__ import annotations

import datetime

import pytest

from driver_client import Driver, expect_driver_error
from harness import table_path, unique_id
from keboola.storage_driver import bucket_pb2, info_pb2, project_pb2, table_pb2

B = "in.c-data"
DEV = "42"
Shared = table_pb2.ImportExportShared
Options = Shared.ImportOptions
Filter = Shared.TableWhereFilter
Mapping = table_pb2.TableImportFromTableCommand.SourceTableMapping


def columns(*names_and_types):
    return [table_pb2.TableColumnShared(name=n, type=t, nullable=n != "id") for n, t in names_and_types]


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture
def setup(server):
    """Default branch: src(id PK, name, score, _timestamp) with 4 rows, dst(id PK, name) with 1 row; dev branch 42."""
    admin = Driver(server, "grpc", server.admin_key)
    pid = unique_id("brimp")
    created = admin.execute(project_pb2.CreateProjectCommand(projectId=pid)).response
    drv = admin.as_project(pid, created.projectPassword)
    rest = server.client(created.projectPassword)
    drv.execute(bucket_pb2.CreateBucketCommand(bucketId=B))
    drv.execute(table_pb2.CreateTableCommand(path=[B], tableName="src", primaryKeysNames=["id"], columns=columns(
        ("id", "INTEGER"), ("name", "VARCHAR"), ("score", "INTEGER"), ("_timestamp", "TIMESTAMP"))))
    drv.execute(table_pb2.CreateTableCommand(path=[B], tableName="dst", primaryKeysNames=["id"], columns=columns(
        ("id", "INTEGER"), ("name", "VARCHAR"))))
    rest.call("POST", table_path(pid, B, "src") + "/rows", 201, json={"rows": [
        {"id": 1, "name": "ann", "score": 10, "_timestamp": "2020-01-01 00:00:00"},
        {"id": 2, "name": "ben", "score": 20, "_timestamp": "2020-01-01 00:00:00"},
        {"id": 3, "name": "cid", "score": 30, "_timestamp": now()},
        {"id": 4, "name": "dan", "score": 40, "_timestamp": now()}]})
    rest.call("POST", table_path(pid, B, "dst") + "/rows", 201, json={"rows": [{"id": 1, "name": "old"}]})
    drv.execute(project_pb2.CreateDevBranchCommand(projectId=pid, branchId=DEV))
    yield drv, rest, pid
    admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=pid))


def rows(drv, table, cols=("id", "name"), branch=DEV):
    path = [f"{branch}/{B}"] if branch != "default" else [B]
    response = drv.execute(table_pb2.PreviewTableCommand(
        path=path, tableName=table, columns=list(cols), orderBy=[Shared.ExportOrderBy(columnName="id")])).response
    return [[None if c.value.WhichOneof("kind") == "null_value" else c.value.string_value for c in row.columns]
            for row in response.rows]


def from_table(source="src", destination="dst", branch=DEV, source_branch=None, source_bucket=B,
               **mapping_and_options):
    options = mapping_and_options.pop("options", Options())
    source_branch = branch if source_branch is None else source_branch
    source_path = f"{source_branch}/{source_bucket}" if source_branch != "default" else source_bucket
    return table_pb2.TableImportFromTableCommand(
        source=Mapping(path=[source_path], tableName=source, **mapping_and_options),
        destination=Shared.Table(path=[f"{branch}/{B}"], tableName=destination), importOptions=options)


def object_type(drv, table, branch=DEV):
    path = [f"{branch}/{B}"] if branch != "default" else [B]
    objects = drv.execute(info_pb2.ObjectInfoCommand(path=path, expectedObjectType=info_pb2.SCHEMA)).response
    found = {o.objectName: o.objectType for o in objects.schemaInfo.objects}
    return found.get(table)


def test_full_and_incremental_import_on_a_branch_leave_the_default_branch_alone(setup):
    drv, rest, pid = setup
    # FULL from an inherited source into an inherited destination, with mappings, a filter and a limit.
    result = drv.execute(from_table(
        columnMappings=[Mapping.ColumnMapping(sourceColumnName="id", destinationColumnName="id"),
                        Mapping.ColumnMapping(sourceColumnName="name", destinationColumnName="name")],
        whereFilters=[Filter(columnsName="score", operator=Filter.ge, values=["20"], dataType=Shared.INTEGER)],
        limit=2, options=Options(importType=Options.FULL))).response
    assert (result.importedRowsCount, result.tableRowsCount) == (2, 2)
    assert rows(drv, "dst") == [["2", "ben"], ["3", "cid"]]
    assert rows(drv, "dst", branch="default") == [["1", "old"]]
    # The source is live from the default branch until the branch writes it.
    rest.call("POST", table_path(pid, B, "src") + "/rows", 201,
              json={"rows": [{"id": 5, "name": "eve", "_timestamp": now()}]})
    # INCREMENTAL with dedup on the primary key and the seconds window (rows stamped now: 3, 4, 5).
    result = drv.execute(from_table(
        columnMappings=[Mapping.ColumnMapping(sourceColumnName="id", destinationColumnName="id"),
                        Mapping.ColumnMapping(sourceColumnName="name", destinationColumnName="name")],
        seconds=3600, options=Options(importType=Options.INCREMENTAL, dedupType=Options.UPDATE_DUPLICATES,
                                      timestampColumn="_timestamp"))).response
    assert result.importedRowsCount == 3
    assert rows(drv, "dst") == [["2", "ben"], ["3", "cid"], ["4", "dan"], ["5", "eve"]]
    # The source written on the branch (copied up): imports read the branch's copy.
    rest.call("DELETE", table_path(pid, B, "src", DEV) + "/rows", 200,
              json={"filters": [{"column": "id", "operator": "eq", "value": 2}]})
    rest.call("POST", table_path(pid, B, "src", DEV) + "/rows", 201, json={"rows": [{"id": 2, "name": "BEN"}]})
    drv.execute(from_table(options=Options(importType=Options.INCREMENTAL), columnMappings=[
        Mapping.ColumnMapping(sourceColumnName="id", destinationColumnName="id"),
        Mapping.ColumnMapping(sourceColumnName="name", destinationColumnName="name")]))
    assert rows(drv, "dst") == [["1", "ann"], ["2", "BEN"], ["3", "cid"], ["4", "dan"], ["5", "eve"]]
    # Nothing reached the default branch.
    assert rows(drv, "dst", branch="default") == [["1", "old"]]
    assert rows(drv, "src", branch="default") == [["1", "ann"], ["2", "ben"], ["3", "cid"], ["4", "dan"],
                                                  ["5", "eve"]]
    # A table cannot be imported into itself, on a branch as elsewhere.
    expect_driver_error(lambda: drv.execute(from_table(destination="src")), "INVALID_ARGUMENT", 3000,
                        "invalid_source")


def test_clone_and_view_imports_are_the_branchs_own(setup):
    drv, rest, pid = setup
    result = drv.execute(from_table(destination="c", options=Options(importType=Options.CLONE), whereFilters=[
        Filter(columnsName="score", operator=Filter.le, values=["20"], dataType=Shared.INTEGER)])).response
    assert (result.importedRowsCount, result.tableRowsCount) == (2, 2)
    drv.execute(from_table(destination="v", options=Options(importType=Options.VIEW), columnMappings=[
        Mapping.ColumnMapping(sourceColumnName="id", destinationColumnName="id"),
        Mapping.ColumnMapping(sourceColumnName="name", destinationColumnName="who")]))
    assert rows(drv, "c") == [["1", "ann"], ["2", "ben"]]
    assert rows(drv, "v", ("id", "who")) == [["1", "ann"], ["2", "ben"], ["3", "cid"], ["4", "dan"]]
    info = drv.execute(info_pb2.ObjectInfoCommand(path=[f"{DEV}/{B}", "c"],
                                                  expectedObjectType=info_pb2.TABLE)).response
    assert list(info.tableInfo.primaryKeysNames) == ["id"] and info.tableInfo.path == [f"{DEV}/{B}"]
    assert (object_type(drv, "c"), object_type(drv, "v")) == (info_pb2.TABLE, info_pb2.VIEW)
    # The default branch has neither.
    assert object_type(drv, "c", "default") is None and object_type(drv, "v", "default") is None
    assert rest.get(table_path(pid, B, "c")).status_code == 404
    # The view reads the default branch's source live (the branch has not written it).
    rest.call("POST", table_path(pid, B, "src") + "/rows", 201, json={"rows": [{"id": 5, "name": "eve"}]})
    assert [r[0] for r in rows(drv, "v", ("id", "who"))] == ["1", "2", "3", "4", "5"]
    # Existing names need createMode REPLACE; replacing keeps the default branch's object untouched.
    expect_driver_error(lambda: drv.execute(from_table(destination="c", options=Options(importType=Options.CLONE))),
                        "ALREADY_EXISTS", 2006)
    drv.execute(from_table(destination="c", options=Options(importType=Options.CLONE,
                                                            createMode=Options.REPLACE)))
    assert len(rows(drv, "c")) == 5
    drv.execute(from_table(destination="dst", options=Options(importType=Options.VIEW,
                                                              createMode=Options.REPLACE)))
    assert object_type(drv, "dst") == info_pb2.VIEW and object_type(drv, "dst", "default") == info_pb2.TABLE
    assert rows(drv, "dst", branch="default") == [["1", "old"]]
    # Dropping them on the branch removes the branch's own objects; the default branch's `dst`, which the
    # branch's view shadowed, does not show through again: the branch deleted that name.
    for name in ("c", "v", "dst"):
        drv.execute(table_pb2.DropTableCommand(path=[f"{DEV}/{B}"], tableName=name))
    assert object_type(drv, "c") is None and object_type(drv, "v") is None and object_type(drv, "dst") is None
    assert rows(drv, "dst", branch="default") == [["1", "old"]]


def test_create_view_on_a_branch_follows_copy_on_write(setup):
    drv, rest, pid = setup
    drv.execute(table_pb2.CreateViewCommand(path=[f"{DEV}/{B}"], viewName="cheap", sourceTableName="src",
                                            columns=["id", "name"], whereFilters=[
                                                Filter(columnsName="score", operator=Filter.lt, values=["35"],
                                                       dataType=Shared.INTEGER)]))
    assert rows(drv, "cheap") == [["1", "ann"], ["2", "ben"], ["3", "cid"]]
    assert object_type(drv, "cheap") == info_pb2.VIEW and object_type(drv, "cheap", "default") is None
    view = drv.execute(info_pb2.ObjectInfoCommand(path=[f"{DEV}/{B}", "cheap"],
                                                  expectedObjectType=info_pb2.VIEW)).response
    assert [c.name for c in view.viewInfo.columns] == ["id", "name"]
    # Inherited source: the view follows the default branch's writes.
    rest.call("POST", table_path(pid, B, "src") + "/rows", 201, json={"rows": [{"id": 0, "name": "zed",
                                                                                 "score": 0}]})
    assert [r[0] for r in rows(drv, "cheap")] == ["0", "1", "2", "3"]
    # The branch's first write copies the source up; the view now reads the branch's copy.
    rest.call("DELETE", table_path(pid, B, "src", DEV) + "/rows", 200,
              json={"filters": [{"column": "id", "operator": "eq", "value": 1}]})
    assert [r[0] for r in rows(drv, "cheap")] == ["0", "2", "3"]
    rest.call("POST", table_path(pid, B, "src") + "/rows", 201, json={"rows": [{"id": 9, "name": "new",
                                                                                 "score": 1}]})
    assert [r[0] for r in rows(drv, "cheap")] == ["0", "2", "3"]  # no longer the default branch's rows
    assert [r[0] for r in rows(drv, "src", branch="default")] == ["0", "1", "2", "3", "4", "9"]
    # Resetting the table discards the copy: the view reads the default branch's table again.
    rest.call("POST", table_path(pid, B, "src", DEV) + "/reset", 200)
    assert [r[0] for r in rows(drv, "cheap")] == ["0", "1", "2", "3", "9"]
    # CreateView replaces the branch's view of that name; a table of that name is a conflict.
    drv.execute(table_pb2.CreateViewCommand(path=[f"{DEV}/{B}"], viewName="cheap", sourceTableName="dst"))
    assert rows(drv, "cheap") == [["1", "old"]]
    expect_driver_error(lambda: drv.execute(table_pb2.CreateViewCommand(
        path=[f"{DEV}/{B}"], viewName="dst", sourceTableName="src")), "ALREADY_EXISTS", 2006, "table_exists")
    drv.execute(table_pb2.DropTableCommand(path=[f"{DEV}/{B}"], tableName="cheap"))
    assert object_type(drv, "cheap") is None
    expect_driver_error(lambda: drv.execute(info_pb2.ObjectInfoCommand(
        path=[f"{DEV}/{B}", "cheap"], expectedObjectType=info_pb2.VIEW)), "NOT_FOUND", 2008, "view_not_found")


def test_sources_on_other_branches_and_linked_buckets_are_refused(setup, server):
    drv, rest, pid = setup
    drv.execute(project_pb2.CreateDevBranchCommand(projectId=pid, branchId="43"))
    expect_driver_error(lambda: drv.execute(from_table(source_branch="43")), "INVALID_ARGUMENT", 3000,
                        "cross_branch_reference")
    expect_driver_error(lambda: drv.execute(from_table(source_branch="default")), "INVALID_ARGUMENT", 3000,
                        "cross_branch_reference")
    expect_driver_error(lambda: drv.execute(table_pb2.CreateViewCommand(
        path=[f"{DEV}/{B}"], viewName="v", sourcePath=[f"43/{B}"], sourceTableName="src")),
        "INVALID_ARGUMENT", 3000, "cross_branch_reference")

    # A view over a linked bucket's table: it lives in another project's instance.
    admin = Driver(server, "grpc", server.admin_key)
    other = unique_id("brsrc")
    created = admin.execute(project_pb2.CreateProjectCommand(projectId=other)).response
    try:
        src = admin.as_project(other, created.projectPassword)
        src.execute(bucket_pb2.CreateBucketCommand(bucketId="in.c-shared"))
        src.execute(table_pb2.CreateTableCommand(path=["in.c-shared"], tableName="s", columns=columns(
            ("id", "INTEGER"))))
        shared = src.execute(bucket_pb2.ShareBucketCommand(sourceBucketObjectName="in.c-shared")).response
        drv.execute(bucket_pb2.LinkBucketCommand(targetBucketId="in.c-linked",
                                                 sourceShareRoleName=shared.bucketShareRoleName))
        rest_src = server.client(created.projectPassword)
        rest_src.call("POST", table_path(other, "in.c-shared", "s") + "/rows", 201,
                      json={"rows": [{"id": 7}, {"id": 8}]})
        # FULL / INCREMENTAL / CLONE from a linked source: its rows are streamed from its project.
        linked = dict(source="s", source_bucket="in.c-linked")
        result = drv.execute(from_table(destination="fromlink", options=Options(importType=Options.CLONE),
                                        limit=1, **linked)).response
        assert result.tableRowsCount == 1
        drv.execute(from_table(destination="fromlink", options=Options(importType=Options.INCREMENTAL),
                               **linked))
        assert [r[0] for r in rows(drv, "fromlink", ("id",))] == ["7", "7", "8"]
        drv.execute(from_table(destination="fromlink", options=Options(importType=Options.FULL), **linked))
        assert [r[0] for r in rows(drv, "fromlink", ("id",))] == ["7", "8"]
        # A VIEW import or CreateView cannot read it.
        failure = expect_driver_error(lambda: drv.execute(from_table(
            destination="v", options=Options(importType=Options.VIEW), **linked)),
            "INVALID_ARGUMENT", 3000, "invalid_source")
        assert "linked" in failure.message
        failure = expect_driver_error(lambda: drv.execute(table_pb2.CreateViewCommand(
            path=[f"{DEV}/{B}"], viewName="v", sourcePath=[f"{DEV}/in.c-linked"], sourceTableName="s")),
            "INVALID_ARGUMENT", 3000, "invalid_source")
        assert "linked" in failure.message
        expect_driver_error(lambda: drv.execute(table_pb2.CreateViewCommand(
            path=[B], viewName="v", sourcePath=["in.c-linked"], sourceTableName="s")),
            "INVALID_ARGUMENT", 3000, "invalid_source")
        assert object_type(drv, "v") is None
    finally:
        admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=other))


def test_rest_import_table_on_a_branch(setup):
    drv, rest, pid = setup
    body = rest.call("POST", table_path(pid, B, "dst", DEV) + "/import-table", 200, json={
        "source": {"bucket": B, "table": "src"}, "import_type": "full",
        "column_mappings": [{"source": "id", "destination": "id"}, {"source": "name", "destination": "name"}]})
    assert body["table_rows"] == 4
    assert rows(drv, "dst") == [["1", "ann"], ["2", "ben"], ["3", "cid"], ["4", "dan"]]
    assert rows(drv, "dst", branch="default") == [["1", "old"]]
    rest.call("POST", table_path(pid, B, "cl", DEV) + "/import-table", 200, json={
        "source": {"bucket": B, "table": "src"}, "import_type": "clone"})
    assert rest.get(table_path(pid, B, "cl", DEV)).status_code == 200
    assert rest.get(table_path(pid, B, "cl")).status_code == 404
