"""Table preview: column selection, typed filters (every operator), ordering, limits, truncation, GET form."""

import pytest

from harness import expect_error

BUCKET = "in.c-pv"

COLUMNS = [{"name": "id", "type": "INTEGER"}, {"name": "n", "type": "INTEGER"}, {"name": "s", "type": "VARCHAR"},
           {"name": "price", "type": "DECIMAL(10,2)"}, {"name": "d", "type": "DATE"}, {"name": "flag", "type": "BOOLEAN"}]
ROWS = [
    {"id": 1, "n": 10, "s": "apple", "price": "1.50", "d": "2024-01-01", "flag": True},
    {"id": 2, "n": 9, "s": "banana", "price": "10.00", "d": "2024-03-15", "flag": False},
    {"id": 3, "n": 100, "s": "Apple pie", "price": "2.25", "d": "2023-12-31", "flag": True},
    {"id": 4, "n": None, "s": "cherry", "price": None, "d": None, "flag": None},
    {"id": 5, "n": 9, "s": None, "price": "9.99", "d": "2024-02-29", "flag": False},
]


@pytest.fixture
def table(project):
    project.create_bucket(BUCKET)
    project.create_table(BUCKET, "t", COLUMNS)
    project.insert(BUCKET, "t", ROWS)
    return project.table_path(BUCKET, "t")


def ids(project, *filters, **body):
    result = project.preview(BUCKET, "t", filters=list(filters), order_by=[{"column": "id"}], **body)
    assert result["row_count"] == len(result["rows"]) == result["total_row_count"]
    return [r["id"] for r in result["rows"]]


def f(column, op, value=None, values=None):
    out = {"column": column, "operator": op}
    if value is not None:
        out["value"] = value
    if values is not None:
        out["values"] = values
    return out


def test_full_preview_is_typed(project, table):
    result = project.preview(BUCKET, "t", order_by=[{"column": "id"}])
    assert result["columns"] == ["id", "n", "s", "price", "d", "flag"]
    assert result["row_count"] == 5 and result["total_row_count"] == 5 and result["truncated"] == []
    assert result["rows"][0] == {"id": 1, "n": 10, "s": "apple", "price": "1.50", "d": "2024-01-01", "flag": True}
    assert result["rows"][3] == {"id": 4, "n": None, "s": "cherry", "price": None, "d": None, "flag": None}


def test_column_selection(project, table):
    result = project.preview(BUCKET, "t", columns=["s", "ID"], order_by=[{"column": "id"}], limit=2)
    assert result["columns"] == ["s", "id"]
    assert result["rows"] == [{"s": "apple", "id": 1}, {"s": "banana", "id": 2}]
    err = expect_error(project.client.post(table + "/preview", json={"columns": ["id", "nope"]}), 400,
                       "column_not_found")
    assert err["details"] == {"column": "nope"}


def test_comparison_operators_are_typed(project, table):
    # Integers compare as numbers: 10 and 100 are greater than 9 (as text, "10" < "9").
    assert ids(project, f("n", "gt", "9")) == [1, 3]
    assert ids(project, f("n", "gt", 9)) == [1, 3]
    assert ids(project, f("n", "ge", "10")) == [1, 3]
    assert ids(project, f("n", "lt", 10)) == [2, 5]
    assert ids(project, f("n", "le", "10")) == [1, 2, 5]
    assert ids(project, f("n", "eq", 9)) == [2, 5]
    assert ids(project, f("n", "ne", "9")) == [1, 3]  # NULL is neither equal nor unequal
    # Decimals and dates compare by value too.
    assert ids(project, f("price", "gt", "2")) == [2, 3, 5]
    assert ids(project, f("price", "eq", "1.5")) == [1]
    assert ids(project, f("d", "lt", "2024-02-01")) == [1, 3]
    assert ids(project, f("d", "ge", "2024-02-29")) == [2, 5]
    assert ids(project, f("flag", "eq", True)) == [1, 3]
    assert ids(project, f("flag", "eq", "false")) == [2, 5]
    assert ids(project, f("s", "eq", "apple")) == [1]
    assert ids(project, f("s", "gt", "b")) == [2, 4]


def test_set_and_pattern_operators(project, table):
    assert ids(project, f("n", "in", values=["9", 100])) == [2, 3, 5]
    assert ids(project, f("n", "not_in", values=[9])) == [1, 3]
    assert ids(project, f("s", "in", values=["cherry", "kiwi"])) == [4]
    assert ids(project, f("s", "like", "%pp%")) == [1, 3]
    assert ids(project, f("s", "like", "_pple%")) == [1, 3]
    assert ids(project, f("s", "like", "a%")) == [1]  # case-sensitive
    assert ids(project, f("s", "not_like", "%an%")) == [1, 3, 4]
    assert ids(project, f("n", "like", "1%")) == [1, 3]  # non-text columns match on their text form
    assert ids(project, f("n", "is_null")) == [4]
    assert ids(project, f("s", "is_null")) == [5]
    assert ids(project, f("n", "is_not_null")) == [1, 2, 3, 5]
    # Filters are AND-ed; the default operator is eq.
    assert ids(project, f("n", "eq", 9), f("flag", "eq", False), {"column": "price", "value": "9.99"}) == [5]
    assert ids(project, {"column": "n", "value": None}) == []  # = NULL matches nothing


def test_filter_errors(project, table):
    path = table + "/preview"
    cases = [
        ({"column": "n", "operator": "between", "value": 1}, "invalid_filter"),
        ({"column": "n", "operator": "eq"}, "invalid_filter"),
        ({"column": "n", "operator": "is_null", "value": 1}, "invalid_filter"),
        ({"column": "n", "operator": "in", "values": []}, "invalid_filter"),
        ({"column": "n", "operator": "eq", "values": [1, 2]}, "invalid_filter"),
        ({"column": "n", "value": {"a": 1}}, "invalid_filter"),
        ({"column": "zz", "value": 1}, "column_not_found"),
        ({"value": 1}, "missing_field"),
    ]
    for filt, code in cases:
        expect_error(project.client.post(path, json={"filters": [filt]}), 400, code)
    expect_error(project.client.post(path, json={"filters": {"column": "n"}}), 400, "invalid_filter")
    # A value that is not of the column's type is a data error, not a server error.
    expect_error(project.client.post(path, json={"filters": [f("n", "eq", "ten")]}), 422, "invalid_data")


def test_order_by_multiple_columns(project, table):
    result = project.preview(BUCKET, "t", columns=["id"],
                             order_by=[{"column": "n", "order": "desc"}, {"column": "id", "order": "asc"}])
    assert [r["id"] for r in result["rows"]] == [3, 1, 2, 5, 4]  # NULLs last
    result = project.preview(BUCKET, "t", columns=["id"],
                             order_by=[{"column": "n"}, {"column": "id", "order": "desc"}])
    assert [r["id"] for r in result["rows"]] == [5, 2, 1, 3, 4]
    expect_error(project.client.post(table + "/preview", json={"order_by": [{"column": "n", "order": "up"}]}),
                 400, "invalid_field")
    expect_error(project.client.post(table + "/preview", json={"order_by": [{"column": "zz"}]}), 400,
                 "column_not_found")


def test_limits(project):
    project.create_bucket(BUCKET)
    project.create_table(BUCKET, "big", [{"name": "i", "type": "INTEGER"}])
    project.insert(BUCKET, "big", [{"i": i} for i in range(1200)])
    path = project.table_path(BUCKET, "big") + "/preview"
    default = project.client.call("POST", path, json={})
    assert default["row_count"] == 100 and len(default["rows"]) == 100 and default["total_row_count"] == 1200
    most = project.client.call("POST", path, json={"limit": 1000, "order_by": [{"column": "i", "order": "desc"}]})
    assert most["row_count"] == 1000 and most["rows"][0] == {"i": 1199} and most["rows"][-1] == {"i": 200}
    filtered = project.client.call("POST", path, json={"limit": 3, "filters": [f("i", "ge", 1000)],
                                                       "order_by": [{"column": "i"}]})
    assert filtered["rows"] == [{"i": 1000}, {"i": 1001}, {"i": 1002}] and filtered["total_row_count"] == 200
    for limit in (1001, 0, -5):
        expect_error(project.client.post(path, json={"limit": limit}), 400, "invalid_limit")
    expect_error(project.client.post(path, json={"limit": "10"}), 400, "invalid_field")
    expect_error(project.client.get(path + "?limit=1001"), 400, "invalid_limit")
    expect_error(project.client.get(path + "?limit=ten"), 400, "invalid_limit")


def test_long_strings_are_truncated(project):
    project.create_bucket(BUCKET)
    project.create_table(BUCKET, "long", [{"name": "id", "type": "INTEGER"}, {"name": "a", "type": "VARCHAR"},
                                          {"name": "b", "type": "VARCHAR"}])
    exact = "x" * 16384
    project.insert(BUCKET, "long", [{"id": 1, "a": "y" * 20000, "b": exact},
                                    {"id": 2, "a": "short", "b": "é" * 17000}])
    result = project.preview(BUCKET, "long", order_by=[{"column": "id"}])
    first, second = result["rows"]
    assert first["a"] == "y" * 16384
    assert first["b"] == exact  # exactly at the limit: not truncated
    assert second["a"] == "short"
    assert second["b"] == "é" * 16384  # characters, not bytes
    assert result["truncated"] == [{"row": 0, "column": "a"}, {"row": 1, "column": "b"}]


def test_get_query_form(project, table):
    result = project.client.call("GET", table + "/preview?columns=id,s&order_by=n:desc,id&limit=3")
    assert result["columns"] == ["id", "s"]
    assert result["rows"] == [{"id": 3, "s": "Apple pie"}, {"id": 1, "s": "apple"}, {"id": 2, "s": "banana"}]
    assert result["total_row_count"] == 5
    result = project.client.call("GET", table + "/preview?order_by=id:asc")
    assert [r["id"] for r in result["rows"]] == [1, 2, 3, 4, 5] and len(result["columns"]) == 6
    result = project.client.call("GET", table + "/preview?order_by=d:desc&columns=d")
    assert [r["d"] for r in result["rows"]][:2] == ["2024-03-15", "2024-02-29"]
    expect_error(project.client.get(table + "/preview?columns=id,nope"), 400, "column_not_found")
    expect_error(project.client.get(table + "/preview?order_by=nope:desc"), 400, "column_not_found")


def test_preview_of_missing_table(project):
    project.create_bucket(BUCKET)
    expect_error(project.client.post(project.table_path(BUCKET, "none") + "/preview", json={}), 404,
                 "table_not_found")
    expect_error(project.client.get(project.table_path("in.c-none", "t") + "/preview"), 404, "bucket_not_found")
