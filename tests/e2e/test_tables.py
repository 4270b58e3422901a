"""Tables: create (types, nullability, defaults, primary key), list, get, delete, stats, insert and delete rows."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from driver_client import Driver
from harness import expect_error, tables_path
from keboola.storage_driver import table_pb2

BUCKET = "in.c-main"

ORDERS = [
    {"name": "id", "type": "int"},
    {"name": "customer", "type": "varchar", "nullable": False},
    {"name": "amount", "type": "decimal(12,2)", "default": "0"},
    {"name": "paid", "type": "boolean", "default": False},
    {"name": "day", "type": "date"},
    {"name": "score", "type": "double", "default": 1.5},
]


@pytest.fixture
def bucket(project):
    project.create_bucket(BUCKET)
    return BUCKET


def columns_by_name(table):
    return {c["name"]: c for c in table["columns"]}


def test_create_with_types_nullability_defaults_and_primary_key(project, bucket):
    table = project.create_table(bucket, "orders", ORDERS, primary_key=["id"])
    assert table["name"] == "orders" and table["bucket"] == bucket
    assert table["primary_key"] == ["id"]
    assert table["row_count"] == 0 and table["created_at"].endswith("Z")
    cols = table["columns"]
    assert [c["name"] for c in cols] == ["id", "customer", "amount", "paid", "day", "score"]
    assert [c["type"] for c in cols] == ["INTEGER", "VARCHAR", "DECIMAL(12,2)", "BOOLEAN", "DATE", "DOUBLE"]
    assert [c["ordinal_position"] for c in cols] == [1, 2, 3, 4, 5, 6]
    # Primary key columns are NOT NULL even when not asked; others as requested.
    assert [c["nullable"] for c in cols] == [False, False, True, True, True, True]
    assert [c["default"] for c in cols] == [None, None, "0", "false", None, "1.5"]
    assert project.client.call("GET", project.table_path(bucket, "orders")) == table


def test_defaults_apply_on_insert(project, bucket):
    project.create_table(bucket, "orders", ORDERS, primary_key=["id"])
    result = project.insert(bucket, "orders", [{"id": 1, "customer": "acme"},
                                               {"id": 2, "customer": "bob", "amount": "12.5", "paid": True,
                                                "day": "2024-02-29", "score": None}])
    assert result == {"inserted_rows": 2, "rows_after": 2}
    rows = project.preview(bucket, "orders", order_by=[{"column": "id"}])["rows"]
    assert rows == [
        {"id": 1, "customer": "acme", "amount": "0.00", "paid": False, "day": None, "score": 1.5},
        {"id": 2, "customer": "bob", "amount": "12.50", "paid": True, "day": "2024-02-29", "score": None},
    ]


def test_values_round_trip_with_their_types(project, bucket):
    columns = {"i": "BIGINT", "h": "HUGEINT", "u": "UUID", "ts": "TIMESTAMP", "t": "TIME", "bl": "BLOB",
               "dbl": "DOUBLE", "dec": "DECIMAL(38,10)", "ub": "UBIGINT", "l": "INTEGER[]",
               "st": "STRUCT(a INTEGER, b VARCHAR)", "m": "MAP(VARCHAR, INTEGER)"}
    table = project.create_table(bucket, "typed", [{"name": n, "type": t} for n, t in columns.items()])
    assert [c["type"] for c in table["columns"]] == list(columns.values())
    project.insert(bucket, "typed", [{
        "i": 9007199254740993, "h": "170141183460469231731687303715884105727",
        "u": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "ts": "2024-01-31 10:00:00.123456", "t": "12:34:56",
        "bl": "\\xAA\\xBB", "dbl": "NaN", "dec": "12345678901234567890.0123456789", "ub": 18446744073709551615,
        "l": [1, None, 3], "st": {"a": 1, "b": "x"}, "m": "{a=1, b=2}"}])
    row = project.preview(bucket, "typed")["rows"][0]
    assert row == {
        "i": 9007199254740993,  # exact: not squeezed through a double
        "h": "170141183460469231731687303715884105727",  # beyond 64 bits: text
        "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "ts": "2024-01-31T10:00:00.123456", "t": "12:34:56",
        "bl": "qrs=",  # base64
        "dbl": "nan", "dec": "12345678901234567890.0123456789", "ub": 18446744073709551615,
        "l": [1, None, 3], "st": {"a": 1, "b": "x"}, "m": [{"key": "a", "value": 1}, {"key": "b", "value": 2}]}
    # Filters are typed for these too.
    for column, value in [("i", 9007199254740993), ("u", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
                          ("ts", "2024-01-31T10:00:00.123456"), ("ub", "18446744073709551615")]:
        found = project.preview(bucket, "typed", columns=[column], filters=[{"column": column, "value": value}])
        assert found["row_count"] == 1, column
    assert project.preview(bucket, "typed", filters=[{"column": "i", "value": 9007199254740992}])["rows"] == []


def test_names_match_case_insensitively(project, bucket):
    project.create_table(bucket, "Orders", [{"name": "Id", "type": "INTEGER"}])
    got = project.client.call("GET", project.table_path(bucket.upper(), "ORDERS"))
    assert (got["bucket"], got["name"], got["columns"][0]["name"]) == (bucket, "Orders", "Id")
    project.insert(bucket, "orders", [{"ID": 1}])
    assert project.preview(bucket, "oRdErS", columns=["iD"])["rows"] == [{"Id": 1}]


def test_create_errors(project, bucket):
    tables = project.tables_path(bucket)
    project.create_table(bucket, "t", [{"name": "a", "type": "INTEGER"}])
    expect_error(project.client.post(tables, json={"name": "t", "columns": [{"name": "a", "type": "INTEGER"}]}),
                 409, "table_exists")
    expect_error(project.client.post(tables, json={"name": "T", "columns": [{"name": "a", "type": "INTEGER"}]}),
                 409, "table_exists")
    expect_error(project.client.post(tables, json={"name": "u", "columns": []}), 400, "invalid_request")
    expect_error(project.client.post(tables, json={"name": "u"}), 400, "missing_field")
    expect_error(project.client.post(tables, json={"columns": [{"name": "a", "type": "INTEGER"}]}), 400, "missing_field")
    expect_error(project.client.post(tables, json={"name": "u", "columns": [{"name": "a", "type": "INTEGER"},
                                                                              {"name": "A", "type": "VARCHAR"}]}),
                 400, "duplicate_column")
    for bad_type in ("NOTATYPE", "INTEGER; DROP TABLE x", "", "VARCHAR)--"):
        expect_error(project.client.post(tables, json={"name": "u", "columns": [{"name": "a", "type": bad_type}]}),
                     400, "invalid_type")
    expect_error(project.client.post(tables, json={"name": "u", "columns": [{"name": "a", "type": "INTEGER"}],
                                                   "primary_key": ["b"]}), 400, "column_not_found")
    # A default that is not a value of its column's type would fail every later insert.
    err = expect_error(project.client.post(tables, json={"name": "u", "columns": [{"name": "a", "type": "INTEGER",
                                                                                   "default": "abc"}]}),
                       422, "invalid_data")
    assert err["details"] == {"column": "a"}
    expect_error(project.client.post(project.tables_path("in.c-none"),
                                     json={"name": "u", "columns": [{"name": "a", "type": "INTEGER"}]}),
                 404, "bucket_not_found")
    # Nothing half-created by the failures.
    listed = project.client.call("GET", tables)
    assert [t["name"] for t in listed["tables"]] == ["t"]


def test_list_get_and_delete(project, bucket):
    for name in ("c", "a", "b"):
        project.create_table(bucket, name, [{"name": "x", "type": "INTEGER"}, {"name": "y", "type": "VARCHAR"}])
    project.insert(bucket, "b", [{"x": 1}, {"x": 2}, {"x": 3}])
    listed = project.client.call("GET", project.tables_path(bucket))
    assert listed["total"] == 3 and [t["name"] for t in listed["tables"]] == ["a", "b", "c"]
    b = listed["tables"][1]
    assert b["row_count"] == 3 and [c["name"] for c in b["columns"]] == ["x", "y"]
    page = project.client.call("GET", project.tables_path(bucket) + "?limit=1&offset=1")
    assert (page["total"], [t["name"] for t in page["tables"]]) == (3, ["b"])
    assert project.client.call("GET", project.tables_path(bucket) + "?offset=3") == {
        "limit": 100, "offset": 3, "total": 3, "tables": []}
    assert project.client.call("GET", project.bucket_path(bucket))["table_count"] == 3

    assert project.client.delete(project.table_path(bucket, "b")).status_code == 204
    expect_error(project.client.get(project.table_path(bucket, "b")), 404, "table_not_found")
    expect_error(project.client.delete(project.table_path(bucket, "b")), 404, "table_not_found")
    assert [t["name"] for t in project.client.call("GET", project.tables_path(bucket))["tables"]] == ["a", "c"]
    # A recreated table starts empty with the new definition.
    again = project.create_table(bucket, "b", [{"name": "z", "type": "BIGINT"}], primary_key=["z"])
    assert again["row_count"] == 0 and again["primary_key"] == ["z"]
    expect_error(project.client.get(project.tables_path("in.c-none")), 404, "bucket_not_found")


@pytest.mark.parametrize("branch", ["default", "dev"])
def test_parallel_creates_in_a_new_project_or_branch(project_factory, branch):
    # Regression: the first tables of a new project (or dev branch) created at once each created the schema
    # of table history in their own transaction, and all but one failed with 409 write_conflict.
    names = [f"t{i}" for i in range(8)]
    for _ in range(3):  # a race: a few fresh projects make it likely to show
        project = project_factory()
        project.create_bucket(BUCKET)
        if branch != "default":
            project.client.call("POST", project.path + "/branches", 201, json={"name": branch, "id": branch})
        path = tables_path(project.id, BUCKET, branch)

        def create(name, key=project.key, path=path):
            client = project.client.with_key(key)  # a session per thread
            return client.post(path, json={"name": name, "columns": [{"name": "x", "type": "INTEGER"}]})

        with ThreadPoolExecutor(max_workers=len(names)) as pool:
            responses = list(pool.map(create, names))
        assert [r.status_code for r in responses] == [201] * len(names), [r.text for r in responses]
        listed = project.client.call("GET", path)
        assert [t["name"] for t in listed["tables"]] == names
        # Each keeps its history: a row written now is the table's first version.
        for name in names:
            project.client.call("POST", f"{path}/{name}/rows", 201, json={"rows": [{"x": 1}]})
            versions = project.client.call("GET", f"{path}/{name}/history")["versions"]
            assert [v["operation"] for v in versions] == ["rows.insert"]


def test_listing_pages_hold_tables_and_views_as_get_describes_them(server, project, bucket):
    # A listing's tables are read a page at a time (their attributes in one query), views apart: each page
    # item is what GET describes, and the pages together are the whole listing, in order.
    for name, key in (("c", ["x"]), ("a", []), ("b", ["y", "x"])):
        project.create_table(bucket, name, [{"name": "x", "type": "INTEGER"}, {"name": "y", "type": "VARCHAR"}],
                             primary_key=key)
    project.insert(bucket, "b", [{"x": 1, "y": "one"}, {"x": 2, "y": "two"}])
    Driver(server, "grpc", project.key, project.id).execute(table_pb2.CreateViewCommand(
        path=[bucket], viewName="a_view", sourceTableName="b", columns=["x"]))
    path = project.tables_path(bucket)
    full = project.client.call("GET", path)
    assert [(t["name"], t["type"]) for t in full["tables"]] == [
        ("a", "table"), ("a_view", "view"), ("b", "table"), ("c", "table")]
    assert [(t["primary_key"], t["row_count"]) for t in full["tables"]] == [
        ([], 0), ([], 0), (["y", "x"], 2), (["x"], 0)]
    paged = []
    for offset in range(0, 4, 3):
        paged += project.client.call("GET", f"{path}?limit=3&offset={offset}")["tables"]
    assert paged == full["tables"]
    for table in full["tables"]:
        assert table == project.client.call("GET", project.table_path(bucket, table["name"])), table["name"]


def test_table_stats(project, bucket):
    project.create_table(bucket, "t", [{"name": "x", "type": "INTEGER"}, {"name": "s", "type": "VARCHAR"}])
    project.insert(bucket, "t", [{"x": i, "s": f"row {i}"} for i in range(250)])
    stats = project.client.call("GET", project.table_path(bucket, "t") + "/stats")
    assert stats["bucket"] == bucket and stats["name"] == "t"
    assert stats["row_count"] == 250 and stats["column_count"] == 2
    assert stats["size_bytes"] >= 0
    table = project.client.call("GET", project.table_path(bucket, "t"))
    assert table["row_count"] == 250 and table["size_bytes"] == stats["size_bytes"]


def test_insert_rows_is_typed_and_atomic(project, bucket):
    project.create_table(bucket, "t", [{"name": "id", "type": "INTEGER", "nullable": False},
                                       {"name": "tags", "type": "VARCHAR[]"}])
    assert project.insert(bucket, "t", [{"id": "7", "tags": ["a", "b"]}]) == {"inserted_rows": 1, "rows_after": 1}
    path = project.table_path(bucket, "t") + "/rows"
    expect_error(project.client.post(path, json={"rows": [{"id": 8}, {"id": "eight"}]}), 422, "invalid_data")
    expect_error(project.client.post(path, json={"rows": [{"id": 9}, {"tags": ["x"]}]}), 409, "constraint_violation")
    expect_error(project.client.post(path, json={"rows": [{"nope": 1}]}), 400, "column_not_found")
    expect_error(project.client.post(path, json={"rows": [{}]}), 400, "invalid_row")
    expect_error(project.client.post(path, json={"rows": [1]}), 400, "invalid_row")
    expect_error(project.client.post(path, json={}), 400, "missing_field")
    rows = project.preview(bucket, "t")["rows"]
    assert rows == [{"id": 7, "tags": ["a", "b"]}]  # none of the failed batches left a row


def test_insert_rows_refuses_a_duplicate_primary_key(project, bucket):
    # A row write never duplicates or silently overwrites a key: the whole batch is refused with 409.
    project.create_table(bucket, "k", [{"name": "id", "type": "INTEGER"}, {"name": "region", "type": "VARCHAR"},
                                       {"name": "v", "type": "VARCHAR"}], primary_key=["id", "region"])
    assert project.insert(bucket, "k", [{"id": 1, "region": "eu", "v": "a"}, {"id": 1, "region": "us", "v": "b"}]) \
        == {"inserted_rows": 2, "rows_after": 2}
    path = project.table_path(bucket, "k") + "/rows"
    for batch in ([{"id": 1, "region": "eu", "v": "again"}],                                       # an existing key
                  [{"id": 2, "region": "eu", "v": "x"}, {"id": "2", "region": "eu", "v": "y"}],     # twice in one batch
                  [{"id": 3, "region": "eu", "v": "new"}, {"id": 1, "region": "us", "v": "dup"}]):  # one of several
        error = expect_error(project.client.post(path, json={"rows": batch}), 409, "duplicate_key")
        assert error["details"]["columns"] == ["id", "region"]
    error = expect_error(project.client.post(path, json={"rows": [{"id": 1, "region": "eu"}]}), 409, "duplicate_key")
    assert error["details"]["values"] == ["1", "eu"]
    assert "(id, region) = (1, eu)" in error["message"]
    rows = project.preview(bucket, "k", order_by=[{"column": "region"}])["rows"]
    assert rows == [{"id": 1, "region": "eu", "v": "a"}, {"id": 1, "region": "us", "v": "b"}]  # nothing changed
    assert project.insert(bucket, "k", [{"id": 2, "region": "eu", "v": "c"}]) == {"inserted_rows": 1, "rows_after": 3}


def test_delete_rows_with_filters_and_truncate(project, bucket):
    project.create_table(bucket, "t", [{"name": "n", "type": "INTEGER"}, {"name": "s", "type": "VARCHAR"}])
    project.insert(bucket, "t", [{"n": i, "s": "even" if i % 2 == 0 else "odd"} for i in range(1, 13)])
    rows = project.table_path(bucket, "t") + "/rows"
    # Typed comparison: 10, 11 and 12 are greater than 9.
    result = project.client.call("DELETE", rows, json={"filters": [{"column": "n", "operator": "gt", "value": "9"}]})
    assert result == {"deleted_rows": 3, "rows_after": 9}
    result = project.client.call("DELETE", rows, json={"filters": [{"column": "s", "operator": "eq", "value": "odd"},
                                                                  {"column": "n", "operator": "in",
                                                                   "values": [1, 3, 4]}]})
    assert result == {"deleted_rows": 2, "rows_after": 7}
    remaining = [r["n"] for r in project.preview(bucket, "t", order_by=[{"column": "n"}])["rows"]]
    assert remaining == [2, 4, 5, 6, 7, 8, 9]
    assert project.client.call("DELETE", rows, json={"filters": [{"column": "n", "value": 100}]}) == {
        "deleted_rows": 0, "rows_after": 7}
    expect_error(project.client.delete(rows, json={"filters": [{"column": "zz", "value": 1}]}), 400, "column_not_found")
    expect_error(project.client.delete(rows, json={"filters": [{"column": "n", "operator": "between", "value": 1}]}),
                 400, "invalid_filter")
    # No filter: truncate.
    assert project.client.call("DELETE", rows) == {"deleted_rows": 7, "rows_after": 0}
    assert project.client.call("GET", project.table_path(bucket, "t"))["row_count"] == 0
