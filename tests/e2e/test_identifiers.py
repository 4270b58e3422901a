"""Names end to end: Keboola-style bucket ids, table and column names with dots, dashes, spaces, quotes and
unicode; invalid names rejected with 400 invalid_name; SQL injection attempts are inert."""

import pytest

from harness import expect_error, seg

ODD_TABLES = ["orders.2024", "my-table", "Order Items", "záznamy_účtů", "表格", "duck 🦆", 'say "hi"', "it's", "a.b-c d"]
ODD_COLUMNS = ["first name", "e-mail", "näme", "a.b", 'q"uote', "it's", "SELECT", "列"]


@pytest.mark.parametrize("name", ODD_TABLES)
def test_odd_table_names_work_end_to_end(project, name):
    bucket = "in.c-sales"
    project.create_bucket(bucket)
    columns = [{"name": c, "type": "VARCHAR"} for c in ODD_COLUMNS] + [{"name": "id", "type": "INTEGER"}]
    created = project.create_table(bucket, name, columns, primary_key=["id", "first name"])
    assert created["name"] == name and created["bucket"] == bucket
    assert [c["name"] for c in created["columns"]] == ODD_COLUMNS + ["id"]
    assert created["primary_key"] == ["id", "first name"]

    row = {c: f"v-{c}" for c in ODD_COLUMNS} | {"id": 1}
    project.insert(bucket, name, [row, row | {"id": 2, "e-mail": "x@y"}])
    table = project.table_path(bucket, name)
    got = project.client.call("GET", table)
    assert got["name"] == name and got["row_count"] == 2
    assert name in [t["name"] for t in project.client.call("GET", project.tables_path(bucket))["tables"]]
    assert project.client.call("GET", table + "/stats")["row_count"] == 2

    preview = project.preview(bucket, name, columns=["id", "e-mail", "列"],
                              filters=[{"column": "näme", "value": "v-näme"}, {"column": "e-mail", "value": "x@y"}])
    assert preview["rows"] == [{"id": 2, "e-mail": "x@y", "列": "v-列"}]
    query = f"?columns={seg('列')},{seg('first name')}&order_by={seg('id')}:desc"
    assert project.client.call("GET", table + "/preview" + query)["rows"][0] == {"列": "v-列", "first name": "v-first name"}

    altered = project.client.call("PUT", f"{table}/columns/{seg('a.b')}", json={"new_name": "a.b 2"})
    assert "a.b 2" in [c["name"] for c in altered["columns"]]
    project.client.call("POST", table + "/columns", 201, json={"name": "new col ü", "type": "INTEGER"})
    project.client.call("DELETE", f"{table}/columns/{seg('new col ü')}")
    quoted = seg('q"uote')
    project.client.call("DELETE", f"{table}/columns/{quoted}")
    deleted = project.client.call("DELETE", table + "/rows", json={"filters": [{"column": "it's", "value": "v-it's"},
                                                                              {"column": "id", "value": 1}]})
    assert deleted == {"deleted_rows": 1, "rows_after": 1}

    assert project.client.delete(table).status_code == 204
    expect_error(project.client.get(table), 404, "table_not_found")


@pytest.mark.parametrize("bucket", ["in.c-sales", "out.c-main-2", "in.c-ü", "c-bucket with space", "in.c-a.b"])
def test_bucket_names(project, bucket):
    created = project.create_bucket(bucket)
    assert created["name"] == bucket
    assert project.client.call("GET", project.bucket_path(bucket))["name"] == bucket
    project.create_table(bucket, "t.1", [{"name": "x", "type": "INTEGER"}])
    project.insert(bucket, "t.1", [{"x": 42}])
    assert project.preview(bucket, "t.1")["rows"] == [{"x": 42}]
    assert project.client.delete(project.bucket_path(bucket) + "?cascade=true").status_code == 204


def test_longest_name_is_accepted(project):
    name = "é" * 127 + "x"  # 255 bytes
    assert len(name.encode()) == 255
    project.create_bucket("in.c-long")
    assert project.create_table("in.c-long", name, [{"name": name, "type": "INTEGER"}])["name"] == name
    project.insert("in.c-long", name, [{name: 1}])
    assert project.preview("in.c-long", name)["rows"] == [{name: 1}]


BAD_NAMES = ["a/b", "..", ".", "a..b", "a\0b", "x" * 256, "é" * 128, "tab\there", " lead", "trail ", "back\\slash", ""]


@pytest.mark.parametrize("name", BAD_NAMES, ids=range(len(BAD_NAMES)))
def test_invalid_names_in_bodies(project, name):
    project.create_bucket("in.c-ok")
    expect_error(project.client.post(project.path + "/branches/default/buckets", json={"name": name}), 400,
                 "invalid_name")
    expect_error(project.client.post(project.tables_path("in.c-ok"),
                                     json={"name": name, "columns": [{"name": "a", "type": "INTEGER"}]}),
                 400, "invalid_name")
    expect_error(project.client.post(project.tables_path("in.c-ok"),
                                     json={"name": "t", "columns": [{"name": name, "type": "INTEGER"}]}),
                 400, "invalid_name")
    project.create_table("in.c-ok", "t", [{"name": "a", "type": "INTEGER"}])
    expect_error(project.client.post(project.table_path("in.c-ok", "t") + "/columns",
                                     json={"name": name, "type": "INTEGER"}), 400, "invalid_name")
    assert project.client.call("GET", project.path + "/branches/default/buckets")["total"] == 1


# As they appear in a URL path: percent-encoded so that no client normalizes them away.
BAD_SEGMENTS = ["a%2Fb", "%2E%2E", "%2E", "a%2E%2Eb", "a%00b", "x" * 256, "%C3%A9" * 128, "%FF%FE", "%20lead"]


@pytest.mark.parametrize("segment", BAD_SEGMENTS, ids=range(len(BAD_SEGMENTS)))
def test_invalid_names_in_paths(project, segment):
    project.create_bucket("in.c-ok")
    project.create_table("in.c-ok", "t", [{"name": "a", "type": "INTEGER"}])
    buckets = project.path + "/branches/default/buckets"
    new_table = {"name": "t2", "columns": [{"name": "a", "type": "INTEGER"}]}
    for method, path, body in [
        ("GET", f"{buckets}/{segment}", None),
        ("DELETE", f"{buckets}/{segment}", None),
        ("GET", f"{buckets}/{segment}/tables", None),
        ("POST", f"{buckets}/{segment}/tables", new_table),
        ("GET", f"{buckets}/in.c-ok/tables/{segment}", None),
        ("DELETE", f"{buckets}/in.c-ok/tables/{segment}", None),
        ("POST", f"{buckets}/in.c-ok/tables/{segment}/preview", {}),
        ("GET", f"{buckets}/in.c-ok/tables/{segment}/preview", None),
        ("GET", f"{buckets}/in.c-ok/tables/{segment}/stats", None),
        ("POST", f"{buckets}/in.c-ok/tables/{segment}/rows", {"rows": [{"a": 1}]}),
        ("DELETE", f"{buckets}/in.c-ok/tables/{segment}/rows", None),
        ("POST", f"{buckets}/in.c-ok/tables/{segment}/columns", {"name": "b", "type": "INTEGER"}),
        ("POST", f"{buckets}/in.c-ok/tables/{segment}/primary-key", {"columns": ["a"]}),
        ("DELETE", f"{buckets}/in.c-ok/tables/t/columns/{segment}", None),
        ("PUT", f"{buckets}/in.c-ok/tables/t/columns/{segment}", {"type": "VARCHAR"}),
    ]:
        expect_error(project.client.request(method, path, json=body), 400, "invalid_name")
    assert project.client.call("GET", project.tables_path("in.c-ok"))["total"] == 1


def test_sql_injection_through_names_is_inert(project):
    bucket = 'in.c-x"; DROP SCHEMA "in.c-keep" CASCADE; --'
    project.create_bucket("in.c-keep")
    project.create_table("in.c-keep", "victim", [{"name": "a", "type": "INTEGER"}])
    project.insert("in.c-keep", "victim", [{"a": 1}])
    assert project.create_bucket(bucket)["name"] == bucket
    table = 'x"; DROP TABLE "in.c-keep"."victim"; --'
    column = "a\" INTEGER); DROP TABLE \"in.c-keep\".\"victim\"; --"
    project.create_table(bucket, table, [{"name": column, "type": "INTEGER", "default": 3}])
    project.insert(bucket, table, [{column: 1}])
    assert project.preview(bucket, table)["rows"] == [{column: 1}]
    project.client.call("DELETE", project.table_path(bucket, table) + "/rows")
    project.client.call("DELETE", project.bucket_path(bucket) + "?cascade=true", 204)
    assert project.preview("in.c-keep", "victim")["rows"] == [{"a": 1}]


def test_sql_injection_through_values_is_inert(project):
    project.create_bucket("in.c-keep")
    project.create_table("in.c-keep", "victim", [{"name": "a", "type": "INTEGER"}, {"name": "s", "type": "VARCHAR",
                                                                                   "default": "'); DROP TABLE x; --"}])
    project.insert("in.c-keep", "victim", [{"a": 1, "s": "one"}, {"a": 2}])
    table = project.table_path("in.c-keep", "victim")
    attacks = ["1; DROP TABLE \"in.c-keep\".\"victim\"", "1' OR '1'='1", "1 OR 1=1", "'; DELETE FROM victim; --"]
    for value in attacks:
        response = project.client.post(table + "/preview", json={"filters": [{"column": "a", "value": value}]})
        if response.status_code == 200:
            assert response.json()["rows"] == []
        else:
            expect_error(response, 422, "invalid_data")
        result = project.preview("in.c-keep", "victim", filters=[{"column": "s", "value": value}])
        assert result["rows"] == []
        result = project.preview("in.c-keep", "victim", filters=[{"column": "s", "operator": "like", "value": value}])
        assert result["rows"] == []
        deleted = project.client.call("DELETE", table + "/rows", json={"filters": [{"column": "s", "value": value}]})
        assert deleted == {"deleted_rows": 0, "rows_after": 2}
    # The default is a plain string, stored and returned verbatim.
    rows = project.preview("in.c-keep", "victim", order_by=[{"column": "a"}])["rows"]
    assert rows == [{"a": 1, "s": "one"}, {"a": 2, "s": "'); DROP TABLE x; --"}]
    assert project.client.call("GET", table)["columns"][1]["default"] == "'); DROP TABLE x; --"
    expect_error(project.client.post(table + "/preview", json={"order_by": [{"column": "a; DROP TABLE victim"}]}), 400,
                 "column_not_found")
    expect_error(project.client.get(table + "/preview?columns=" + seg("a FROM victim; --")), 400, "column_not_found")
    expect_error(project.client.post(table + "/columns", json={"name": "b", "type": "INTEGER); DROP TABLE victim; --"}),
                 400, "invalid_type")
    assert project.client.call("GET", table)["row_count"] == 2
