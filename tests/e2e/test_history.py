"""Table history (docs/design/history.md): a table changed by every kind of write at recorded instants reads
back exactly as of each instant (REST preview?at=, restore into a new table, the driver's
CreateTableFromTimeTravel), survives its drop (undrop), honours the retention, and refuses bad times with a
clear error and nothing changed."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from harness import expect_error
from import_support import import_file, put_file, rows, table_with

B, T = "in.c-hist", "kv"


def instant() -> str:
    """An RFC 3339 instant strictly between the change before and the change after."""
    time.sleep(0.02)
    at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    time.sleep(0.02)
    return at


def past(project, table: str, at: str, expect: int = 200, bucket: str = B):
    response = project.client.get(project.table_path(bucket, table) + "/preview",
                                  params={"at": at, "limit": 1000, "order_by": "id"})
    if expect != 200:
        return response
    assert response.status_code == 200, response.text
    return response.json()["rows"]


def test_every_change_reads_back_as_of_each_instant(project):
    table_with(project, B, T, [{"name": "id", "type": "VARCHAR"}, {"name": "v", "type": "VARCHAR"}], ["id"])
    states = [(instant(), rows(project, B, T))]
    project.insert(B, T, [{"id": "1", "v": "a"}, {"id": "2", "v": "b"}])
    states.append((instant(), rows(project, B, T)))
    import_file(project, B, T, **put_file(project, "full.csv", b"id,v\n3,c\n4,d\n5,e\n"))
    states.append((instant(), rows(project, B, T)))
    import_file(project, B, T, **put_file(project, "inc.csv", b"id,v\n4,D\n6,f\n"), import_type="incremental")
    states.append((instant(), rows(project, B, T)))
    project.client.call("DELETE", project.table_path(B, T) + "/rows", 200,
                        json={"filters": [{"column": "id", "operator": "eq", "values": ["3"]}]})
    states.append((instant(), rows(project, B, T)))
    project.client.call("POST", project.table_path(B, T) + "/columns", 201, json={"name": "w", "type": "INTEGER"})
    project.insert(B, T, [{"id": "7", "v": "g", "w": "70"}])
    states.append((instant(), rows(project, B, T)))
    project.client.call("DELETE", project.table_path(B, T) + "/rows", 200, json={})  # truncate
    states.append((instant(), rows(project, B, T)))

    assert states[4][1] == [{"id": "4", "v": "D"}, {"id": "5", "v": "e"}, {"id": "6", "v": "f"}]
    assert states[5][1][-1] == {"id": "7", "v": "g", "w": 70}
    for at, expected in states:
        assert past(project, T, at) == expected, at

    versions = project.client.call("GET", project.table_path(B, T) + "/history")["versions"]
    assert [v["operation"] for v in versions] == [
        "rows.insert", "import.full", "import.incremental", "rows.delete", "column.add", "rows.insert",
        "rows.delete"]
    assert [v["rows_added"] for v in versions][:3] == [2, 3, 2]
    assert versions[1]["rows_removed"] == 2 and versions[1]["full_image"]
    assert all(v["request_id"] for v in versions)

    # A new table from a past state: same rows, columns and key.
    restored = project.client.call("POST", project.table_path(B, T) + "/restore", 201,
                                   json={"at": states[2][0], "destination": {"table": "kv_then"}})
    assert restored["primary_key"] == ["id"]
    assert [c["name"] for c in restored["columns"]] == ["id", "v"]
    assert rows(project, B, "kv_then") == states[2][1]

    # In place: the table's rows as of then become its rows now, as one more change.
    made = instant()
    project.client.call("POST", project.table_path(B, "kv_then") + "/rows", 201, json={"rows": [{"id": "9"}]})
    project.client.call("POST", project.table_path(B, "kv_then") + "/restore", 201, json={"at": made})
    assert rows(project, B, "kv_then") == states[2][1]
    # ... refused across a change of columns.
    error = expect_error(project.client.post(project.table_path(B, T) + "/restore", json={"at": states[2][0]}),
                         409, "restore_columns_changed")
    assert "new table" in error["message"]

    # Dropped: listed, readable as of before the drop, restorable under its name (undrop).
    project.client.call("DELETE", project.table_path(B, T), 204)
    dropped_at = instant()
    listed = project.client.call("GET", f"{project.path}/branches/default/dropped-tables")["tables"]
    assert [(t["bucket"], t["name"]) for t in listed] == [(B, T)]
    assert past(project, T, states[5][0]) == states[5][1]
    expect_error(past(project, T, dropped_at, expect=404), 404, "table_not_found")
    project.client.call("POST", project.table_path(B, T) + "/restore", 201, json={"at": states[5][0]})
    assert rows(project, B, T) == states[5][1]
    assert project.client.call("GET", f"{project.path}/branches/default/dropped-tables")["tables"] == []


def test_bad_times_are_refused_and_change_nothing(project):
    table_with(project, B, T, [{"name": "id", "type": "VARCHAR"}], ["id"])
    created = instant()
    project.insert(B, T, [{"id": "1"}])
    future = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    expect_error(past(project, T, future, expect=400), 400, "timestamp_in_future")
    for bad in ("yesterday", "2026-13-45T00:00:00Z", "2026-01-01T00:00:00", "2026-01-01"):
        expect_error(past(project, T, bad, expect=400), 400, "invalid_timestamp")
    expect_error(past(project, "nope", created, expect=404), 404, "table_not_found")
    before = (datetime.now(timezone.utc) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    expect_error(past(project, T, before, expect=404), 404, "table_not_found")  # before it existed
    expect_error(project.client.post(project.table_path(B, T) + "/restore", json={"at": future}), 400,
                 "timestamp_in_future")
    expect_error(project.client.post(project.table_path(B, T) + "/restore",
                                     json={"at": created, "destination": {"table": T}}), 409, "table_exists")
    assert rows(project, B, T) == [{"id": "1"}]

    # Retention: a day back is refused once the retention is shorter; 0 turns history off.
    assert project.client.call("GET", f"{project.path}/retention") == {"dataRetentionTimeInDays": 7}
    week = (datetime.now(timezone.utc) - timedelta(days=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
    expect_error(past(project, T, week, expect=400), 400, "time_travel_data_not_retained")
    expect_error(project.client.put(f"{project.path}/retention", json={"dataRetentionTimeInDays": -1}), 400,
                 "invalid_retention")
    project.client.call("PUT", f"{project.path}/retention", 200, json={"dataRetentionTimeInDays": 0})
    expect_error(past(project, T, created, expect=400), 400, "time_travel_data_not_retained")
    project.insert(B, T, [{"id": "2"}])
    assert project.client.call("GET", project.table_path(B, T) + "/history")["versions"] == []
    project.client.call("PUT", f"{project.path}/retention", 200, json={"dataRetentionTimeInDays": 1})
    # History is kept again from the next change on; before it the table existed, its history was not kept.
    project.insert(B, T, [{"id": "3"}])
    since = instant()
    project.insert(B, T, [{"id": "4"}])
    assert past(project, T, since) == [{"id": "1"}, {"id": "2"}, {"id": "3"}]
    expect_error(past(project, T, created, expect=400), 400, "time_travel_data_not_retained")
