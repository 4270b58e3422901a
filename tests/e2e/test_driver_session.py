"""A realistic Keboola Connection session against the storage driver, over gRPC, protobuf JSON and binary
protobuf on /driver/execute: backend init, project, bucket, table, rows, preview with filters, ObjectInfo at
every level, column and primary key changes, views, profile, row deletion, ExecuteQuery, then teardown, with
the runId and queryTags recorded in the project's operations log.

Files travel through duckstore's S3 API (boto3): CSV imports (FULL, then INCREMENTAL with deduplication)
and exports (gzip CSV slices with a manifest, Parquet) are read back and compared value by value.

The session also works on a dev branch (buckets named "<branch id>/<bucket id>", copy-on-write). The slot
marked "SLOT" is where the share/link steps of the same session go (another engineer's part of issue 5).
"""

from __future__ import annotations

import json

import pytest

from driver_client import TRANSPORTS, Driver, expect_driver_error
from driver_files import Csv, Files, Options, import_response_checks, to_csv
from harness import project_path, unique_id
from keboola.storage_driver import (backend_pb2, bucket_pb2, execute_query_pb2, info_pb2, project_pb2,
                                    table_pb2)

Filter = table_pb2.ImportExportShared.TableWhereFilter
Shared = table_pb2.ImportExportShared


def column(name, type_, length="", nullable=True, default=""):
    return table_pb2.TableColumnShared(name=name, type=type_, length=length, nullable=nullable, default=default)


def preview(drv, bucket, table, columns, **filters):
    order_by = filters.pop("order_by", [])
    command = table_pb2.PreviewTableCommand(path=[bucket], tableName=table, columns=columns, orderBy=order_by,
                                            filters=Shared.ExportFilters(**filters))
    response = drv.execute(command).response
    assert list(response.columns) == columns
    rows = []
    for row in response.rows:
        assert [c.columnName for c in row.columns] == columns
        rows.append([None if c.value.WhichOneof("kind") == "null_value" else c.value.string_value
                     for c in row.columns])
    return rows


def query(drv, bucket, sql):
    response = drv.execute(execute_query_pb2.ExecuteQueryCommand(pathRestriction=[bucket], query=sql)).response
    assert response.status == execute_query_pb2.ExecuteQueryResponse.Success, response.message
    return response


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_connection_session(server, transport):
    admin = Driver(server, transport, server.admin_key)
    run = {"run_id": f"run-{transport}", "query_tags": {"branch_id": "default", "run_id": f"run-{transport}"}}

    # Backend and project: the admin key.
    result = admin.execute(backend_pb2.InitBackendCommand(), **run)
    assert result.type_url == "type.googleapis.com/keboola.storageDriver.command.backend.InitBackendResponse"
    project_id = unique_id("drv")
    result = admin.execute(project_pb2.CreateProjectCommand(projectId=project_id, stackPrefix="kbc",
                                                            dataRetentionTime=7), **run)
    assert result.type_url == "type.googleapis.com/keboola.storageDriver.command.project.CreateProjectResponse"
    created = result.response
    assert created.projectDatabaseName == project_id
    assert created.projectPassword.startswith(created.projectUserName + ".")
    drv = admin.as_project(project_id, created.projectPassword)
    try:
        admin.execute(project_pb2.UpdateProjectCommand(projectId=project_id, timezone="Europe/Prague"), **run)

        # Buckets: the object name is the bucket id.
        result = drv.execute(bucket_pb2.CreateBucketCommand(projectId=project_id, bucketId="in.c-sales"), **run)
        assert result.response.createBucketObjectName == "in.c-sales"
        bucket = result.response.createBucketObjectName
        drv.execute(bucket_pb2.CreateBucketCommand(projectId=project_id, bucketId="out.c-reports"), **run)

        # Tables.
        result = drv.execute(table_pb2.CreateTableCommand(
            path=[bucket], tableName="orders", primaryKeysNames=["id"],
            columns=[column("id", "INTEGER", nullable=False), column("customer", "VARCHAR"),
                     column("amount", "DECIMAL", length="12,2", default="0"), column("status", "VARCHAR"),
                     column("_timestamp", "TIMESTAMP")]), **run)
        assert result.type_url == "type.googleapis.com/keboola.storageDriver.command.info.ObjectInfoResponse"
        info = result.response
        assert info.objectType == info_pb2.TABLE and list(info.path) == [bucket]
        assert info.tableInfo.tableName == "orders" and list(info.tableInfo.primaryKeysNames) == ["id"]
        amount = info.tableInfo.columns[2]
        assert (amount.name, amount.type, amount.length, amount.nullable, amount.default) == (
            "amount", "DECIMAL", "12,2", True, "0")
        assert info.tableInfo.columns[0].nullable is False

        # Import CSV files uploaded through S3 (Connection's file storage): FULL, then INCREMENTAL with
        # duplicates in the source, deduplicated by the key (the last occurrence wins).
        files = Files(server, created.projectPassword, f"files-{project_id}")
        header = ["id", "customer", "amount", "status", "_timestamp"]
        files.put("in/orders-full.csv", to_csv(header, [
            [1, "alice", "10.50", "paid", "2024-01-01 10:00:00"],
            [2, "bob", "20.00", "open", "2024-01-02 10:00:00"],
            [3, "carol", "7.00", "open", "2024-01-03 09:00:00"]]))
        typed = {"importStrategy": Options.USER_DEFINED_TABLE, "timestampColumn": "_timestamp",
                 "timestampMode": Options.FROM_SOURCE, "numberOfIgnoredLines": 1}
        result = drv.execute(files.import_command(bucket, "orders", "in", "orders-full.csv", columns=header,
                                                  options=Options(importType=Options.FULL, **typed)), **run)
        assert result.type_url == "type.googleapis.com/keboola.storageDriver.command.table.TableImportResponse"
        import_response_checks(result.response, 3, 3, header)
        assert preview(drv, bucket, "orders", header, order_by=[Shared.ExportOrderBy(columnName="id")]) == [
            ["1", "alice", "10.50", "paid", "2024-01-01 10:00:00"],
            ["2", "bob", "20.00", "open", "2024-01-02 10:00:00"],
            ["3", "carol", "7.00", "open", "2024-01-03 09:00:00"]]
        files.put("in/orders-delta.csv.gz", to_csv(header, [
            [3, "carol", "6.00", "open", "2024-01-03 09:30:00"],
            [4, "dave", "", "refund", "2024-01-04 10:00:00"],
            [3, "carol", "5.25", "paid", "2024-01-03 10:00:00"],
            [5, "erin", "99.99", "paid", "2024-01-05 10:00:00"]]), compress=True)
        result = drv.execute(files.import_command(
            bucket, "orders", "in", "orders-delta.csv.gz", columns=header,
            csv_options={"compression": Csv.GZIP},
            options=Options(importType=Options.INCREMENTAL, dedupType=Options.UPDATE_DUPLICATES,
                            dedupColumnsNames=["id"], **typed)), **run)
        import_response_checks(result.response, 3, 5, header)  # 3 distinct keys of 4 source rows
        assert preview(drv, bucket, "orders", header, order_by=[Shared.ExportOrderBy(columnName="id")]) == [
            ["1", "alice", "10.50", "paid", "2024-01-01 10:00:00"],
            ["2", "bob", "20.00", "open", "2024-01-02 10:00:00"],
            ["3", "carol", "5.25", "paid", "2024-01-03 10:00:00"],
            ["4", "dave", None, "refund", "2024-01-04 10:00:00"],
            ["5", "erin", "99.99", "paid", "2024-01-05 10:00:00"]]

        # Preview with filters, order and a change window.
        rows = preview(drv, bucket, "orders", ["id", "amount"],
                       whereFilters=[Filter(columnsName="status", operator=Filter.eq, values=["paid"])],
                       order_by=[Shared.ExportOrderBy(columnName="amount", order=Shared.ExportOrderBy.DESC)])
        assert rows == [["5", "99.99"], ["1", "10.50"], ["3", "5.25"]]
        rows = preview(drv, bucket, "orders", ["id", "amount"], changeSince="1704153600", changeUntil="1704326400")
        assert sorted(rows) == [["2", "20.00"], ["3", "5.25"]]
        rows = preview(drv, bucket, "orders", ["customer", "amount"], fulltextSearch="ro")
        assert rows == [["carol", "5.25"]]

        # Dev branch: a copy-on-write overlay over the default branch. A branch's buckets are named
        # "<branch id>/<bucket id>", and that name routes every later command to the branch.
        branch_id = "1234"
        assert drv.execute(project_pb2.CreateDevBranchCommand(projectId=project_id, branchId=branch_id),
                           **run).response.devBranchReadOnlyRoleName == branch_id
        result = drv.execute(bucket_pb2.CreateBucketCommand(projectId=project_id, bucketId="in.c-branch_only",
                                                            branchId=branch_id, isBranchDefault=False), **run)
        branch_bucket = result.response.createBucketObjectName
        assert branch_bucket == "1234/in.c-branch_only"
        info = drv.execute(table_pb2.CreateTableCommand(
            path=[branch_bucket], tableName="notes", primaryKeysNames=["id"],
            columns=[column("id", "INTEGER", nullable=False), column("text", "VARCHAR")])).response
        assert list(info.path) == [branch_bucket] and list(info.tableInfo.path) == [branch_bucket]
        query(drv, branch_bucket, "INSERT INTO notes VALUES (1, 'one'), (2, 'two')")
        assert preview(drv, branch_bucket, "notes", ["id", "text"], order_by=[
            Shared.ExportOrderBy(columnName="id")]) == [["1", "one"], ["2", "two"]]
        # The branch's own bucket is not on the default branch.
        expect_driver_error(lambda: drv.execute(info_pb2.ObjectInfoCommand(
            path=["in.c-branch_only"], expectedObjectType=info_pb2.SCHEMA)), "NOT_FOUND", 2003, "bucket_not_found")
        # A default-branch table shows through the branch's name of its bucket until the branch writes it.
        sales_on_branch = f"{branch_id}/{bucket}"
        by_id = [Shared.ExportOrderBy(columnName="id")]
        assert preview(drv, sales_on_branch, "orders", ["id", "status"], order_by=by_id) == [
            ["1", "paid"], ["2", "open"], ["3", "paid"], ["4", "refund"], ["5", "paid"]]
        # Writes on the branch copy the table into it; the default branch keeps its rows and columns.
        deleted = drv.execute(table_pb2.DeleteTableRowsCommand(
            path=[sales_on_branch], tableName="orders",
            whereFilters=[Filter(columnsName="status", values=["refund"])])).response
        assert (deleted.deletedRowsCount, deleted.tableRowsCount) == (1, 4)
        query(drv, sales_on_branch, "UPDATE orders SET status = 'void' WHERE id = 2")
        info = drv.execute(table_pb2.AddColumnCommand(path=[sales_on_branch], tableName="orders",
                                                      columnDefinition=column("branch_note", "VARCHAR"))).response
        assert list(info.path) == [sales_on_branch] and info.tableInfo.columns[-1].name == "branch_note"
        assert preview(drv, sales_on_branch, "orders", ["id", "status"], order_by=by_id) == [
            ["1", "paid"], ["2", "void"], ["3", "paid"], ["5", "paid"]]
        assert preview(drv, bucket, "orders", ["id", "status"], order_by=by_id) == [
            ["1", "paid"], ["2", "open"], ["3", "paid"], ["4", "refund"], ["5", "paid"]]
        on_default = drv.execute(info_pb2.ObjectInfoCommand(path=[bucket, "orders"],
                                                            expectedObjectType=info_pb2.TABLE)).response.tableInfo
        assert "branch_note" not in [c.name for c in on_default.columns] and on_default.rowsCount == 5
        on_branch = drv.execute(info_pb2.ObjectInfoCommand(path=[sales_on_branch, "orders"],
                                                           expectedObjectType=info_pb2.TABLE)).response.tableInfo
        assert on_branch.columns[-1].name == "branch_note" and on_branch.rowsCount == 4
        assert list(on_branch.path) == [sales_on_branch]
        counted = query(drv, sales_on_branch, "SELECT count(*) AS n, sum(amount) AS total FROM orders")
        assert dict(counted.data.rows[0].fields) == {"n": "4", "total": "135.74"}
        # A table created on the branch in a default-branch bucket, and a default table dropped on the branch.
        query(drv, sales_on_branch, "CREATE TABLE branch_scratch AS SELECT id FROM orders WHERE status = 'paid'")
        drv.execute(table_pb2.DropTableCommand(path=[sales_on_branch], tableName="orders"))
        schema = drv.execute(info_pb2.ObjectInfoCommand(path=[sales_on_branch],
                                                        expectedObjectType=info_pb2.SCHEMA)).response
        assert [(o.objectName, o.objectType) for o in schema.schemaInfo.objects] == [
            ("branch_scratch", info_pb2.TABLE)]
        assert len(preview(drv, bucket, "orders", ["id"])) == 5
        expect_driver_error(lambda: drv.execute(info_pb2.ObjectInfoCommand(
            path=[bucket, "branch_scratch"], expectedObjectType=info_pb2.TABLE)), "NOT_FOUND", 2004)
        # Dropping the branch drops its data; the default branch is as it was.
        drv.execute(project_pb2.DropDevBranchCommand(devBranchReadOnlyRoleName=branch_id), **run)
        expect_driver_error(lambda: preview(drv, branch_bucket, "notes", ["id"]), "NOT_FOUND", 2000,
                            "branch_not_found")
        assert preview(drv, bucket, "orders", ["id", "status"], order_by=by_id) == [
            ["1", "paid"], ["2", "open"], ["3", "paid"], ["4", "refund"], ["5", "paid"]]

        # ObjectInfo at every level.
        database = drv.execute(info_pb2.ObjectInfoCommand(path=[project_id],
                                                          expectedObjectType=info_pb2.DATABASE)).response
        assert database.objectType == info_pb2.DATABASE and list(database.path) == [project_id]
        assert sorted((o.objectName, o.objectType) for o in database.databaseInfo.objects) == [
            ("in.c-sales", info_pb2.SCHEMA), ("out.c-reports", info_pb2.SCHEMA)]
        drv.execute(table_pb2.CreateViewCommand(path=[bucket], viewName="paid_orders", sourceTableName="orders",
                                                columns=["id", "customer", "amount"],
                                                whereFilters=[Filter(columnsName="status", values=["paid"])]))
        schema = drv.execute(info_pb2.ObjectInfoCommand(path=[bucket], expectedObjectType=info_pb2.SCHEMA)).response
        assert sorted((o.objectName, o.objectType) for o in schema.schemaInfo.objects) == [
            ("orders", info_pb2.TABLE), ("paid_orders", info_pb2.VIEW)]
        table = drv.execute(info_pb2.ObjectInfoCommand(path=[bucket, "orders"],
                                                       expectedObjectType=info_pb2.TABLE)).response.tableInfo
        assert table.rowsCount == 5 and table.tableType == info_pb2.NORMAL and list(table.path) == [bucket]
        assert [c.name for c in table.columns] == ["id", "customer", "amount", "status", "_timestamp"]
        view = drv.execute(info_pb2.ObjectInfoCommand(path=[bucket, "paid_orders"],
                                                      expectedObjectType=info_pb2.VIEW)).response.viewInfo
        assert view.viewName == "paid_orders" and [c.name for c in view.columns] == ["id", "customer", "amount"]
        assert preview(drv, bucket, "orders", ["id"], limit=2, order_by=[
            Shared.ExportOrderBy(columnName="id")]) == [["1"], ["2"]]
        assert sorted(drv.execute(info_pb2.ListSchemasCommand()).response.schemas) == ["in.c-sales", "out.c-reports"]

        # Columns: add, alter (per-attribute messages), drop.
        info = drv.execute(table_pb2.AddColumnCommand(path=[bucket], tableName="orders",
                                                      columnDefinition=column("note", "VARCHAR"))).response
        assert info.tableInfo.columns[-1].name == "note"
        result = drv.execute(table_pb2.AlterColumnCommand(
            path=[bucket], tableName="orders", desiredDefiniton=column("customer", "VARCHAR", nullable=False,
                                                                        default="n/a"),
            attributesToUpdate=["nullable", "default"]))
        customer = result.response.tableInfo.columns[1]
        assert (customer.nullable, customer.default) == (False, "n/a")
        assert [m.level for m in result.messages] == [6, 6], result.messages  # Informational
        drv.execute(table_pb2.DropColumnCommand(path=[bucket], tableName="orders", columnName="note"))

        # Primary key: drop and add again.
        drv.execute(table_pb2.DropPrimaryKeyCommand(path=[bucket], tableName="orders"))
        drv.execute(table_pb2.AddPrimaryKeyCommand(path=[bucket], tableName="orders", primaryKeysNames=["id"]))

        # Profile.
        profile = drv.execute(table_pb2.CreateProfileTableCommand(path=[bucket], tableName="orders")).response
        assert json.loads(profile.profile)["rowCount"] == 5
        by_name = {c.name: json.loads(c.profile) for c in profile.columns}
        assert by_name["amount"]["nullCount"] == 1 and by_name["amount"]["numericStatistics"]["max"] == "99.99"

        # Export to S3 and read it back: CSV gzip slices + manifest, then Parquet (read back by importing it).
        result = drv.execute(files.export_command(
            bucket, "orders", "exports", "orders_", isCompressed=True, columnsToExport=["id", "customer", "amount"],
            orderBy=[Shared.ExportOrderBy(columnName="amount", order=Shared.ExportOrderBy.DESC)],
            filters=Shared.ExportFilters(whereFilters=[Filter(columnsName="status", values=["paid"])])), **run)
        assert result.type_url == ("type.googleapis.com/keboola.storageDriver.command.table."
                                   "TableExportToFileResponse")
        exported = result.response.tableInfo
        assert (exported.tableName, list(exported.path), exported.rowsCount) == ("orders", [bucket], 5)
        assert [c.name for c in exported.columns] == ["id", "customer", "amount", "status", "_timestamp"]
        assert files.manifest("exports/orders_") == ["exports/orders_0000.csv.gz"]
        assert files.exported_csv("exports/orders_", compressed=True) == [
            ["5", "erin", "99.99"], ["1", "alice", "10.50"], ["3", "carol", "5.25"]]
        drv.execute(files.export_command(bucket, "orders", "exports/parquet", "orders_",
                                         file_format=Shared.PARQUET), **run)
        [slice_key] = files.manifest("exports/parquet/orders_")
        assert slice_key == "exports/parquet/orders_0000.parquet"
        data = files.get(slice_key)
        assert data[:4] == data[-4:] == b"PAR1"
        drv.execute(table_pb2.CreateTableCommand(
            path=["out.c-reports"], tableName="orders_copy", columns=[
                column("id", "INTEGER"), column("customer", "VARCHAR"), column("amount", "DECIMAL", length="12,2"),
                column("status", "VARCHAR"), column("_timestamp", "TIMESTAMP")]))
        sliced = files.import_command("out.c-reports", "orders_copy", "exports/parquet", "orders_manifest",
                                      file_format=Shared.PARQUET, csv_options={"sourceType": Csv.SLICED_FILE},
                                      options=Options(importStrategy=Options.USER_DEFINED_TABLE,
                                                      timestampMode=Options.FROM_SOURCE,
                                                      timestampColumn="_timestamp"))
        assert drv.execute(sliced).response.importedRowsCount == 5
        assert preview(drv, "out.c-reports", "orders_copy", ["id", "customer", "amount", "_timestamp"],
                       order_by=[Shared.ExportOrderBy(columnName="id")]) == [
            ["1", "alice", "10.50", "2024-01-01 10:00:00"], ["2", "bob", "20.00", "2024-01-02 10:00:00"],
            ["3", "carol", "5.25", "2024-01-03 10:00:00"], ["4", "dave", None, "2024-01-04 10:00:00"],
            ["5", "erin", "99.99", "2024-01-05 10:00:00"]]

        # Deleting rows: by filter, then all (truncate).
        deleted = drv.execute(table_pb2.DeleteTableRowsCommand(
            path=[bucket], tableName="orders",
            whereFilters=[Filter(columnsName="amount", operator=Filter.lt, values=["10"],
                                 dataType=Shared.DECIMAL)])).response
        assert (deleted.deletedRowsCount, deleted.tableRowsCount) == (1, 4)

        # SLOT: ShareBucketCommand / LinkBucketCommand between two projects.

        # Teardown: view, table, buckets (cascade), project.
        drv.execute(table_pb2.DropTableCommand(path=[bucket], tableName="paid_orders"))
        drv.execute(table_pb2.DropTableCommand(path=[bucket], tableName="orders"))
        expect_driver_error(lambda: drv.execute(info_pb2.ObjectInfoCommand(
            path=[bucket, "orders"], expectedObjectType=info_pb2.TABLE)), "NOT_FOUND", 2004, "table_not_found")
        drv.execute(table_pb2.DropTableCommand(path=["out.c-reports"], tableName="orders_copy"))
        drv.execute(bucket_pb2.DropBucketCommand(bucketObjectName="out.c-reports"))
        query(drv, bucket, "CREATE TABLE scratch AS SELECT 1 AS x")
        drv.execute(bucket_pb2.DropBucketCommand(bucketObjectName=bucket, isCascade=True))

        # The operations log carries the run id and query tags of the commands that sent them.
        operations = server.client(created.projectPassword).call(
            "GET", project_path(project_id) + "/operations", 200, params={"limit": 1000})["operations"]
        tagged = [op for op in operations if op["details"].get("runId") == f"run-{transport}"]
        assert {op["operation"] for op in tagged} >= {"bucket.create", "table.create"}, operations
        assert all(op["details"]["queryTags"]["branch_id"] == "default" for op in tagged)
        assert all(op["details"]["command"].startswith("keboola.storageDriver.command.") for op in tagged)
    finally:
        admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=project_id))
    expect_driver_error(lambda: drv.execute(info_pb2.ListSchemasCommand()), "UNAUTHENTICATED", 1002)
