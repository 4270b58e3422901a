"""Asynchronous imports and exports: job resources with status, progress, result or error; cancellation
that rolls the import back; job outcomes that survive restarts; and a kill -9 in the middle of a FULL load
that leaves the previous table content intact."""

from __future__ import annotations

import gzip
import json
import time

from harness import Project, expect_error
from import_support import put_file, rows, table_with, wait_job


def big_manifest(project: Project, copies: int = 30) -> dict:
    """A manifest listing one 500k-row gzip slice `copies` times: a long load from a small upload."""
    lines = "".join(f"{i},name-{i}\n" for i in range(500_000)).encode()
    slice_ = put_file(project, "big/slice.csv.gz", gzip.compress(lines, compresslevel=1))
    entry = {"url": f"s3://{slice_['bucket']}/{slice_['key']}", "mandatory": True}
    return put_file(project, "big/manifest", json.dumps({"entries": [entry] * copies}).encode())


def submit(project: Project, table: str, **body) -> dict:
    return project.client.call("POST", project.table_path("in", table) + "/import", 202, json={**body, "async": True})


def test_async_import_and_export_jobs(project):
    table_with(project, "in", "t", [{"name": "id", "type": "VARCHAR"}, {"name": "name", "type": "VARCHAR"}])
    src = put_file(project, "a.csv", b"id,name\n1,a\n2,b\n")
    job = submit(project, "t", **src)
    assert job["status"] in ("queued", "running", "succeeded") and job["kind"] == "table.import"
    assert job["target"] == "in.t"
    done = wait_job(project, job["id"])
    assert done["status"] == "succeeded", done
    assert done["result"]["imported_rows"] == 2 and done["result"]["table_rows"] == 2
    assert done["error"] is None and done["finished_at"]
    assert rows(project, "in", "t") == [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}]

    exported = project.client.call("POST", project.table_path("in", "t") + "/export", 202,
                                   json={"key": "e.csv", "async": True})
    done = wait_job(project, exported["id"])
    assert done["status"] == "succeeded" and done["result"]["exported_rows"] == 2

    listed = project.client.call("GET", f"{project.path}/jobs")
    assert {j["id"] for j in listed["jobs"]} >= {job["id"], exported["id"]}
    assert listed["total"] >= 2

    expect_error(project.client.delete(f"{project.path}/jobs/{job['id']}"), 409, "job_finished")
    expect_error(project.client.get(f"{project.path}/jobs/nope"), 404, "job_not_found")


def test_failed_job_reports_the_error(project):
    table_with(project, "in", "t", [{"name": "id", "type": "INTEGER"}])
    src = put_file(project, "bad.csv", b"id\nx\n")
    job = submit(project, "t", **src, import_strategy="user_defined_table")
    done = wait_job(project, job["id"])
    assert done["status"] == "failed"
    assert done["error"]["code"] == "data_type_mismatch" and done["error"]["details"]["line"] == 2
    assert done["result"] is None


def test_cancel_running_import_rolls_back(project):
    table_with(project, "in", "t", [{"name": "id", "type": "VARCHAR"}, {"name": "name", "type": "VARCHAR"}], ["id"])
    project.insert("in", "t", [{"id": "old", "name": "row"}])
    manifest = big_manifest(project)
    job = submit(project, "t", **manifest, source_type="sliced_file", columns=["id", "name"])
    wait_job(project, job["id"], until=("running", "succeeded", "failed", "cancelled"))
    time.sleep(0.3)
    running = project.client.call("GET", f"{project.path}/jobs/{job['id']}")
    assert running["status"] == "running", running
    assert running["progress"]["phase"]
    cancelled = project.client.call("DELETE", f"{project.path}/jobs/{job['id']}", 202)
    assert cancelled["cancel_requested"] is True
    done = wait_job(project, job["id"])
    assert done["status"] == "cancelled", done
    assert done["error"]["code"] == "cancelled"
    assert rows(project, "in", "t") == [{"id": "old", "name": "row"}]


def test_kill_during_full_load_keeps_old_data_and_fails_the_job(fresh_server):
    project = Project(fresh_server)
    table_with(project, "in", "t", [{"name": "id", "type": "VARCHAR"}, {"name": "name", "type": "VARCHAR"}], ["id"])
    old = [{"id": str(i), "name": f"old-{i}"} for i in range(3)]
    project.insert("in", "t", old)
    manifest = big_manifest(project)
    job = submit(project, "t", **manifest, source_type="sliced_file", columns=["id", "name"])
    wait_job(project, job["id"], until=("running", "succeeded", "failed", "cancelled"))
    time.sleep(0.5)
    assert project.client.call("GET", f"{project.path}/jobs/{job['id']}")["status"] == "running"
    fresh_server.kill()
    assert fresh_server.stop() == -9
    fresh_server.start()
    project.client = fresh_server.client(project.key)
    assert rows(project, "in", "t") == old
    after = project.client.call("GET", f"{project.path}/jobs/{job['id']}")
    assert after["status"] == "failed" and after["error"]["code"] == "interrupted"
    # The table takes new loads normally after the crash.
    src = put_file(project, "new.csv", b"id,name\n9,new\n")
    project.client.call("POST", project.table_path("in", "t") + "/import", 200, json=src)
    assert rows(project, "in", "t") == [{"id": "9", "name": "new"}]
