"""Exports of tables into objects: CSV with or without header and gzip, column subsets, filters, order,
limit, change windows, sliced output with a manifest, and Parquet round trips through an import."""

from __future__ import annotations

import csv
import gzip
import io
import json

from harness import expect_error
from import_support import export, get_file, import_file, put_file, rows, table_with


def orders(project):
    table_with(project, "out", "orders", [
        {"name": "id", "type": "INTEGER"},
        {"name": "customer", "type": "VARCHAR"},
        {"name": "amount", "type": "DOUBLE"},
        {"name": "_timestamp", "type": "TIMESTAMP"},
    ], ["id"])
    project.insert("out", "orders", [
        {"id": 1, "customer": "ann", "amount": 10.5, "_timestamp": "2024-01-01 00:00:00"},
        {"id": 2, "customer": "bob", "amount": 20.0, "_timestamp": "2024-02-01 00:00:00"},
        {"id": 3, "customer": "ann, \"jr\"", "amount": 30.25, "_timestamp": "2024-03-01 00:00:00"},
    ])


def parse_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def test_csv_export_with_header_columns_order_filter_limit(project):
    orders(project)
    result = export(project, "out", "orders", key="exp/a.csv", columns=["customer", "id"],
                    order_by=[{"column": "id", "order": "desc"}], filters=[{"column": "amount", "operator": "ge",
                                                                            "value": 15}], limit=5)
    assert result["exported_rows"] == 2 and result["manifest"] is None
    assert result["columns"] == ["customer", "id"]
    assert result["table"]["row_count"] == 3
    [file] = result["files"]
    assert file["key"] == "exp/a.csv" and file["size"] > 0
    assert parse_csv(get_file(project, file)) == [["customer", "id"], ['ann, "jr"', "3"], ["bob", "2"]]


def test_gzip_export_without_header_and_change_window(project):
    orders(project)
    result = export(project, "out", "orders", key="exp/b.csv.gz", gzip=True, header=False,
                    change_since="2024-01-15 00:00:00", change_until="1709251200",  # 2024-03-01 00:00 UTC
                    columns=["id"], order_by=[{"column": "id"}])
    [file] = result["files"]
    assert parse_csv(gzip.decompress(get_file(project, file))) == [["2"]]


def test_sliced_export_writes_manifest(project):
    orders(project)
    result = export(project, "out", "orders", key="exp/sliced_", slicing="always", gzip=True, header=False)
    assert result["manifest"]["key"] == "exp/sliced_manifest"
    manifest = json.loads(get_file(project, result["manifest"]))
    keys = [f["key"] for f in result["files"]]
    assert keys and all(k.startswith("exp/sliced_") and k.endswith(".csv.gz") for k in keys)
    assert [e["url"] for e in manifest["entries"]] == [f"s3://{f['bucket']}/{f['key']}" for f in result["files"]]
    assert all(e["mandatory"] for e in manifest["entries"])
    lines = []
    for f in result["files"]:
        lines += parse_csv(gzip.decompress(get_file(project, f)))
    assert sorted(line[0] for line in lines) == ["1", "2", "3"]
    # The manifest imports back (the driver's round trip).
    table_with(project, "out", "copy", [{"name": n, "type": "VARCHAR"} for n in ("id", "customer", "amount",
                                                                                   "_timestamp")])
    import_file(project, "out", "copy", bucket=result["manifest"]["bucket"], key=result["manifest"]["key"],
                source_type="sliced_file", columns=["id", "customer", "amount", "_timestamp"],
                timestamp_mode="from_source")
    assert [r["customer"] for r in rows(project, "out", "copy")] == ["ann", "bob", 'ann, "jr"']


def test_slicing_auto_splits_large_output_and_none_keeps_one_object(project):
    table_with(project, "out", "big", [{"name": "id", "type": "INTEGER"}, {"name": "text", "type": "VARCHAR"}])
    body = "id,text\n" + "".join(f"{i},{i:040x}\n" for i in range(60_000))  # ~3 MB of CSV
    import_file(project, "out", "big", **put_file(project, "big.csv", body.encode()),
                import_strategy="user_defined_table", timestamp_mode="none")

    def ids(files):
        seen = []
        for f in files:
            seen += [int(line[0]) for line in parse_csv(get_file(project, f))]
        return sorted(seen)

    auto = export(project, "out", "big", key="exp/auto_", header=False, slice_bytes=1 << 20)
    assert auto["manifest"] is not None and len(auto["files"]) > 1
    assert ids(auto["files"]) == list(range(60_000))
    one = export(project, "out", "big", key="exp/one.csv", header=False, slice_bytes=1 << 20, slicing="none")
    assert one["manifest"] is None and [f["key"] for f in one["files"]] == ["exp/one.csv"]
    assert one["files"][0]["size"] > 2 << 20 and ids(one["files"]) == list(range(60_000))
    parquet = export(project, "out", "big", key="exp/one.parquet", format="parquet", slice_bytes=1 << 20,
                     slicing="none")
    assert parquet["manifest"] is None and [f["key"] for f in parquet["files"]] == ["exp/one.parquet"]
    assert parquet["exported_rows"] == 60_000


def test_parquet_both_ways(project):
    orders(project)
    result = export(project, "out", "orders", key="exp/o.parquet", format="parquet")
    [file] = result["files"]
    data = get_file(project, file)
    assert data[:4] == b"PAR1" and data[-4:] == b"PAR1"
    table_with(project, "out", "back", [
        {"name": "id", "type": "INTEGER"},
        {"name": "customer", "type": "VARCHAR"},
        {"name": "amount", "type": "DOUBLE"},
        {"name": "_timestamp", "type": "TIMESTAMP"},
    ], ["id"])
    import_file(project, "out", "back", bucket=file["bucket"], key=file["key"], format="parquet",
                import_strategy="user_defined_table", timestamp_mode="from_source")
    assert rows(project, "out", "back") == rows(project, "out", "orders")


def test_parquet_cast_failure_names_row(project):
    table_with(project, "out", "src", [{"name": "id", "type": "VARCHAR"}])
    project.insert("out", "src", [{"id": "1"}, {"id": "x"}])
    result = export(project, "out", "src", key="exp/s.parquet", format="parquet", order_by=[{"column": "id"}])
    table_with(project, "out", "ints", [{"name": "id", "type": "INTEGER"}])
    src = {"bucket": result["files"][0]["bucket"], "key": result["files"][0]["key"]}
    response = project.client.post(project.table_path("out", "ints") + "/import",
                                   json={**src, "format": "parquet", "import_strategy": "user_defined_table"})
    error = expect_error(response, 422, "data_type_mismatch")
    assert error["details"]["row"] == 2 and error["details"]["column"] == "id" and error["details"]["value"] == "x"


def test_export_errors(project):
    orders(project)
    bad = project.client.post(project.table_path("out", "orders") + "/export", json={"key": "k", "columns": ["nope"]})
    expect_error(bad, 404, "column_not_found")
    bad = project.client.post(project.table_path("out", "nope") + "/export", json={"key": "k"})
    expect_error(bad, 404, "table_not_found")
    bad = project.client.post(project.table_path("out", "orders") + "/export",
                              json={"key": "k", "format": "parquet", "gzip": True})
    expect_error(bad, 400, "invalid_export_options")
    assert put_file  # uploads are exercised by the import suites
