"""The storage driver's import and export commands in detail, on every transport: CSV dialects and null
options, sliced and directory sources, Parquet, import from table (mappings, filters, seconds, limit, VIEW,
CLONE), export options, and the negatives (missing files, values that do not cast, file credentials,
providers) with the contract's driver codes."""

from __future__ import annotations

import datetime
import json

import pytest

from driver_client import TRANSPORTS, Driver, expect_driver_error
from driver_files import Csv, Files, Options, Shared, import_response_checks, to_csv
from harness import unique_id
from keboola.storage_driver import bucket_pb2, execute_query_pb2, info_pb2, project_pb2, table_pb2

Filter = Shared.TableWhereFilter
Mapping = table_pb2.TableImportFromTableCommand.SourceTableMapping
BUCKET = "in.c-io"


def column(name, type_, length="", nullable=True):
    return table_pb2.TableColumnShared(name=name, type=type_, length=length, nullable=nullable)


def create_table(drv, name, columns, primary_key=()):
    drv.execute(table_pb2.CreateTableCommand(path=[BUCKET], tableName=name, columns=columns,
                                             primaryKeysNames=list(primary_key)))


def rows_of(drv, table, columns, order="id", bucket=BUCKET):
    response = drv.execute(table_pb2.PreviewTableCommand(
        path=[bucket], tableName=table, columns=columns,
        orderBy=[Shared.ExportOrderBy(columnName=order)])).response
    return [[None if c.value.WhichOneof("kind") == "null_value" else c.value.string_value for c in row.columns]
            for row in response.rows]


class Session:
    def __init__(self, admin, drv, files, project_id):
        self.admin = admin
        self.drv = drv
        self.files = files
        self.project_id = project_id


@pytest.fixture(params=TRANSPORTS)
def session(request, server):
    admin = Driver(server, request.param, server.admin_key)
    project_id = unique_id("drvio")
    created = admin.execute(project_pb2.CreateProjectCommand(projectId=project_id)).response
    drv = admin.as_project(project_id, created.projectPassword)
    drv.execute(bucket_pb2.CreateBucketCommand(bucketId=BUCKET))
    files = Files(server, created.projectPassword, f"files-{project_id}")
    yield Session(admin, drv, files, project_id)
    admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=project_id))


@pytest.fixture
def other_project(session):
    """A second project with its own file bucket."""
    project_id = unique_id("drvio-b")
    created = session.admin.execute(project_pb2.CreateProjectCommand(projectId=project_id)).response
    files = Files(session.drv.server, created.projectPassword, f"files-{project_id}")
    yield Session(session.admin, session.admin.as_project(project_id, created.projectPassword), files, project_id)
    session.admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=project_id))


def reader_key(drv) -> str:
    return drv.server.client(drv.key).call(
        "POST", f"/projects/{drv.project_id}/api-keys", 201,
        json={"scope": "branch_read", "branch_id": "default", "description": "reader"})["api_key"]


# ---- Import from files ----

def test_csv_dialect_ignored_lines_and_null_options(session):
    drv, files = session.drv, session.files
    create_table(drv, "people", [column("id", "VARCHAR"), column("name", "VARCHAR"), column("note", "VARCHAR")])
    files.put("in/people.csv", "# exported by a test\nid;name;note\n"
                               "1;'O\\'Brien';''\n2;'semi;colon';NULL\n3;;kept\n")
    result = drv.execute(files.import_command(
        BUCKET, "people", "in", "people.csv", columns=["id", "name", "note"],
        csv_options={"delimiter": ";", "enclosure": "'", "escapedBy": "\\"},
        options=Options(numberOfIgnoredLines=2, convertEmptyValuesToNullOnColumns=["note"],
                        importAsNull=["NULL"])))
    import_response_checks(result.response, 3, 3, ["id", "name", "note"])
    # STRING_TABLE: an empty value stays '' unless its column is listed for NULL conversion.
    assert rows_of(drv, "people", ["id", "name", "note"]) == [
        ["1", "O'Brien", None], ["2", "semi;colon", None], ["3", "", "kept"]]


def test_sliced_manifest_and_directory_sources(session):
    drv, files = session.drv, session.files
    create_table(drv, "items", [column("id", "INTEGER", nullable=False), column("label", "VARCHAR")],
                 primary_key=["id"])
    files.put("sliced/part0", to_csv(None, [[1, "one"], [2, "two"]]))
    files.put("sliced/part1", to_csv(None, [[3, "three"]]))
    files.put("sliced/manifest", json.dumps({"entries": [
        {"url": f"s3://{files.bucket}/sliced/part0", "mandatory": True},
        {"url": "sliced/part1", "mandatory": True},
        {"url": f"s3://{files.bucket}/sliced/gone", "mandatory": False}]}))
    typed = {"importStrategy": Options.USER_DEFINED_TABLE}
    result = drv.execute(files.import_command(BUCKET, "items", "sliced", "manifest", columns=["id", "label"],
                                              csv_options={"sourceType": Csv.SLICED_FILE}, options=Options(**typed)))
    import_response_checks(result.response, 3, 3, ["id", "label"])
    assert rows_of(drv, "items", ["id", "label"]) == [["1", "one"], ["2", "two"], ["3", "three"]]

    # DIRECTORY: every object under the prefix, incremental upsert by the primary key.
    files.put("dir/a.csv", to_csv(None, [[3, "THREE"], [4, "four"]]))
    files.put("dir/b.csv", to_csv(None, [[5, "five"]]))
    result = drv.execute(files.import_command(BUCKET, "items", "dir", "", columns=["id", "label"],
                                              csv_options={"sourceType": Csv.DIRECTORY},
                                              options=Options(importType=Options.INCREMENTAL, **typed)))
    import_response_checks(result.response, 3, 5, ["id", "label"])
    assert rows_of(drv, "items", ["id", "label"]) == [
        ["1", "one"], ["2", "two"], ["3", "THREE"], ["4", "four"], ["5", "five"]]

    # A missing mandatory slice: the contract's ERR_MANDATORY_FILE_NOT_FOUND, nothing imported.
    files.put("broken/manifest", json.dumps({"entries": [{"url": "sliced/part0", "mandatory": True},
                                                         {"url": "sliced/nope", "mandatory": True}]}))
    error = expect_driver_error(lambda: drv.execute(files.import_command(
        BUCKET, "items", "broken", "manifest", columns=["id", "label"], csv_options={"sourceType": Csv.SLICED_FILE},
        options=Options(**typed))), "FAILED_PRECONDITION", 4201, "mandatory_file_not_found")
    assert "sliced/nope" in error.message
    assert len(rows_of(drv, "items", ["id"])) == 5


def test_dedup_options_and_managed_timestamp(session):
    drv, files = session.drv, session.files
    create_table(drv, "events", [column("id", "VARCHAR"), column("kind", "VARCHAR"), column("value", "VARCHAR"),
                                 column("_timestamp", "TIMESTAMP")])
    header = ["id", "kind", "value"]
    files.put("ev.csv", to_csv(header, [["1", "a", "x"], ["1", "a", "y"], ["2", "b", "z"]]))
    before = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
    # INSERT_DUPLICATES keeps every row; dedupColumnsNames stands in for a primary key.
    result = drv.execute(files.import_command(BUCKET, "events", "", "ev.csv", columns=header, options=Options(
        numberOfIgnoredLines=1, timestampColumn="_timestamp", dedupType=Options.INSERT_DUPLICATES,
        dedupColumnsNames=["id", "kind"])))
    import_response_checks(result.response, 3, 3, header)
    rows = rows_of(drv, "events", ["id", "value", "_timestamp"], order="value")
    assert [r[:2] for r in rows] == [["1", "x"], ["1", "y"], ["2", "z"]]
    # CURRENT_TIME: every row carries the import's one start time.
    stamps = {r[2] for r in rows}
    assert len(stamps) == 1 and datetime.datetime.fromisoformat(stamps.pop()) >= before
    # UPDATE_DUPLICATES by (id, kind): the last occurrence wins.
    result = drv.execute(files.import_command(BUCKET, "events", "", "ev.csv", columns=header, options=Options(
        numberOfIgnoredLines=1, timestampColumn="_timestamp", dedupColumnsNames=["id", "kind"])))
    import_response_checks(result.response, 2, 2, header)
    assert [r[:2] for r in rows_of(drv, "events", ["id", "value"])] == [["1", "y"], ["2", "z"]]
    # FAIL_ON_DUPLICATES: the source has (1, a) twice.
    error = expect_driver_error(lambda: drv.execute(files.import_command(
        BUCKET, "events", "", "ev.csv", columns=header, options=Options(
            numberOfIgnoredLines=1, dedupType=Options.FAIL_ON_DUPLICATES, dedupColumnsNames=["id", "kind"]))),
        "FAILED_PRECONDITION", 4200, "duplicate_keys")
    assert "id=1" in error.message and "kind=a" in error.message, error.message
    # timestampMode NONE: the column is not managed, the source does not fill it.
    drv.execute(files.import_command(BUCKET, "events", "", "ev.csv", columns=header, options=Options(
        numberOfIgnoredLines=1, timestampColumn="_timestamp", timestampMode=Options.NONE,
        dedupType=Options.INSERT_DUPLICATES)))
    assert {r[1] for r in rows_of(drv, "events", ["id", "_timestamp"])} == {None}


def test_import_errors_carry_contract_codes(session):
    drv, files = session.drv, session.files
    create_table(drv, "typed", [column("id", "INTEGER"), column("amount", "DECIMAL", length="10,2")])
    header = ["id", "amount"]
    typed = Options(numberOfIgnoredLines=1, importStrategy=Options.USER_DEFINED_TABLE)

    # A missing file: ERR_MANDATORY_FILE_NOT_FOUND; a missing bucket (root) too.
    error = expect_driver_error(lambda: drv.execute(files.import_command(
        BUCKET, "typed", "in", "nope.csv", columns=header, options=typed)), "NOT_FOUND", 4201, "object_not_found")
    assert "in/nope.csv" in error.message
    expect_driver_error(lambda: drv.execute(table_pb2.TableImportFromFileCommand(
        fileProvider=Shared.S3, filePath=Shared.FilePath(root="no-such-files", fileName="x.csv"),
        destination=Shared.Table(path=[BUCKET], tableName="typed"))), "NOT_FOUND", 4201, "file_bucket_not_found")

    # A value that does not cast: ERR_DATA_TYPE_MISMATCH naming the row, the column and the value.
    files.put("bad.csv", to_csv(header, [[1, "1.50"], [2, "2.50"], [3, "lots"]]))
    error = expect_driver_error(lambda: drv.execute(files.import_command(
        BUCKET, "typed", "", "bad.csv", columns=header, options=typed)), "FAILED_PRECONDITION", 4202,
        "data_type_mismatch")
    assert "amount" in error.message and "lots" in error.message, error.message
    assert error.details["column"] == "amount" and error.details["value"] == "lots", error.details
    assert error.details["line"] == 4 and "line 4" in error.message  # the third row after the header
    assert rows_of(drv, "typed", ["id"]) == []

    # Columns that do not match the table: ERR_COLUMNS_COUNT_NOT_MATCH.
    files.put("wide.csv", to_csv(["id", "amount", "extra"], [[1, "1", "x"]]))
    expect_driver_error(lambda: drv.execute(files.import_command(
        BUCKET, "typed", "", "wide.csv", columns=["id", "amount", "extra"], options=typed)),
        "INVALID_ARGUMENT", 4100, "columns_mismatch")
    # Duplicate source column names: ERR_DUPLICATE_COLUMN_NAMES.
    expect_driver_error(lambda: drv.execute(files.import_command(
        BUCKET, "typed", "", "wide.csv", columns=["id", "ID", "amount"], options=typed)), "INVALID_ARGUMENT", 4102)

    # formatTypeOptions must pack CsvTypeOptions; fileProvider other than S3 is not served here.
    command = files.import_command(BUCKET, "typed", "", "bad.csv", columns=header, options=typed)
    command.formatTypeOptions.Pack(Shared.Table(tableName="x"))
    expect_driver_error(lambda: drv.execute(command), "INVALID_ARGUMENT", 3000, "invalid_request")
    for provider in (Shared.ABS, Shared.GCS):
        error = expect_driver_error(lambda: drv.execute(files.import_command(
            BUCKET, "typed", "", "bad.csv", columns=header, options=typed, provider=provider)),
            "UNIMPLEMENTED", 900, "file_provider_not_supported")
        assert "S3" in error.message


def test_file_credentials_authorise_the_file_access(session, other_project):
    drv, files = session.drv, session.files
    create_table(drv, "t", [column("id", "VARCHAR"), column("v", "VARCHAR")])
    theirs = other_project.files
    theirs.put("shared/t.csv", to_csv(["id", "v"], [["1", "from-b"]]))

    # The calling key may not read another project's bucket ...
    expect_driver_error(lambda: drv.execute(theirs.import_command(BUCKET, "t", "shared", "t.csv", columns=["id", "v"],
                                                                  credentials=False)), "PERMISSION_DENIED", 2007)
    # ... but the key passed as fileCredentials may, and the read runs with it.
    result = drv.execute(theirs.import_command(BUCKET, "t", "shared", "t.csv", columns=["id", "v"]))
    assert result.response.importedRowsCount == 1
    assert rows_of(drv, "t", ["id", "v"]) == [["1", "from-b"]]

    # Bad file credentials are an authentication error naming fileCredentials.
    bogus = Shared.S3Credentials(key="nokey", secret="nokey.nosecret")
    error = expect_driver_error(lambda: drv.execute(files.import_command(
        BUCKET, "t", "shared", "t.csv", columns=["id", "v"], credentials=bogus)), "UNAUTHENTICATED", 1002,
        "invalid_file_credentials")
    assert "fileCredentials" in error.message
    mismatch = files.credentials()
    mismatch.key = "someoneelse"
    expect_driver_error(lambda: drv.execute(files.import_command(
        BUCKET, "t", "shared", "t.csv", columns=["id", "v"], credentials=mismatch)), "UNAUTHENTICATED", 1002,
        "invalid_file_credentials")
    # Valid credentials of a key that may not read the bucket.
    expect_driver_error(lambda: drv.execute(theirs.import_command(
        BUCKET, "t", "shared", "t.csv", columns=["id", "v"], credentials=files.credentials())),
        "PERMISSION_DENIED", 2007)
    # Credentials of another provider.
    command = files.import_command(BUCKET, "t", "shared", "t.csv", columns=["id", "v"])
    command.fileCredentials.Pack(Shared.ABSCredentials(accountName="a", sasToken="t"))
    expect_driver_error(lambda: drv.execute(command), "INVALID_ARGUMENT", 3000, "invalid_file_credentials")

    # Exports: a read-only key may export (it reads the table) only into a bucket its file key may write.
    reader = drv.as_project(session.project_id, reader_key(drv))
    expect_driver_error(lambda: reader.execute(files.export_command(BUCKET, "t", "x", "t_", credentials=False)),
                        "PERMISSION_DENIED", 2007)
    reader.execute(files.export_command(BUCKET, "t", "x", "t_"))
    assert files.exported_csv("x/t_", compressed=False) == [["1", "from-b"]]


# ---- Import from table ----

def select(drv, sql):
    response = drv.execute(execute_query_pb2.ExecuteQueryCommand(pathRestriction=[BUCKET], query=sql)).response
    assert response.status == execute_query_pb2.ExecuteQueryResponse.Success, response.message
    return [[row.fields.get(c) for c in response.data.columns] for row in response.data.rows]


def make_source(drv):
    create_table(drv, "src", [column("id", "INTEGER", nullable=False), column("name", "VARCHAR"),
                              column("score", "INTEGER"), column("_timestamp", "TIMESTAMP")], primary_key=["id"])
    select(drv, """
        INSERT INTO src VALUES (1, 'ann', 10, TIMESTAMP '2020-01-01 00:00:00'),
                               (2, 'ben', 20, CAST(now() AS TIMESTAMP)),
                               (3, 'cid', 30, CAST(now() AS TIMESTAMP)),
                               (4, 'dan', 40, TIMESTAMP '2020-01-01 00:00:00')""")


def from_table(source_table="src", destination="dst", **mapping_and_options):
    options = mapping_and_options.pop("options", Options())
    return table_pb2.TableImportFromTableCommand(
        source=Mapping(path=[BUCKET], tableName=source_table, **mapping_and_options),
        destination=Shared.Table(path=[BUCKET], tableName=destination), importOptions=options)


def test_import_from_table_mappings_filters_seconds_limit(session):
    drv = session.drv
    make_source(drv)
    create_table(drv, "dst", [column("key", "INTEGER"), column("who", "VARCHAR")])
    mappings = [Mapping.ColumnMapping(sourceColumnName="id", destinationColumnName="key"),
                Mapping.ColumnMapping(sourceColumnName="name", destinationColumnName="who")]
    result = drv.execute(from_table(columnMappings=mappings, whereFilters=[
        Filter(columnsName="score", operator=Filter.ge, values=["20"], dataType=Shared.INTEGER)])).response
    assert result.importedRowsCount == 3 and list(result.importedColumns) == ["key", "who"]
    assert rows_of(drv, "dst", ["key", "who"], order="key") == [["2", "ben"], ["3", "cid"], ["4", "dan"]]
    # seconds: rows whose _timestamp is within the last hour; INCREMENTAL appends them.
    result = drv.execute(from_table(columnMappings=mappings, seconds=3600,
                                    options=Options(importType=Options.INCREMENTAL))).response
    assert (result.importedRowsCount, result.tableRowsCount) == (2, 5)
    assert rows_of(drv, "dst", ["key", "who"], order="key") == [
        ["2", "ben"], ["2", "ben"], ["3", "cid"], ["3", "cid"], ["4", "dan"]]
    # limit, with an IN filter (several values): FULL replaces the content.
    result = drv.execute(from_table(columnMappings=mappings, limit=1, whereFilters=[
        Filter(columnsName="name", operator=Filter.eq, values=["ann", "dan"])])).response
    assert (result.importedRowsCount, result.tableRowsCount) == (1, 1)
    assert rows_of(drv, "dst", ["key", "who"], order="key") in ([["1", "ann"]], [["4", "dan"]])
    # A mapping naming a missing source column; a table into itself.
    expect_driver_error(lambda: drv.execute(from_table(columnMappings=[
        Mapping.ColumnMapping(sourceColumnName="nope", destinationColumnName="key")])), "NOT_FOUND", 2005)
    expect_driver_error(lambda: drv.execute(from_table(destination="src")), "INVALID_ARGUMENT", 3000)
    expect_driver_error(lambda: drv.execute(from_table(source_table="gone")), "NOT_FOUND", 2004)


def test_import_from_table_view_and_clone(session):
    drv = session.drv
    make_source(drv)
    # VIEW: the destination is a view over the source (live data).
    mappings = [Mapping.ColumnMapping(sourceColumnName="id", destinationColumnName="id"),
                Mapping.ColumnMapping(sourceColumnName="name", destinationColumnName="name")]
    result = drv.execute(from_table(destination="v", columnMappings=mappings,
                                    options=Options(importType=Options.VIEW))).response
    assert (result.importedRowsCount, list(result.importedColumns)) == (0, ["id", "name"])
    view = drv.execute(info_pb2.ObjectInfoCommand(path=[BUCKET, "v"], expectedObjectType=info_pb2.VIEW)).response
    assert [c.name for c in view.viewInfo.columns] == ["id", "name"]
    assert select(drv, "SELECT id, name FROM v ORDER BY id") == [["1", "ann"], ["2", "ben"], ["3", "cid"],
                                                                ["4", "dan"]]
    drv.execute(table_pb2.DeleteTableRowsCommand(path=[BUCKET], tableName="src", whereFilters=[
        Filter(columnsName="id", values=["1"])]))
    assert select(drv, "SELECT count(*) AS n FROM v") == [["3"]]  # a view: the source's current rows
    expect_driver_error(lambda: drv.execute(from_table(destination="v", options=Options(importType=Options.VIEW))),
                        "ALREADY_EXISTS", 2006)
    drv.execute(from_table(destination="v", options=Options(importType=Options.VIEW, createMode=Options.REPLACE)))
    assert [c.name for c in drv.execute(info_pb2.ObjectInfoCommand(
        path=[BUCKET, "v"], expectedObjectType=info_pb2.VIEW)).response.viewInfo.columns] == [
        "id", "name", "score", "_timestamp"]

    # CLONE: a copy of the (filtered) source that keeps its primary key.
    result = drv.execute(from_table(destination="c", whereFilters=[
        Filter(columnsName="id", operator=Filter.le, values=["2"], dataType=Shared.INTEGER)],
        options=Options(importType=Options.CLONE))).response
    assert (result.importedRowsCount, result.tableRowsCount) == (1, 1)
    info = drv.execute(info_pb2.ObjectInfoCommand(path=[BUCKET, "c"], expectedObjectType=info_pb2.TABLE)).response
    assert list(info.tableInfo.primaryKeysNames) == ["id"] and info.tableInfo.rowsCount == 1
    assert rows_of(drv, "c", ["id", "name", "score"]) == [["2", "ben", "20"]]
    expect_driver_error(lambda: drv.execute(from_table(destination="c", options=Options(importType=Options.CLONE))),
                        "ALREADY_EXISTS", 2006)
    result = drv.execute(from_table(destination="c", options=Options(importType=Options.CLONE,
                                                                     createMode=Options.REPLACE))).response
    assert result.tableRowsCount == 3


# ---- Export ----

def test_export_options(session):
    drv, files = session.drv, session.files
    make_source(drv)
    # orderBy + limit, uncompressed CSV, no header.
    drv.execute(files.export_command(BUCKET, "src", "e1", "top_", columnsToExport=["name", "score"],
                                     orderBy=[Shared.ExportOrderBy(columnName="score", order=Shared.ExportOrderBy.DESC)],
                                     filters=Shared.ExportFilters(limit=2)))
    assert files.keys("e1/") == ["e1/top_0000.csv", "e1/top_manifest"]
    assert files.exported_csv("e1/top_", compressed=False) == [["dan", "40"], ["cid", "30"]]
    # changeSince / changeUntil (unix seconds) on _timestamp.
    drv.execute(files.export_command(BUCKET, "src", "e2", "old_", columnsToExport=["id"], orderBy=[
        Shared.ExportOrderBy(columnName="id")], filters=Shared.ExportFilters(changeUntil="1600000000")))
    assert files.exported_csv("e2/old_", compressed=False) == [["1"], ["4"]]
    drv.execute(files.export_command(BUCKET, "src", "e3", "new_", columnsToExport=["id"], orderBy=[
        Shared.ExportOrderBy(columnName="id")], filters=Shared.ExportFilters(changeSince="1600000000")))
    assert files.exported_csv("e3/new_", compressed=False) == [["2"], ["3"]]
    # fulltextSearch over the string columns.
    drv.execute(files.export_command(BUCKET, "src", "e4", "ft_", columnsToExport=["id", "name"],
                                     filters=Shared.ExportFilters(fulltextSearch="en")))
    assert files.exported_csv("e4/ft_", compressed=False) == [["2", "ben"]]
    # An empty result is still one (empty) slice and a manifest.
    drv.execute(files.export_command(BUCKET, "src", "e5", "none_", isCompressed=True, filters=Shared.ExportFilters(
        whereFilters=[Filter(columnsName="name", values=["nobody"])])))
    assert files.exported_csv("e5/none_", compressed=True) == []

    expect_driver_error(lambda: drv.execute(files.export_command(BUCKET, "src", "x", "x_", columnsToExport=["nope"])),
                        "NOT_FOUND", 2005)
    expect_driver_error(lambda: drv.execute(files.export_command(
        BUCKET, "src", "x", "x_", filters=Shared.ExportFilters(changeSince="yesterday"))), "INVALID_ARGUMENT", 3000)
    expect_driver_error(lambda: drv.execute(files.export_command(BUCKET, "gone", "x", "x_")), "NOT_FOUND", 2004)
    expect_driver_error(lambda: drv.execute(table_pb2.TableExportToFileCommand(
        source=Shared.Table(path=[BUCKET], tableName="src"), fileProvider=Shared.GCS,
        filePath=files.path("x", "x_"))), "UNIMPLEMENTED", 900, "file_provider_not_supported")
    expect_driver_error(lambda: drv.execute(table_pb2.TableExportToFileCommand(
        source=Shared.Table(path=[BUCKET], tableName="src"), fileProvider=Shared.S3,
        filePath=Shared.FilePath(root="no-such-files", fileName="x_"))), "NOT_FOUND", 2000, "file_bucket_not_found")


# ---- Dev branches ----

def test_imports_and_exports_on_a_dev_branch_leave_the_default_branch_alone(session):
    """A file import into a table the branch only inherits copies it into the branch first; the default
    branch keeps its rows, and an export on the branch reads the branch's rows."""
    drv, files = session.drv, session.files
    create_table(drv, "stock", [column("id", "INTEGER", nullable=False), column("qty", "VARCHAR")],
                 primary_key=["id"])
    files.put("base.csv", to_csv(["id", "qty"], [[1, "10"], [2, "20"]]))
    typed = {"importStrategy": Options.USER_DEFINED_TABLE}
    drv.execute(files.import_command(BUCKET, "stock", "", "base.csv", options=Options(**typed)))

    branch_id = "77"
    drv.execute(project_pb2.CreateDevBranchCommand(projectId=session.project_id, branchId=branch_id))
    branch_bucket = f"{branch_id}/{BUCKET}"
    files.put("delta.csv", to_csv(["id", "qty"], [[2, "25"], [3, "30"]]))
    result = drv.execute(files.import_command(branch_bucket, "stock", "", "delta.csv",
                                              options=Options(importType=Options.INCREMENTAL, **typed)))
    import_response_checks(result.response, 2, 3, ["id", "qty"])
    assert rows_of(drv, "stock", ["id", "qty"], bucket=branch_bucket) == [["1", "10"], ["2", "25"], ["3", "30"]]
    assert rows_of(drv, "stock", ["id", "qty"]) == [["1", "10"], ["2", "20"]]

    drv.execute(files.export_command(branch_bucket, "stock", "out", "branch_", orderBy=[
        Shared.ExportOrderBy(columnName="id")]))
    assert files.exported_csv("out/branch_", compressed=False) == [["1", "10"], ["2", "25"], ["3", "30"]]
