"""CSV imports into existing tables: dialect options, column matching, FULL replacement, Keboola's empty
value rules, gzip, sliced and directory sources, and the errors of bad input (table left unchanged)."""

from __future__ import annotations

import gzip
import json

from harness import expect_error
from import_support import columns, import_file, import_file_raw, put_file, rows, table_with


def setup_table(project, cols=("id", "name"), primary_key=None, types=None):
    spec = [{"name": c, "type": (types or {}).get(c, "VARCHAR")} for c in cols]
    table_with(project, "in", "t", spec, primary_key)


def test_full_import_with_header_reports_and_loads_exact_rows(project):
    setup_table(project, ("id", "name", "note"))
    src = put_file(project, "a.csv", b'id,name,note\n1,alice,"multi\nline"\n2,"bob ""b""",\n3,,x\n')
    result = import_file(project, "in", "t", **src)
    assert result["imported_rows"] == 3
    assert result["table_rows"] == 3
    assert result["imported_columns"] == ["id", "name", "note"]
    assert result["table_size_bytes"] >= 0
    assert result["timers"] and all({"name", "seconds"} == set(t) for t in result["timers"])
    assert rows(project, "in", "t") == [
        {"id": "1", "name": "alice", "note": "multi\nline"},
        {"id": "2", "name": 'bob "b"', "note": ""},
        {"id": "3", "name": "", "note": "x"},
    ]


def test_columns_match_by_name_not_position(project):
    setup_table(project, ("id", "name"))
    src = put_file(project, "b.csv", b"NAME,Id\nalice,1\nbob,2\n")
    import_file(project, "in", "t", **src)
    assert rows(project, "in", "t") == [{"id": "1", "name": "alice"}, {"id": "2", "name": "bob"}]


def test_full_import_replaces_previous_content(project):
    setup_table(project)
    project.insert("in", "t", [{"id": "old", "name": "x"}])
    src = put_file(project, "c.csv", b"id,name\n9,new\n")
    import_file(project, "in", "t", **src)
    assert rows(project, "in", "t") == [{"id": "9", "name": "new"}]


def test_dialect_options_and_given_column_names(project):
    setup_table(project, ("id", "name"))
    data = b"garbage line\nname;id\n'a;b';1\n'it\\'s';2\n"
    src = put_file(project, "d.csv", data)
    import_file(project, "in", "t", **src, columns=["name", "id"], delimiter=";", enclosure="'", escaped_by="\\",
                ignored_lines=2)
    assert rows(project, "in", "t") == [{"id": "1", "name": "a;b"}, {"id": "2", "name": "it's"}]


def test_empty_values_null_conversion_and_import_as_null(project):
    setup_table(project, ("id", "a", "b"))
    src = put_file(project, "e.csv", b"id,a,b\n1,,\n2,NULL,x\n")
    import_file(project, "in", "t", **src, convert_empty_values_to_null=["b"])
    assert rows(project, "in", "t") == [{"id": "1", "a": "", "b": None}, {"id": "2", "a": "NULL", "b": "x"}]
    import_file(project, "in", "t", **src, import_as_null=["NULL"])
    assert rows(project, "in", "t") == [{"id": "1", "a": "", "b": ""}, {"id": "2", "a": None, "b": "x"}]


def test_gzip_csv_detected_and_explicit(project):
    setup_table(project)
    src = put_file(project, "f.csv.gz", gzip.compress(b"id,name\n1,zipped\n"))
    import_file(project, "in", "t", **src)
    assert rows(project, "in", "t") == [{"id": "1", "name": "zipped"}]
    import_file(project, "in", "t", **src, compression="gzip")
    assert rows(project, "in", "t") == [{"id": "1", "name": "zipped"}]


def test_sliced_manifest_and_directory_sources(project):
    setup_table(project)
    s1 = put_file(project, "sl/part0", gzip.compress(b"1,a\n2,b\n"))
    s2 = put_file(project, "sl/part1", gzip.compress(b"3,c\n"))
    manifest = {"entries": [
        {"url": f"s3://{s1['bucket']}/{s1['key']}", "mandatory": True},
        {"url": s2["key"], "mandatory": True},
        {"url": "sl/missing", "mandatory": False},
    ]}
    m = put_file(project, "sl/manifest", json.dumps(manifest).encode())
    import_file(project, "in", "t", **m, source_type="sliced_file", columns=["id", "name"])
    assert rows(project, "in", "t") == [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}, {"id": "3", "name": "c"}]

    # A directory: the slices an export wrote under one prefix (the manifest next to them is skipped).
    exported = project.client.call("POST", project.table_path("in", "t") + "/export", 200,
                                   json={"key": "dir/x_", "slicing": "always", "header": False})
    assert exported["manifest"]["key"] == "dir/x_manifest"
    import_file(project, "in", "t", bucket=exported["manifest"]["bucket"], key="dir/x_", source_type="directory",
                columns=["id", "name"], import_type="incremental", dedup_type="insert_duplicates")
    assert sorted(r["id"] for r in rows(project, "in", "t")) == ["1", "1", "2", "2", "3", "3"]
    import_file(project, "in", "t", **m, source_type="sliced_file", columns=["id", "name"])

    missing = put_file(project, "sl3/manifest", json.dumps({"entries": [
        manifest["entries"][0], {"url": "sl3/nope", "mandatory": True}]}).encode())
    error = expect_error(import_file_raw(project, "in", "t", **missing, source_type="sliced_file",
                                         columns=["id", "name"]), 422, "mandatory_file_not_found")
    assert error["details"]["driver_code"] == 4201
    assert "sl3/nope" in error["message"]
    assert rows(project, "in", "t") == [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}, {"id": "3", "name": "c"}]

    # Slices of one import share their compression: a plain slice among gzip ones is named, nothing loads.
    plain = put_file(project, "sl4/part1", b"4,d\n")
    mixed = put_file(project, "sl4/manifest", json.dumps({"entries": [
        manifest["entries"][0], {"url": plain["key"], "mandatory": True}]}).encode())
    error = expect_error(import_file_raw(project, "in", "t", **mixed, source_type="sliced_file",
                                         columns=["id", "name"]), 422, "invalid_source_data")
    assert error["details"]["driver_code"] == 4200
    assert error["details"]["plain_file"].endswith(plain["key"]) and "mix" in error["message"]
    assert rows(project, "in", "t") == [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}, {"id": "3", "name": "c"}]


def test_column_mismatch_errors_name_the_columns(project):
    setup_table(project, ("id", "name"))
    project.insert("in", "t", [{"id": "keep", "name": "me"}])
    extra = put_file(project, "g.csv", b"id,name,extra\n1,a,b\n")
    error = expect_error(import_file_raw(project, "in", "t", **extra), 400, "columns_mismatch")
    assert error["details"]["extra"] == ["extra"] and error["details"]["driver_code"] == 4100
    missing = put_file(project, "h.csv", b"id\n1\n")
    error = expect_error(import_file_raw(project, "in", "t", **missing), 400, "columns_mismatch")
    assert error["details"]["missing"] == ["name"]
    error = expect_error(import_file_raw(project, "in", "t", **missing, columns=["id", "ID"]), 400,
                         "duplicate_column_names")
    assert error["details"]["driver_code"] == 4102
    assert rows(project, "in", "t") == [{"id": "keep", "name": "me"}]


def test_malformed_csv_and_bad_utf8_keep_the_table(project):
    setup_table(project)
    project.insert("in", "t", [{"id": "keep", "name": "me"}])
    ragged = put_file(project, "i.csv", b"id,name\n1,a\n2,b,c\n")
    error = expect_error(import_file_raw(project, "in", "t", **ragged), 422, "invalid_source_data")
    assert error["details"]["driver_code"] == 4200
    assert error["details"]["line"] == 3
    assert "i.csv" in error["message"]
    bad_utf8 = put_file(project, "j.csv", b"id,name\n1,\xff\xfe\n")
    expect_error(import_file_raw(project, "in", "t", **bad_utf8), 422, "invalid_source_data")
    unterminated = put_file(project, "k.csv", b'id,name\n1,"open\n')
    expect_error(import_file_raw(project, "in", "t", **unterminated), 422, "invalid_source_data")
    assert rows(project, "in", "t") == [{"id": "keep", "name": "me"}]


def test_import_by_file_id(project):
    setup_table(project)
    info = project.client.call("POST", f"{project.path}/files", 201, data=b"id,name\n5,byid\n", params={"name": "f.csv"})
    import_file(project, "in", "t", file_id=info["id"])
    assert rows(project, "in", "t") == [{"id": "5", "name": "byid"}]
    expect_error(import_file_raw(project, "in", "t", file_id="nope"), 404, "file_not_found")


def test_missing_object_and_bad_options(project):
    setup_table(project)
    src = put_file(project, "l.csv", b"id,name\n1,a\n")
    expect_error(import_file_raw(project, "in", "t", bucket=src["bucket"], key="nope.csv"), 404, "object_not_found")
    expect_error(import_file_raw(project, "in", "t", **src, delimiter=";;"), 400, "invalid_file_params")
    expect_error(import_file_raw(project, "in", "t", **src, import_type="sideways"), 400, "invalid_field")
    expect_error(import_file_raw(project, "in", "nope", **src), 404, "table_not_found")
