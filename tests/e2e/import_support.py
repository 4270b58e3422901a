"""Helpers of the import/export/jobs suites: put files into a project's object store, run imports and
exports, read a table's rows back in a stable order."""

from __future__ import annotations

import time

from harness import Project

ALL_VARCHAR = "VARCHAR"


def put_file(project: Project, name: str, data: bytes) -> dict:
    """Uploads `data` as a project file named after the last segment of `name`; returns the object's
    {"bucket", "key"} (files live at "files/<id>/<name>" of the project's files bucket)."""
    info = project.client.call("POST", f"{project.path}/files", 201, data=data,
                               params={"name": name.rsplit("/", 1)[-1]})
    return {"bucket": info["bucket"], "key": info["key"]}


def get_file(project: Project, exported: dict) -> bytes:
    """The content of an exported object (registered as a project file by the export)."""
    response = project.client.get(f"{project.path}/files/{exported['file_id']}/content")
    assert response.status_code == 200, response.text
    return response.content


def columns(*names: str, type: str = ALL_VARCHAR) -> list[dict]:
    return [{"name": n, "type": type} for n in names]


def table_with(project: Project, bucket: str, table: str, cols: list[dict], primary_key=None) -> None:
    if not bucket_exists(project, bucket):
        project.create_bucket(bucket)
    project.create_table(bucket, table, cols, primary_key)


def bucket_exists(project: Project, bucket: str) -> bool:
    return project.client.get(project.bucket_path(bucket)).status_code == 200


def import_file(project: Project, bucket: str, table: str, /, expect: int = 200, **body):
    return project.client.call("POST", project.table_path(bucket, table) + "/import", expect, json=body)


def import_file_raw(project: Project, bucket: str, table: str, /, **body):
    return project.client.post(project.table_path(bucket, table) + "/import", json=body)


def import_table(project: Project, bucket: str, table: str, /, expect: int = 200, **body):
    return project.client.call("POST", project.table_path(bucket, table) + "/import-table", expect, json=body)


def export(project: Project, bucket: str, table: str, /, expect: int = 200, **body):
    return project.client.call("POST", project.table_path(bucket, table) + "/export", expect, json=body)


def rows(project: Project, bucket: str, table: str, order_by: str | None = None) -> list[dict]:
    """Every row (up to 1000) as dicts, ordered by `order_by` (default: the first column)."""
    info = project.client.call("GET", project.table_path(bucket, table))
    order = order_by or info["columns"][0]["name"]
    preview = project.preview(bucket, table, limit=1000, order_by=[{"column": order}])
    return preview["rows"]


def wait_job(project: Project, job_id: str, timeout: float = 120, until=("succeeded", "failed", "cancelled")) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = project.client.call("GET", f"{project.path}/jobs/{job_id}")
        if job["status"] in until:
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['status']}"
        time.sleep(0.05)
