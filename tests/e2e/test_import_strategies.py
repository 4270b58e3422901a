"""Load strategies: FULL vs INCREMENTAL, deduplication by primary key or dedup columns (including duplicates
inside one file), the managed _timestamp column, and typed (USER_DEFINED_TABLE) imports with cast errors
that name the line and column."""

from __future__ import annotations

import time

from harness import expect_error
from import_support import import_file, import_file_raw, put_file, rows, table_with


def kv_table(project, primary_key=("id",), timestamp=False):
    cols = [{"name": "id", "type": "VARCHAR"}, {"name": "v", "type": "VARCHAR"}]
    if timestamp:
        cols.append({"name": "_timestamp", "type": "TIMESTAMP"})
    table_with(project, "in", "kv", cols, list(primary_key) if primary_key else None)


def test_incremental_upsert_with_duplicates_in_the_source(project):
    kv_table(project)
    project.insert("in", "kv", [{"id": "1", "v": "old1"}, {"id": "2", "v": "old2"}])
    src = put_file(project, "u.csv", b"id,v\n2,first\n3,new\n2,last\n3,newer\n")
    result = import_file(project, "in", "kv", **src, import_type="incremental")
    assert result["imported_rows"] == 2  # distinct keys of the source
    assert result["table_rows"] == 3
    assert rows(project, "in", "kv") == [{"id": "1", "v": "old1"}, {"id": "2", "v": "last"}, {"id": "3", "v": "newer"}]


def test_full_import_deduplicates_by_primary_key(project):
    kv_table(project)
    src = put_file(project, "f.csv", b"id,v\n1,a\n1,b\n2,c\n")
    result = import_file(project, "in", "kv", **src)
    assert result["imported_rows"] == 2
    assert rows(project, "in", "kv") == [{"id": "1", "v": "b"}, {"id": "2", "v": "c"}]


def test_dedup_columns_override_the_primary_key(project):
    kv_table(project, primary_key=None)
    project.insert("in", "kv", [{"id": "1", "v": "x"}])
    src = put_file(project, "d.csv", b"id,v\n7,x\n8,y\n")
    import_file(project, "in", "kv", **src, import_type="incremental", dedup_columns=["v"])
    assert rows(project, "in", "kv") == [{"id": "7", "v": "x"}, {"id": "8", "v": "y"}]


def test_insert_duplicates_keeps_every_row(project):
    kv_table(project)
    project.insert("in", "kv", [{"id": "1", "v": "old"}])
    src = put_file(project, "i.csv", b"id,v\n1,a\n1,b\n")
    result = import_file(project, "in", "kv", **src, import_type="incremental", dedup_type="insert_duplicates")
    assert result["imported_rows"] == 2
    assert sorted(r["v"] for r in rows(project, "in", "kv")) == ["a", "b", "old"]


def test_incremental_without_key_appends(project):
    kv_table(project, primary_key=None)
    project.insert("in", "kv", [{"id": "1", "v": "old"}])
    src = put_file(project, "a.csv", b"id,v\n1,new\n")
    import_file(project, "in", "kv", **src, import_type="incremental")
    assert sorted(r["v"] for r in rows(project, "in", "kv")) == ["new", "old"]


def test_fail_on_duplicates_in_file_and_against_table(project):
    kv_table(project)
    project.insert("in", "kv", [{"id": "1", "v": "old"}])
    dup = put_file(project, "x.csv", b"id,v\n5,a\n5,b\n")
    for import_type in ("full", "incremental"):
        error = expect_error(import_file_raw(project, "in", "kv", **dup, import_type=import_type,
                                             dedup_type="fail_on_duplicates"), 422, "duplicate_keys")
        assert error["details"]["key"] == {"id": "5"}
    existing = put_file(project, "y.csv", b"id,v\n1,again\n")
    error = expect_error(import_file_raw(project, "in", "kv", **existing, import_type="incremental",
                                         dedup_type="fail_on_duplicates"), 422, "duplicate_keys")
    assert "already exists" in error["message"]
    assert rows(project, "in", "kv") == [{"id": "1", "v": "old"}]


def test_timestamp_current_time_keeps_unchanged_rows(project):
    kv_table(project, timestamp=True)
    first = put_file(project, "t1.csv", b"id,v\n1,a\n2,b\n")
    before = time.time()
    import_file(project, "in", "kv", **first)
    initial = {r["id"]: r["_timestamp"] for r in rows(project, "in", "kv")}
    assert all(initial.values()) and initial["1"] == initial["2"]
    time.sleep(0.05)
    second = put_file(project, "t2.csv", b"id,v\n1,a\n2,changed\n3,c\n")
    import_file(project, "in", "kv", **second, import_type="incremental")
    after = {r["id"]: r for r in rows(project, "in", "kv")}
    assert after["1"]["_timestamp"] == initial["1"]  # identical row: timestamp kept
    assert after["2"]["_timestamp"] > initial["2"] and after["2"]["v"] == "changed"
    assert after["3"]["_timestamp"] == after["2"]["_timestamp"]
    assert before > 0


def test_timestamp_modes_none_and_from_source(project):
    kv_table(project, timestamp=True)
    plain = put_file(project, "n.csv", b"id,v\n1,a\n")
    import_file(project, "in", "kv", **plain, timestamp_mode="none")
    assert rows(project, "in", "kv") == [{"id": "1", "v": "a", "_timestamp": None}]
    with_ts = put_file(project, "s.csv", b"id,v,_timestamp\n1,a,2024-05-06 07:08:09\n")
    import_file(project, "in", "kv", **with_ts, timestamp_mode="from_source")
    assert rows(project, "in", "kv")[0]["_timestamp"].startswith("2024-05-06T07:08:09")
    error = expect_error(import_file_raw(project, "in", "kv", **plain, timestamp_mode="from_source"), 400,
                         "columns_mismatch")
    assert error["details"]["missing"] == ["_timestamp"]


def typed_table(project):
    table_with(project, "in", "typed", [
        {"name": "id", "type": "INTEGER"},
        {"name": "amount", "type": "DECIMAL(10,2)"},
        {"name": "day", "type": "DATE"},
        {"name": "label", "type": "VARCHAR"},
    ], ["id"])


def test_user_defined_table_casts_values(project):
    typed_table(project)
    src = put_file(project, "ty.csv", b"id,amount,day,label\n1,12.50,2024-01-02,a\n2,,,\n")
    import_file(project, "in", "typed", **src, import_strategy="user_defined_table")
    assert rows(project, "in", "typed") == [
        {"id": 1, "amount": "12.50", "day": "2024-01-02", "label": "a"},
        {"id": 2, "amount": None, "day": None, "label": ""},
    ]


def test_cast_failure_names_line_and_column_and_keeps_table(project):
    typed_table(project)
    project.insert("in", "typed", [{"id": 9, "amount": "1.00", "day": "2020-01-01", "label": "keep"}])
    src = put_file(project, "bad.csv", b"id,amount,day,label\n1,1.00,2024-01-02,a\n2,2.00,not-a-date,b\n")
    error = expect_error(import_file_raw(project, "in", "typed", **src, import_strategy="user_defined_table"), 422,
                         "data_type_mismatch")
    details = error["details"]
    assert details["driver_code"] == 4202
    assert details["column"] == "day" and details["value"] == "not-a-date" and details["line"] == 3
    assert "bad.csv" in error["message"]
    assert rows(project, "in", "typed") == [{"id": 9, "amount": "1.00", "day": "2020-01-01", "label": "keep"}]
