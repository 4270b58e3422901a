"""Imports from another table: column mappings, filters, limit, the `seconds` window, VIEW and CLONE."""

from __future__ import annotations

from harness import expect_error
from import_support import import_table, rows, table_with


def source(project):
    table_with(project, "in", "src", [
        {"name": "id", "type": "INTEGER"},
        {"name": "name", "type": "VARCHAR"},
        {"name": "_timestamp", "type": "TIMESTAMP"},
    ], ["id"])
    project.insert("in", "src", [
        {"id": 1, "name": "old", "_timestamp": "2000-01-01 00:00:00"},
        {"id": 2, "name": "recent"},
        {"id": 3, "name": "recent too"},
    ])
    # rows 2 and 3 get a current timestamp through an import-from-table round trip below
    table_with(project, "in", "dst", [{"name": "key", "type": "VARCHAR"}, {"name": "label", "type": "VARCHAR"}],
               ["key"])


def test_mappings_filters_and_limit(project):
    source(project)
    result = import_table(project, "in", "dst", source={"bucket": "in", "table": "src"},
                          column_mappings=[{"source": "id", "destination": "key"},
                                           {"source": "name", "destination": "label"}],
                          filters=[{"column": "id", "operator": "ge", "value": 2}], limit=10)
    assert result["imported_rows"] == 2 and result["imported_columns"] == ["key", "label"]
    assert rows(project, "in", "dst") == [{"key": "2", "label": "recent"}, {"key": "3", "label": "recent too"}]
    import_table(project, "in", "dst", source={"bucket": "in", "table": "src"}, import_type="incremental",
                 column_mappings=[{"source": "id", "destination": "key"}, {"source": "name", "destination": "label"}],
                 filters=[{"column": "id", "value": 1}])
    assert [r["key"] for r in rows(project, "in", "dst")] == ["1", "2", "3"]


def test_seconds_window_on_timestamp(project):
    source(project)
    table_with(project, "in", "stamped", [
        {"name": "id", "type": "INTEGER"}, {"name": "name", "type": "VARCHAR"},
        {"name": "_timestamp", "type": "TIMESTAMP"}], ["id"])
    # Copy src with fresh timestamps for ids 2 and 3 (CURRENT_TIME fills the missing column).
    import_table(project, "in", "stamped", source={"bucket": "in", "table": "src"},
                 column_mappings=[{"source": "id", "destination": "id"}, {"source": "name", "destination": "name"}],
                 filters=[{"column": "id", "operator": "ge", "value": 2}])
    import_table(project, "in", "stamped", source={"bucket": "in", "table": "src"}, import_type="incremental",
                 timestamp_mode="from_source", filters=[{"column": "id", "value": 1}])
    result = import_table(project, "in", "dst", source={"bucket": "in", "table": "stamped"}, seconds=3600,
                          column_mappings=[{"source": "id", "destination": "key"},
                                           {"source": "name", "destination": "label"}])
    assert result["imported_rows"] == 2
    assert [r["key"] for r in rows(project, "in", "dst")] == ["2", "3"]


def test_clone_and_view(project):
    source(project)
    result = import_table(project, "in", "cloned", source={"bucket": "in", "table": "src"}, import_type="clone")
    assert result["imported_rows"] == 3 and result["table_rows"] == 3
    info = project.client.call("GET", project.table_path("in", "cloned"))
    assert info["primary_key"] == ["id"]
    assert rows(project, "in", "cloned") == rows(project, "in", "src")
    again = project.client.post(project.table_path("in", "cloned") + "/import-table",
                                json={"source": {"bucket": "in", "table": "src"}, "import_type": "clone"})
    expect_error(again, 409, "object_exists")
    import_table(project, "in", "cloned", source={"bucket": "in", "table": "src"}, import_type="clone",
                 create_mode="replace", filters=[{"column": "id", "value": 1}])
    assert [r["id"] for r in rows(project, "in", "cloned")] == [1]

    import_table(project, "in", "v", source={"bucket": "in", "table": "src"}, import_type="view",
                 column_mappings=[{"source": "name", "destination": "n"}])
    # The view is listed with the bucket's tables (as the driver's ObjectInfo lists it) and can be described.
    listed = project.client.call("GET", project.bucket_path("in") + "/tables")
    by_name = {t["name"]: t for t in listed["tables"]}
    assert by_name["v"]["type"] == "view" and by_name["src"]["type"] == "table"
    assert [c["name"] for c in by_name["v"]["columns"]] == ["n"] and by_name["v"]["primary_key"] == []
    assert listed["total"] == len(listed["tables"])
    assert project.client.call("GET", project.table_path("in", "v"))["columns"][0]["type"] == "VARCHAR"
    # create_mode "replace" drops a view of the destination's name as it drops a table.
    import_table(project, "in", "v", source={"bucket": "in", "table": "src"}, import_type="clone",
                 create_mode="replace")
    assert project.client.call("GET", project.table_path("in", "v"))["type"] == "table"
    assert rows(project, "in", "v") == rows(project, "in", "src")
    bad = project.client.post(project.table_path("in", "v2") + "/import-table",
                              json={"source": {"bucket": "in", "table": "src"}, "import_type": "view", "limit": 1})
    expect_error(bad, 400, "invalid_import_options")


def test_table_import_errors(project):
    source(project)
    bad = project.client.post(project.table_path("in", "dst") + "/import-table",
                              json={"source": {"bucket": "in", "table": "nope"}})
    expect_error(bad, 404, "table_not_found")
    bad = project.client.post(project.table_path("in", "dst") + "/import-table",
                              json={"source": {"bucket": "in", "table": "src"}})
    error = expect_error(bad, 400, "columns_mismatch")
    assert set(error["details"]["extra"]) == {"id", "name", "_timestamp"}
    bad = project.client.post(project.table_path("in", "src") + "/import-table",
                              json={"source": {"bucket": "in", "table": "src"}})
    expect_error(bad, 400, "invalid_source")
