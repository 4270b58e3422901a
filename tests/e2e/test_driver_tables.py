"""Storage driver table commands in detail: preview rules, row deletion (incl. whereRefTableFilters),
primary keys, column changes with per-attribute messages, views, profile, time travel and ExecuteQuery.
Over every transport (gRPC, protobuf JSON and binary on /driver/execute)."""

from __future__ import annotations

import json
import time

import pytest

from driver_client import TRANSPORTS, Driver, expect_driver_error
from harness import unique_id
from keboola.storage_driver import bucket_pb2, execute_query_pb2, info_pb2, project_pb2, table_pb2

Filter = table_pb2.ImportExportShared.TableWhereFilter
Shared = table_pb2.ImportExportShared
Query = execute_query_pb2.ExecuteQueryCommand
B = "in.c-data"


def column(name, type_, length="", nullable=True, default=""):
    return table_pb2.TableColumnShared(name=name, type=type_, length=length, nullable=nullable, default=default)


@pytest.fixture(params=TRANSPORTS)
def drv(request, server):
    """A project with bucket in.c-data and table items(id INT NOT NULL, name, price VARCHAR, qty INT, _timestamp)."""
    admin = Driver(server, request.param, server.admin_key)
    project_id = unique_id("drvtab")
    created = admin.execute(project_pb2.CreateProjectCommand(projectId=project_id)).response
    client = admin.as_project(project_id, created.projectPassword)
    client.execute(bucket_pb2.CreateBucketCommand(bucketId=B))
    client.execute(table_pb2.CreateTableCommand(path=[B], tableName="items", columns=[
        column("id", "INTEGER", nullable=False), column("name", "VARCHAR"), column("price", "VARCHAR"),
        column("qty", "INTEGER"), column("_timestamp", "TIMESTAMP")]))
    run_sql(client, """INSERT INTO items VALUES
        (1, 'apple',  '10',  3,    TIMESTAMP '2024-01-01 00:00:00'),
        (2, 'banana', '9.5', NULL, TIMESTAMP '2024-01-02 00:00:00'),
        (3, 'cherry', '100', 7,    TIMESTAMP '2024-01-03 00:00:00'),
        (4, NULL,     'n/a', 1,    TIMESTAMP '2024-01-04 00:00:00')""")
    yield client
    admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=project_id))


def run_sql(drv, sql, timeout=0):
    response = drv.execute(Query(pathRestriction=[B], query=sql, timeout=timeout)).response
    assert response.status == execute_query_pb2.ExecuteQueryResponse.Success, response.message
    return response


def preview(drv, columns, table="items", **filters):
    order_by = filters.pop("order_by", [Shared.ExportOrderBy(columnName="id")])
    response = drv.execute(table_pb2.PreviewTableCommand(path=[B], tableName=table, columns=columns,
                                                         orderBy=order_by,
                                                         filters=Shared.ExportFilters(**filters))).response
    return [[None if c.value.WhichOneof("kind") == "null_value" else c.value.string_value for c in row.columns]
            for row in response.rows]


def test_preview_values_are_strings_or_null(drv):
    assert preview(drv, ["id", "name", "qty", "_timestamp"]) == [
        ["1", "apple", "3", "2024-01-01 00:00:00"], ["2", "banana", None, "2024-01-02 00:00:00"],
        ["3", "cherry", "7", "2024-01-03 00:00:00"], ["4", None, "1", "2024-01-04 00:00:00"]]


def test_preview_filters(drv):
    eq = Filter(columnsName="name", operator=Filter.eq, values=["apple", "cherry"])
    assert preview(drv, ["id"], whereFilters=[eq]) == [["1"], ["3"]]
    ne = Filter(columnsName="id", operator=Filter.ne, values=["1", "2"])
    assert preview(drv, ["id"], whereFilters=[ne]) == [["3"], ["4"]]
    # A string column compared as a number (TRY_CAST: 'n/a' matches nothing).
    gt = Filter(columnsName="price", operator=Filter.gt, values=["9.75"], dataType=Shared.DOUBLE)
    assert preview(drv, ["id"], whereFilters=[gt]) == [["1"], ["3"]]
    # STRING data type on a numeric column compares as the column's type.
    ge = Filter(columnsName="qty", operator=Filter.ge, values=["3"], dataType=Shared.STRING)
    assert preview(drv, ["id"], whereFilters=[ge]) == [["1"], ["3"]]
    several = Filter(columnsName="qty", operator=Filter.gt, values=["1", "2"])
    expect_driver_error(lambda: preview(drv, ["id"], whereFilters=[several]), "INVALID_ARGUMENT", 3000)
    unknown = Filter(columnsName="nope", values=["1"])
    expect_driver_error(lambda: preview(drv, ["id"], whereFilters=[unknown]), "INVALID_ARGUMENT", 2005,
                        "column_not_found")


def test_preview_order_fulltext_window_and_limits(drv):
    by_price = [Shared.ExportOrderBy(columnName="price", order=Shared.ExportOrderBy.DESC, dataType=Shared.DOUBLE)]
    assert preview(drv, ["price"], order_by=by_price) == [["100"], ["10"], ["9.5"], ["n/a"]]
    assert preview(drv, ["price"], order_by=[Shared.ExportOrderBy(columnName="price")]) == [
        ["10"], ["100"], ["9.5"], ["n/a"]]
    assert preview(drv, ["id"], fulltextSearch="an") == [["2"]]
    assert preview(drv, ["id"], fulltextSearch="%") == []  # no LIKE wildcards
    assert preview(drv, ["id"], changeSince="1704153600") == [["2"], ["3"], ["4"]]
    assert preview(drv, ["id"], changeSince="1704153600", changeUntil="1704240000") == [["2"]]
    assert preview(drv, ["id"], limit=2) == [["1"], ["2"]]
    expect_driver_error(lambda: preview(drv, ["id"], limit=1001), "INVALID_ARGUMENT", 3000, "invalid_limit")
    expect_driver_error(lambda: preview(drv, ["id"], changeSince="yesterday"), "INVALID_ARGUMENT", 3000)
    expect_driver_error(lambda: preview(drv, ["id"], fulltextSearch="a",
                                        whereFilters=[Filter(columnsName="id", values=["1"])]),
                        "INVALID_ARGUMENT", 3000)
    expect_driver_error(lambda: preview(drv, []), "INVALID_ARGUMENT", 3000)
    expect_driver_error(lambda: preview(drv, ["id", "id"]), "INVALID_ARGUMENT", 3000)


def test_preview_truncates_long_strings(drv):
    run_sql(drv, "UPDATE items SET name = repeat('x', 20000) WHERE id = 1")
    response = drv.execute(table_pb2.PreviewTableCommand(path=[B], tableName="items", columns=["id", "name"],
                                                         orderBy=[Shared.ExportOrderBy(columnName="id")])).response
    first = response.rows[0].columns[1]
    assert first.isTruncated and len(first.value.string_value) == 16384
    assert not response.rows[1].columns[1].isTruncated


def test_delete_rows(drv):
    drv.execute(table_pb2.CreateTableCommand(path=[B], tableName="gone", columns=[column("item", "INTEGER")]))
    run_sql(drv, "INSERT INTO gone VALUES (1), (3)")
    ref = table_pb2.DeleteTableRowsCommand.WhereRefTableFilter
    deleted = drv.execute(table_pb2.DeleteTableRowsCommand(path=[B], tableName="items", whereRefTableFilters=[
        ref(column="id", operator=ref.IN, refPath=[B], refTable="gone", refColumn="item")])).response
    assert (deleted.deletedRowsCount, deleted.tableRowsCount) == (2, 2)
    assert preview(drv, ["id"]) == [["2"], ["4"]]
    deleted = drv.execute(table_pb2.DeleteTableRowsCommand(path=[B], tableName="items",
                                                           changeSince="1704240000")).response
    assert (deleted.deletedRowsCount, deleted.tableRowsCount) == (1, 1)
    deleted = drv.execute(table_pb2.DeleteTableRowsCommand(path=[B], tableName="items")).response
    assert (deleted.deletedRowsCount, deleted.tableRowsCount) == (1, 0)


def test_primary_keys(drv):
    add = table_pb2.AddPrimaryKeyCommand
    error = expect_driver_error(lambda: drv.execute(add(path=[B], tableName="items", primaryKeysNames=["name"])),
                                "INVALID_ARGUMENT", 3000, "primary_key_column_nullable")
    assert error.message == 'Selected column "name" is nullable'
    run_sql(drv, "INSERT INTO items VALUES (1, 'again', '1', 1, NULL)")
    expect_driver_error(lambda: drv.execute(add(path=[B], tableName="items", primaryKeysNames=["id"])),
                        "FAILED_PRECONDITION", 3000, "duplicate_primary_key")
    drv.execute(add(path=[B], tableName="items", primaryKeysNames=["id"], skipDuplicatesCheck=True))
    expect_driver_error(lambda: drv.execute(add(path=[B], tableName="items", primaryKeysNames=["id"])),
                        "FAILED_PRECONDITION", 3000, "primary_key_exists")
    info = drv.execute(info_pb2.ObjectInfoCommand(path=[B, "items"], expectedObjectType=info_pb2.TABLE)).response
    assert list(info.tableInfo.primaryKeysNames) == ["id"]
    drv.execute(table_pb2.DropPrimaryKeyCommand(path=[B], tableName="items"))


def test_alter_column_reports_each_attribute(drv):
    result = drv.execute(table_pb2.AlterColumnCommand(
        path=[B], tableName="items", desiredDefiniton=column("name", "VARCHAR", nullable=False, default="none"),
        attributesToUpdate=["default", "nullable", "length"]))
    levels = {m.message.split(":")[0]: m.level for m in result.messages}
    # "nullable" fails (row 4 has a NULL name); the others apply; the command itself succeeds.
    assert levels == {'"default"': 6, '"nullable"': 3, '"length"': 6}, result.messages
    name = result.response.tableInfo.columns[1]
    assert (name.default, name.nullable) == ("none", True)
    result = drv.execute(table_pb2.AlterColumnCommand(
        path=[B], tableName="items", desiredDefiniton=column("qty", "BIGINT"), attributesToUpdate=["type"]))
    assert result.response.tableInfo.columns[3].type == "BIGINT" and not result.messages[0].level == 3
    expect_driver_error(lambda: drv.execute(table_pb2.DropColumnCommand(path=[B], tableName="items",
                                                                       columnName="nope")),
                        "NOT_FOUND", 2005, "column_not_found")


def test_views(drv):
    view = table_pb2.CreateViewCommand(path=[B], viewName="cheap", sourceTableName="items",
                                       columns=["id", "price"],
                                       whereFilters=[Filter(columnsName="price", operator=Filter.lt, values=["50"],
                                                            dataType=Shared.DOUBLE)])
    drv.execute(view)
    rows = run_sql(drv, "SELECT id FROM cheap ORDER BY id").data.rows
    assert [r.fields["id"] for r in rows] == ["1", "2"]
    # Quotes in filter values are data, not SQL.
    drv.execute(table_pb2.CreateViewCommand(path=[B], viewName="quoted", sourceTableName="items",
                                            whereFilters=[Filter(columnsName="name", values=["x' OR '1'='1"])]))
    assert run_sql(drv, "SELECT count(*) AS n FROM quoted").data.rows[0].fields["n"] == "0"
    expect_driver_error(lambda: drv.execute(table_pb2.CreateViewCommand(
        path=[B], viewName="items", sourceTableName="items")), "ALREADY_EXISTS", 2006, "table_exists")
    drv.execute(table_pb2.DropTableCommand(path=[B], tableName="cheap"))
    expect_driver_error(lambda: drv.execute(info_pb2.ObjectInfoCommand(
        path=[B, "cheap"], expectedObjectType=info_pb2.VIEW)), "NOT_FOUND", 2008, "view_not_found")


def test_profile(drv):
    response = drv.execute(table_pb2.CreateProfileTableCommand(path=[B], tableName="items")).response
    assert (list(response.path), response.tableName) == ([B], "items")
    profile = json.loads(response.profile)
    assert set(profile) == {"rowCount", "columnCount", "dataSize"}
    assert (profile["rowCount"], profile["columnCount"]) == (4, 5)
    columns = {c.name: json.loads(c.profile) for c in response.columns}
    assert columns["qty"] == {"distinctCount": 3, "duplicateCount": 0, "nullCount": 1,
                              "numericStatistics": {"avg": pytest.approx(11 / 3), "median": 3.0, "min": 1, "max": 7}}
    assert columns["name"]["length"] == {"avg": pytest.approx(17 / 3), "min": 5, "max": 6}
    assert columns["name"]["nullCount"] == 1


def test_time_travel(drv):
    """CreateTableFromTimeTravel: the source's rows as of the second given, and the contract's errors."""
    time.sleep(1.1)
    then = int(time.time())  # after the fixture's rows, before the deletion below
    time.sleep(1.1)
    drv.execute(table_pb2.DeleteTableRowsCommand(path=[B], tableName="items"))
    command = table_pb2.CreateTableFromTimeTravelCommand(
        source=table_pb2.CreateTableFromTimeTravelCommand.SourceTableMapping(path=[B], tableName="items"),
        destination=Shared.Table(path=[B], tableName="items_then"), timestamp=then)
    response = drv.execute(command).response
    assert response.tableInfo.rowsCount == 4
    assert run_sql(drv, "SELECT string_agg(name, ',' ORDER BY id) AS n FROM items_then").data.rows[0].fields["n"] \
        == "apple,banana,cherry"
    assert list(response.tableInfo.primaryKeysNames) == []
    assert [c.name for c in response.tableInfo.columns] == ["id", "name", "price", "qty", "_timestamp"]
    # The destination exists now.
    expect_driver_error(lambda: drv.execute(command), "ALREADY_EXISTS", 2006, "table_exists")
    command.destination.tableName = "items_other"
    command.timestamp = 4102444800  # 2100
    expect_driver_error(lambda: drv.execute(command), "INVALID_ARGUMENT", 3000, "timestamp_in_future")
    command.timestamp = int(time.time()) - 8 * 86400  # before the 7 days retained
    expect_driver_error(lambda: drv.execute(command), "INVALID_ARGUMENT", 3000, "time_travel_data_not_retained")
    command.timestamp = int(time.time()) - 3600  # before the table existed
    expect_driver_error(lambda: drv.execute(command), "NOT_FOUND", 2004, "table_not_found")
    command.source.tableName = "nope"
    command.timestamp = then
    expect_driver_error(lambda: drv.execute(command), "NOT_FOUND", 2004, "table_not_found")


def test_execute_query(drv):
    response = run_sql(drv, "SELECT id, name FROM items WHERE id <= 2 ORDER BY id")
    assert list(response.data.columns) == ["id", "name"]
    assert [dict(r.fields) for r in response.data.rows] == [{"id": "1", "name": "apple"},
                                                           {"id": "2", "name": "banana"}]
    assert run_sql(drv, 'SELECT count(*) AS n FROM "in.c-data".items').data.rows[0].fields["n"] == "4"
    # SQL errors are answered in-band.
    failed = drv.execute(Query(pathRestriction=[B], query="SELECT nope FROM items")).response
    assert failed.status == execute_query_pb2.ExecuteQueryResponse.Error and "nope" in failed.message
    slow = drv.execute(Query(pathRestriction=[B], timeout=1,
                             query="SELECT count(*) FROM range(100000000000) a")).response
    assert slow.status == execute_query_pb2.ExecuteQueryResponse.Error and "timeout" in slow.message
    # The scope is the bucket of pathRestriction.
    drv.execute(bucket_pb2.CreateBucketCommand(bucketId="in.c-other"))
    for sql in ('SELECT * FROM "in.c-other".t', "SELECT * FROM _duckstore.tables",
                "SELECT * FROM items WHERE id IN (SELECT id FROM _duckstore.tables)",
                "WITH x AS (SELECT * FROM _duckstore.buckets) SELECT * FROM x",
                "ATTACH ':memory:' AS m", "SELECT * FROM query_table('_duckstore.tables')",
                'CREATE SCHEMA "in.c-new"', 'DROP TABLE "in.c-other".t', "SET search_path = '_duckstore'"):
        expect_driver_error(lambda: drv.execute(Query(pathRestriction=[B], query=sql)), "PERMISSION_DENIED",
                            2007, "query_out_of_scope")
    expect_driver_error(lambda: drv.execute(Query(query="SELECT 1")), "INVALID_ARGUMENT", 3000)
    # Several statements are a script (test_driver_query.py); a parse error is in-band like the others.
    assert run_sql(drv, "SELECT 1; SELECT 2 AS two").data.rows[0].fields["two"] == "2"
    unparsable = drv.execute(Query(pathRestriction=[B], query="SELECT 1; SELEC 2")).response
    assert unparsable.status == execute_query_pb2.ExecuteQueryResponse.Error and "syntax" in unparsable.message
