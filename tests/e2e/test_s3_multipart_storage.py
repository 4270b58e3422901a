"""A completed multipart object is stored as its parts' blobs (no concatenated copy): every way of reading it
returns the same bytes as a single-blob object would — whole, by ranges across part boundaries, by part
number, through CopyObject and UploadPartCopy, through the REST files download, and as the source of a driver
import whose rows cross a part boundary — and its blobs go away with it (overwrite, delete) and survive a
restart's sweep of unreferenced blobs."""

from __future__ import annotations

import os

import s3util
from driver_client import Driver
from driver_files import Files, import_response_checks
from harness import unique_id
from keboola.storage_driver import bucket_pb2, project_pb2, table_pb2

PART = 5 * 1024 * 1024


def blob_files(server, project_id: str) -> set[str]:
    """The blob files of a project's object-store buckets (temporary files left out)."""
    directory = server.data_dir / "projects" / project_id / "objects"
    return {p.name for p in directory.iterdir() if p.is_file()} if directory.is_dir() else set()


def upload(s3, bucket: str, key: str, parts: list[bytes], listed: list[int] | None = None) -> dict:
    """Uploads `parts` as parts 1..n and completes with the numbers in `listed` (default: all)."""
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    etags = {}
    for number, data in enumerate(parts, start=1):
        etags[number] = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number,
                                       Body=data)["ETag"]
    chosen = [{"PartNumber": n, "ETag": etags[n]} for n in (listed or list(etags))]
    return s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                        MultipartUpload={"Parts": chosen})


def read(s3, bucket: str, key: str, **args) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key, **args)["Body"].read()


def test_every_read_of_a_multipart_object_sees_its_parts_in_order(server, project, s3, bucket):
    parts = [os.urandom(PART), os.urandom(PART), b"the tail"]
    whole = b"".join(parts)
    before = blob_files(server, project.id)
    done = upload(s3, bucket, "obj", parts)
    assert done["ETag"].endswith('-3"')
    # The object is its three part blobs: completing wrote no fourth file.
    assert len(blob_files(server, project.id) - before) == 3

    assert read(s3, bucket, "obj") == whole
    head = s3.head_object(Bucket=bucket, Key="obj")
    assert head["ContentLength"] == len(whole) and head["ETag"] == done["ETag"]
    for first, last in [(PART - 10, PART + 9), (0, 2 * PART + 7), (2 * PART - 1, 2 * PART + 3),
                        (2 * PART + 2, 2 * PART + 7), (PART, PART)]:
        assert read(s3, bucket, "obj", Range=f"bytes={first}-{last}") == whole[first:last + 1], (first, last)
    assert read(s3, bucket, "obj", Range="bytes=-12") == whole[-12:]
    assert read(s3, bucket, "obj", PartNumber=2) == parts[1]
    assert read(s3, bucket, "obj", PartNumber=3) == parts[2]

    # CopyObject keeps the content and ETag; the copy outlives its source.
    copied = s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "obj"})
    assert copied["CopyObjectResult"]["ETag"] == done["ETag"]
    # UploadPartCopy of a range that crosses the first part boundary.
    target = s3.create_multipart_upload(Bucket=bucket, Key="ranged")["UploadId"]
    part = s3.upload_part_copy(Bucket=bucket, Key="ranged", UploadId=target, PartNumber=1,
                               CopySource={"Bucket": bucket, "Key": "obj"},
                               CopySourceRange=f"bytes={PART - 100}-{PART + 99}")
    s3.complete_multipart_upload(Bucket=bucket, Key="ranged", UploadId=target, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]})
    assert read(s3, bucket, "ranged") == whole[PART - 100:PART + 100]

    s3.delete_object(Bucket=bucket, Key="obj")
    assert read(s3, bucket, "copy") == whole
    s3.delete_object(Bucket=bucket, Key="copy")
    s3.delete_object(Bucket=bucket, Key="ranged")
    assert blob_files(server, project.id) == before


def test_parts_not_listed_are_removed_and_an_overwrite_removes_the_parts(server, project, s3, bucket):
    before = blob_files(server, project.id)
    parts = [os.urandom(PART), os.urandom(PART), b"unused"]
    upload(s3, bucket, "obj", parts, listed=[1, 2])
    assert read(s3, bucket, "obj") == parts[0] + parts[1]
    assert len(blob_files(server, project.id) - before) == 2
    s3.put_object(Bucket=bucket, Key="obj", Body=b"small now")
    assert read(s3, bucket, "obj") == b"small now"
    assert len(blob_files(server, project.id) - before) == 1


def test_rest_download_of_a_file_uploaded_in_parts(project, s3, bucket):
    """An object uploaded in parts, registered as a file, downloads whole and by a range across parts."""
    parts = [os.urandom(PART), b"end of file"]
    upload(s3, bucket, "seed.bin", parts)
    file = project.client.call("POST", project.path + "/registered-files", 201,
                               json={"name": "seed.bin", "bucket": bucket, "key": "seed.bin"})
    content = f"{project.path}/files/{file['id']}/content"
    ranged = project.client.get(content, headers={"Range": f"bytes={PART - 3}-{PART + 2}"})
    assert ranged.status_code == 206 and ranged.content == (parts[0] + parts[1])[PART - 3:PART + 3]
    assert project.client.get(content).content == b"".join(parts)


def test_a_driver_import_reads_a_csv_uploaded_in_parts(server):
    admin = Driver(server, "json", server.admin_key)
    project_id = unique_id("mpimp")
    created = admin.execute(project_pb2.CreateProjectCommand(projectId=project_id)).response
    drv = admin.as_project(project_id, created.projectPassword)
    drv.execute(bucket_pb2.CreateBucketCommand(bucketId="in.c-mp"))
    drv.execute(table_pb2.CreateTableCommand(path=["in.c-mp"], tableName="rows", columns=[
        table_pb2.TableColumnShared(name="id", type="INTEGER"),
        table_pb2.TableColumnShared(name="label", type="VARCHAR")]))
    files = Files(server, created.projectPassword, f"files-{project_id}")
    text = "id,label\n" + "".join(f"{i},label number {i:08d}\n" for i in range(250_000))
    data = text.encode()
    assert len(data) > PART + 1
    # The first part ends inside a row: only the joined content parses.
    upload(files.s3, files.bucket, "in/rows.csv", [data[:PART], data[PART:]])
    result = drv.execute(files.import_command("in.c-mp", "rows", "in", "rows.csv", columns=["id", "label"]))
    import_response_checks(result.response, 250_000, 250_000, ["id", "label"])
    admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=project_id))


def test_multipart_objects_survive_a_restart(fresh_server):
    server = fresh_server
    project_id = unique_id("mprs")
    key = server.admin().call("POST", "/projects", 201, json={"id": project_id})["api_key"]
    s3 = s3util.client(server, key)
    s3.create_bucket(Bucket="keep")
    parts = [os.urandom(PART), b"kept"]
    upload(s3, "keep", "obj", parts)
    server.restart()
    s3 = s3util.client(server, key)
    assert read(s3, "keep", "obj") == b"".join(parts)
    assert len(blob_files(server, project_id)) == 2
