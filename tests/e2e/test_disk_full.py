"""A full disk (issue 15): the data directory on a small tmpfs of its own. A write that runs out of space
fails with 507 insufficient_storage (S3 InsufficientStorage 507, SQL state 53100 on the PostgreSQL door),
nothing committed is damaged, reads and deletes keep working, and the same writes succeed once space is
freed."""

from __future__ import annotations

import os
import subprocess

import botocore.exceptions
import pytest

from harness import Project, Server, expect_error
from s3util import client as s3_client

DISK_MB = 64
CHUNKS = (4 << 20, 256 << 10, 64 << 10)  # fills the disk down to less than the smallest


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(mount)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"a tmpfs cannot be mounted here (needs root): {mounted.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def full_server(small_disk, tmp_path):
    srv = Server(small_disk / "data", tmp_path / "logs").start()
    yield srv
    if srv.running:
        srv.stop()


def upload(project: Project, size: int):
    return project.client.post(project.path + "/files", data=os.urandom(size), params={"name": "filler.bin"})


def fill(project: Project) -> list[str]:
    """Uploads files until not even the smallest chunk fits; returns the ids of what was stored."""
    stored = []
    for size in CHUNKS:
        while True:
            response = upload(project, size)
            if response.status_code != 201:
                expect_error(response, 507, "insufficient_storage")
                break
            stored.append(response.json()["id"])
            assert len(stored) < 1000, "the disk never filled up"
    return stored


def test_writes_on_a_full_disk_fail_cleanly_and_succeed_once_space_is_freed(full_server, small_disk):
    srv = full_server
    project = Project(srv)
    bucket, table = "in.c-full", "kept"
    project.create_bucket(bucket)
    columns = [{"name": "id", "type": "INTEGER"}, {"name": "v", "type": "VARCHAR"}]
    project.create_table(bucket, table, columns, primary_key=["id"])
    kept = [{"id": i, "v": f"value {i}"} for i in range(200)]
    project.insert(bucket, table, kept)
    s3 = s3_client(srv, project.key)
    s3.create_bucket(Bucket="objects")
    s3.put_object(Bucket="objects", Key="before", Body=b"stored before the disk filled")

    stored = fill(project)
    assert stored

    # Every door's write refuses with its own form of the same error, and nothing partial is left behind.
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        s3.put_object(Bucket="objects", Key="too-big", Body=os.urandom(1 << 20))
    assert refused.value.response["Error"]["Code"] == "InsufficientStorage"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 507
    assert "too-big" not in [o["Key"] for o in s3.list_objects_v2(Bucket="objects").get("Contents", [])]
    big_rows = [{"id": 1000 + i, "v": "x" * 200} for i in range(5000)]
    response = project.client.post(project.table_path(bucket, table) + "/rows", json={"rows": big_rows})
    expect_error(response, 507, "insufficient_storage")
    assert not list((small_disk / "data").rglob(".tmp/*")), "a failed write left its temporary file"

    # Reads keep working and see exactly what was committed.
    rows = project.preview(bucket, table, order_by=[{"column": "id"}], limit=1000)["rows"]
    assert rows == kept
    assert s3.get_object(Bucket="objects", Key="before")["Body"].read() == b"stored before the disk filled"

    # Deletes work on a full disk, and then the same writes succeed.
    for file_id in stored:
        project.client.call("DELETE", f"{project.path}/files/{file_id}", 204)
    s3.put_object(Bucket="objects", Key="too-big", Body=b"fits now")
    project.client.call("POST", project.table_path(bucket, table) + "/rows", 201, json={"rows": big_rows})
    assert project.client.call("GET", project.table_path(bucket, table))["row_count"] == len(kept) + len(big_rows)

    # Nothing committed was damaged: a restart reads it all back.
    assert srv.stop() == 0, srv.tail()
    srv.start()
    project.client = srv.client(project.key)
    assert project.client.call("GET", project.table_path(bucket, table))["row_count"] == len(kept) + len(big_rows)
    assert project.preview(bucket, table, order_by=[{"column": "id"}], limit=200)["rows"] == kept
    s3 = s3_client(srv, project.key)
    assert s3.get_object(Bucket="objects", Key="too-big")["Body"].read() == b"fits now"
