"""Project files over REST: streamed uploads with checksums and size limits, listing by tag with paging,
downloads with ranges, registration of existing objects, deletion, atomicity and authorization."""

from __future__ import annotations

import hashlib
import os
import socket
import time
from urllib.parse import urlparse

import pytest

from harness import Project, Server, expect_error


def files_path(project: Project) -> str:
    return project.path + "/files"


def upload(project: Project, name: str, content: bytes, expect: int = 201, tags: str | None = None,
           headers: dict | None = None):
    params = {"name": name}
    if tags is not None:
        params["tags"] = tags
    response = project.client.post(files_path(project), data=content, params=params, headers=headers or {})
    assert response.status_code == expect, response.text
    return response.json() if response.content else None


def download(project: Project, file_id: str, headers: dict | None = None):
    return project.client.get(f"{files_path(project)}/{file_id}/content", headers=headers or {})


def test_upload_download_round_trip_of_binary_content(project):
    content = os.urandom(3 * 1024 * 1024 + 17)  # several read chunks, not a multiple of any
    info = upload(project, "blob.bin", content, tags="raw", headers={"Content-Type": "application/x-thing"})
    assert info["size"] == len(content)
    assert info["md5"] == hashlib.md5(content).hexdigest()
    assert info["tags"] == ["raw"] and info["owned"] is True and info["name"] == "blob.bin"
    response = download(project, info["id"])
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["Content-Type"] == "application/x-thing"
    assert response.headers["ETag"] == f'"{info["md5"]}"'
    assert response.headers["Accept-Ranges"] == "bytes"
    assert "blob.bin" in response.headers["Content-Disposition"]
    assert project.client.call("GET", f"{files_path(project)}/{info['id']}") == info


def test_unicode_names_are_kept_and_encoded_for_download(project):
    info = upload(project, "zpráva č. 1.csv", b"a\n")
    assert info["name"] == "zpráva č. 1.csv"
    disposition = download(project, info["id"]).headers["Content-Disposition"]
    assert disposition == "attachment; filename*=UTF-8''zpr%C3%A1va%20%C4%8D.%201.csv"


@pytest.mark.parametrize("range_header, expected_slice, content_range", [
    ("bytes=0-3", slice(0, 4), "bytes 0-3/10"),
    ("bytes=5-", slice(5, 10), "bytes 5-9/10"),
    ("bytes=-3", slice(7, 10), "bytes 7-9/10"),
    ("bytes=8-100", slice(8, 10), "bytes 8-9/10"),
])
def test_ranges(project, range_header, expected_slice, content_range):
    content = b"0123456789"
    info = upload(project, "digits.txt", content)
    response = download(project, info["id"], {"Range": range_header})
    assert response.status_code == 206
    assert response.content == content[expected_slice]
    assert response.headers["Content-Range"] == content_range


def test_unsatisfiable_and_ignored_ranges(project):
    info = upload(project, "digits.txt", b"0123456789")
    expect_error(download(project, info["id"], {"Range": "bytes=10-"}), 416, "invalid_range")
    # Several ranges or another unit: the whole content, as RFC 9110 allows.
    for header in ("bytes=0-1,3-4", "items=0-1", "bytes=abc"):
        response = download(project, info["id"], {"Range": header})
        assert response.status_code == 200 and response.content == b"0123456789"


def test_checksums_are_verified_and_a_mismatch_leaves_nothing(project):
    content = b"checked content"
    good = upload(project, "ok.txt", content, headers={
        "X-Checksum-MD5": hashlib.md5(content).hexdigest(),
        "X-Checksum-SHA256": hashlib.sha256(content).hexdigest().upper()})
    assert good["md5"] == hashlib.md5(content).hexdigest()
    bad_md5 = project.client.post(files_path(project), data=content, params={"name": "bad.txt"},
                                  headers={"X-Checksum-MD5": "0" * 32})
    expect_error(bad_md5, 400, "bad_digest")
    bad_sha = project.client.post(files_path(project), data=content, params={"name": "bad.txt"},
                                  headers={"X-Checksum-SHA256": "0" * 64})
    expect_error(bad_sha, 400, "content_sha256_mismatch")
    malformed = project.client.post(files_path(project), data=content, params={"name": "bad.txt"},
                                    headers={"X-Checksum-MD5": "xyz"})
    expect_error(malformed, 400, "invalid_checksum")
    listed = project.client.call("GET", files_path(project))
    assert [f["name"] for f in listed["files"]] == ["ok.txt"]


def test_listing_filters_by_every_tag_and_pages_newest_first(project):
    ids = [upload(project, f"f{i}.csv", b"x", tags=tags)["id"]
           for i, tags in enumerate(["in,daily", "in", "out,daily", "in,daily"])]
    both = project.client.call("GET", files_path(project), params={"tags": "in,daily"})
    assert [f["id"] for f in both["files"]] == [ids[3], ids[0]] and both["total"] == 2
    page = project.client.call("GET", files_path(project), params={"limit": 2, "offset": 1})
    assert [f["id"] for f in page["files"]] == [ids[2], ids[1]]
    assert page["total"] == 4 and page["limit"] == 2 and page["offset"] == 1


def test_invalid_names_and_missing_parameters(project):
    for name in ("", "a/b", "..", "x" * 256):
        response = project.client.post(files_path(project), data=b"x", params={"name": name})
        expect_error(response, 400, "invalid_file_name")
    expect_error(project.client.post(files_path(project), data=b"x"), 400, "missing_parameter")
    expect_error(project.client.get(f"{files_path(project)}/nope"), 404, "file_not_found")
    expect_error(project.client.get(f"{files_path(project)}/nope/content"), 404, "file_not_found")


def test_register_names_an_existing_object_without_owning_it(project):
    uploaded = upload(project, "source.csv", b"id\n1\n")
    registered = project.client.call("POST", project.path + "/registered-files", 201, json={
        "name": "alias.csv", "bucket": uploaded["bucket"], "key": uploaded["key"], "tags": ["alias"]})
    assert registered["owned"] is False and registered["md5"] == uploaded["md5"]
    assert download(project, registered["id"]).content == b"id\n1\n"
    project.client.call("DELETE", f"{files_path(project)}/{registered['id']}", 204)
    assert download(project, uploaded["id"]).content == b"id\n1\n"
    # Deleting the uploaded (owning) file deletes the object; a registration of it would go too.
    again = project.client.call("POST", project.path + "/registered-files", 201, json={
        "name": "alias.csv", "bucket": uploaded["bucket"], "key": uploaded["key"]})
    project.client.call("DELETE", f"{files_path(project)}/{uploaded['id']}", 204)
    expect_error(project.client.get(f"{files_path(project)}/{again['id']}"), 404, "file_not_found")
    missing = project.client.post(project.path + "/registered-files", json={
        "name": "x", "bucket": uploaded["bucket"], "key": "no/such/key"})
    expect_error(missing, 404, "object_not_found")


def test_keys_of_other_projects_and_read_only_keys(project_factory):
    owner, other = project_factory(), project_factory()
    info = upload(owner, "secret.csv", b"s")
    foreign = other.client
    expect_error(foreign.get(f"{files_path(owner)}/{info['id']}"), 403, "forbidden")
    expect_error(foreign.get(f"{files_path(owner)}/{info['id']}/content"), 403, "forbidden")
    register = other.client.post(other.path + "/registered-files", json={
        "name": "stolen", "bucket": info["bucket"], "key": info["key"]})
    expect_error(register, 403, "forbidden")
    reader = owner.server.client(owner.create_key("branch_read", branch_id="default")["api_key"])
    assert reader.get(f"{files_path(owner)}/{info['id']}/content").content == b"s"
    expect_error(reader.post(files_path(owner), data=b"x", params={"name": "n"}), 403, "forbidden")
    expect_error(reader.delete(f"{files_path(owner)}/{info['id']}"), 403, "forbidden")


def _blob_files(data_dir, project_id):
    objects = data_dir / "projects" / project_id / "objects"
    return sorted(p.name for p in objects.rglob("*") if p.is_file()) if objects.exists() else []


def test_size_limit_and_interrupted_upload_leave_nothing(tmp_path):
    srv = Server(tmp_path / "data", tmp_path / "logs", extra_args=["--max-upload-bytes", "1000"]).start()
    try:
        project = Project(srv)
        expect_error(project.client.post(files_path(project), data=b"x" * 1001, params={"name": "big"}),
                     413, "entity_too_large")
        upload(project, "fits", b"x" * 1000)
        # A client that announces 900 bytes, sends 100 and disconnects.
        url = urlparse(srv.http_url)
        with socket.create_connection((url.hostname, url.port)) as sock:
            sock.sendall((f"POST {files_path(project)}?name=partial HTTP/1.1\r\nHost: x\r\n"
                          f"Authorization: Bearer {project.key}\r\nContent-Length: 900\r\n\r\n").encode() + b"y" * 100)
        listed = project.client.call("GET", files_path(project))
        assert [f["name"] for f in listed["files"]] == ["fits"]
        # The server notices the disconnect and removes the partial temp file.
        deadline = time.monotonic() + 10
        while len(_blob_files(srv.data_dir, project.id)) > 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(_blob_files(srv.data_dir, project.id)) == 1, "only the complete file's blob remains"
        srv.restart()
        project.client = srv.client(project.key)  # the restarted server listens on new ports
        again = project.client.call("GET", files_path(project))
        assert [f["name"] for f in again["files"]] == ["fits"]
        assert download(project, again["files"][0]["id"]).content == b"x" * 1000
    finally:
        srv.stop()


def test_a_moved_data_directory_keeps_its_files(tmp_path):
    """Blob paths are stored relative to the data directory: a restore elsewhere serves the same content."""
    srv = Server(tmp_path / "data", tmp_path / "logs").start()
    project = Project(srv)
    content = os.urandom(300_000)
    info = upload(project, "kept.bin", content)
    assert srv.stop() == 0, srv.tail()
    (tmp_path / "data").rename(tmp_path / "moved")
    moved = Server(tmp_path / "moved", tmp_path / "logs-moved").start()
    try:
        project.client = moved.client(project.key)
        got = download(project, info["id"])
        assert got.status_code == 200 and got.content == content
        assert hashlib.md5(content).hexdigest() == project.client.call("GET", f"{files_path(project)}/{info['id']}")["md5"]
        # The start-up sweep found the blob referenced (nothing was removed as an orphan).
        assert len(_blob_files(moved.data_dir, project.id)) == 1
        again = upload(project, "new.bin", b"fresh")
        assert download(project, again["id"]).content == b"fresh"
    finally:
        moved.stop()
