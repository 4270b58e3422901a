"""Column changes (add, drop, alter) and the primary key (add with data checks, drop)."""

import pytest

from harness import expect_error

BUCKET = "in.c-cols"


@pytest.fixture
def table(project):
    """in.c-cols.t(id INTEGER, name VARCHAR, n VARCHAR) with three rows; returns the table path."""
    project.create_bucket(BUCKET)
    project.create_table(BUCKET, "t", [{"name": "id", "type": "INTEGER"}, {"name": "name", "type": "VARCHAR"},
                                       {"name": "n", "type": "VARCHAR"}])
    project.insert(BUCKET, "t", [{"id": 1, "name": "a", "n": "10"}, {"id": 2, "name": "b", "n": "9"},
                                 {"id": 3, "name": None, "n": "100"}])
    return project.table_path(BUCKET, "t")


def cols(table_json):
    return {c["name"]: c for c in table_json["columns"]}


def rows(project, **body):
    return project.preview(BUCKET, "t", order_by=[{"column": "id"}], **body)["rows"]


def test_add_nullable_column(project, table):
    result = project.client.call("POST", table + "/columns", 201, json={"name": "note", "type": "text"})
    assert [c["name"] for c in result["columns"]] == ["id", "name", "n", "note"]
    assert cols(result)["note"] == {"name": "note", "type": "VARCHAR", "nullable": True, "default": None,
                                    "ordinal_position": 4}
    assert [r["note"] for r in rows(project)] == [None, None, None]


def test_add_not_null_column_with_default_fills_existing_rows(project, table):
    result = project.client.call("POST", table + "/columns", 201,
                                 json={"name": "qty", "type": "BIGINT", "nullable": False, "default": 5})
    assert cols(result)["qty"]["nullable"] is False and cols(result)["qty"]["default"] == "5"
    assert [r["qty"] for r in rows(project)] == [5, 5, 5]
    project.insert(BUCKET, "t", [{"id": 4}])
    assert rows(project)[-1]["qty"] == 5
    expect_error(project.client.post(project.table_path(BUCKET, "t") + "/rows", json={"rows": [{"id": 5, "qty": None}]}),
                 409, "constraint_violation")


def test_add_column_errors(project, table):
    err = expect_error(project.client.post(table + "/columns", json={"name": "req", "type": "INTEGER",
                                                                     "nullable": False}), 400, "invalid_request")
    assert "default" in err["message"]
    assert "req" not in cols(project.client.call("GET", table))  # rolled back
    expect_error(project.client.post(table + "/columns", json={"name": "NAME", "type": "INTEGER"}), 409, "column_exists")
    expect_error(project.client.post(table + "/columns", json={"name": "x", "type": "BOGUS"}), 400, "invalid_type")
    err = expect_error(project.client.post(table + "/columns", json={"name": "x", "type": "INTEGER", "default": "x"}),
                       422, "invalid_data")
    assert err["details"] == {"column": "x"}
    expect_error(project.client.post(table + "/columns", json={"type": "INTEGER"}), 400, "missing_field")
    assert len(project.client.call("GET", table)["columns"]) == 3


def test_drop_column(project, table):
    result = project.client.call("DELETE", table + "/columns/name")
    assert [c["name"] for c in result["columns"]] == ["id", "n"]
    assert rows(project)[0] == {"id": 1, "n": "10"}
    expect_error(project.client.delete(table + "/columns/name"), 404, "column_not_found")
    project.client.call("DELETE", table + "/columns/N")  # case-insensitive
    expect_error(project.client.delete(table + "/columns/id"), 400, "cannot_drop_last_column")


def test_drop_primary_key_column_is_refused(project, table):
    project.client.call("POST", table + "/primary-key", 201, json={"columns": ["id"]})
    expect_error(project.client.delete(table + "/columns/id"), 400, "column_in_primary_key")
    assert "id" in cols(project.client.call("GET", table))


def test_alter_rename(project, table):
    result = project.client.call("PUT", table + "/columns/name", json={"new_name": "full name"})
    assert [c["name"] for c in result["columns"]] == ["id", "full name", "n"]
    assert [r["full name"] for r in rows(project)] == ["a", "b", None]
    expect_error(project.client.put(table + "/columns/n", json={"new_name": "ID"}), 409, "column_exists")
    result = project.client.call("PUT", table + "/columns/n", json={"new_name": "N"})  # only the case changes
    assert [c["name"] for c in result["columns"]] == ["id", "full name", "N"]
    expect_error(project.client.put(table + "/columns/n", json={"new_name": "a/b"}), 400, "invalid_name")


def test_alter_rename_primary_key_column_updates_the_key(project, table):
    project.client.call("POST", table + "/primary-key", 201, json={"columns": ["id", "n"]})
    result = project.client.call("PUT", table + "/columns/id", json={"new_name": "order_id"})
    assert result["primary_key"] == ["order_id", "n"]
    assert project.client.call("GET", table)["primary_key"] == ["order_id", "n"]


def test_alter_type_converts_data(project, table):
    before = [r["n"] for r in project.preview(BUCKET, "t", order_by=[{"column": "n"}])["rows"]]
    assert before == ["10", "100", "9"]  # text order
    result = project.client.call("PUT", table + "/columns/n", json={"type": "integer"})
    assert cols(result)["n"]["type"] == "INTEGER"
    after = [r["n"] for r in project.preview(BUCKET, "t", order_by=[{"column": "n"}])["rows"]]
    assert after == [9, 10, 100]  # numeric order
    err = expect_error(project.client.put(table + "/columns/name", json={"type": "INTEGER"}), 422, "invalid_data")
    assert err["message"]
    assert cols(project.client.call("GET", table))["name"]["type"] == "VARCHAR"
    expect_error(project.client.put(table + "/columns/name", json={"type": "NOPE"}), 400, "invalid_type")


def test_alter_nullability(project, table):
    result = project.client.call("PUT", table + "/columns/id", json={"nullable": False})
    assert cols(result)["id"]["nullable"] is False
    # Column "name" holds a NULL, so it cannot become NOT NULL; nothing changes.
    expect_error(project.client.put(table + "/columns/name", json={"nullable": False}), 409, "constraint_violation")
    assert cols(project.client.call("GET", table))["name"]["nullable"] is True
    result = project.client.call("PUT", table + "/columns/id", json={"nullable": True})
    assert cols(result)["id"]["nullable"] is True
    project.client.call("POST", table + "/primary-key", 201, json={"columns": ["id"]})
    expect_error(project.client.put(table + "/columns/id", json={"nullable": True}), 400, "column_in_primary_key")


def test_alter_default(project, table):
    result = project.client.call("PUT", table + "/columns/name", json={"default": "anon"})
    assert cols(result)["name"]["default"] == "anon"
    project.insert(BUCKET, "t", [{"id": 4}])
    assert rows(project)[-1]["name"] == "anon"
    result = project.client.call("PUT", table + "/columns/name", json={"default": None})
    assert cols(result)["name"]["default"] is None
    project.insert(BUCKET, "t", [{"id": 5}])
    assert rows(project)[-1]["name"] is None
    # A default must be a value of the column's type.
    expect_error(project.client.put(table + "/columns/id", json={"default": "one"}), 422, "invalid_data")
    assert cols(project.client.call("GET", table))["id"]["default"] is None
    result = project.client.call("PUT", table + "/columns/name", json={"default": "it's"})
    assert cols(result)["name"]["default"] == "it's"


def test_alter_several_changes_at_once(project, table):
    result = project.client.call("PUT", table + "/columns/n",
                                 json={"new_name": "num", "type": "BIGINT", "nullable": False, "default": 0})
    assert cols(result)["num"] == {"name": "num", "type": "BIGINT", "nullable": False, "default": "0",
                                   "ordinal_position": 3}
    assert [r["num"] for r in rows(project)] == [10, 9, 100]


def test_alter_errors(project, table):
    expect_error(project.client.put(table + "/columns/name", json={}), 400, "no_changes_specified")
    expect_error(project.client.put(table + "/columns/missing", json={"type": "INTEGER"}), 404, "column_not_found")


def test_primary_key_duplicates_are_reported_with_examples(project, table):
    project.insert(BUCKET, "t", [{"id": 1, "name": "dup"}, {"id": 1, "name": "dup2"}, {"id": 2, "name": "x"}])
    err = expect_error(project.client.post(table + "/primary-key", json={"columns": ["id"]}), 409,
                       "duplicate_primary_key")
    assert err["details"]["examples"] == [{"id": 1, "count": 3}, {"id": 2, "count": 2}]
    assert project.client.call("GET", table)["primary_key"] == []
    # A composite key that is unique is accepted.
    project.client.call("DELETE", table + "/rows", json={"filters": [{"column": "name", "operator": "is_null"}]})
    result = project.client.call("POST", table + "/primary-key", 201, json={"columns": ["ID", "Name"]})
    assert result["primary_key"] == ["id", "name"]  # canonical spelling


def test_primary_key_nulls_are_refused(project, table):
    err = expect_error(project.client.post(table + "/primary-key", json={"columns": ["id", "name"]}), 409,
                       "primary_key_has_nulls")
    assert err["details"] == {"rows": 1}
    assert cols(project.client.call("GET", table))["id"]["nullable"] is True  # rolled back


def test_primary_key_add_and_drop(project, table):
    result = project.client.call("POST", table + "/primary-key", 201, json={"columns": ["id"]})
    assert result["primary_key"] == ["id"] and cols(result)["id"]["nullable"] is False
    expect_error(project.client.post(table + "/primary-key", json={"columns": ["n"]}), 409, "primary_key_exists")
    result = project.client.call("DELETE", table + "/primary-key")
    assert result["primary_key"] == []
    assert project.client.call("GET", table)["primary_key"] == []
    expect_error(project.client.delete(table + "/primary-key"), 400, "no_primary_key")
    expect_error(project.client.post(table + "/primary-key", json={"columns": []}), 400, "invalid_primary_key")
    expect_error(project.client.post(table + "/primary-key", json={"columns": ["id", "ID"]}), 400,
                 "invalid_primary_key")
    expect_error(project.client.post(table + "/primary-key", json={"columns": ["zz"]}), 400, "column_not_found")
