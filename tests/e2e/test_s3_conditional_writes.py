"""Conditional writes through boto3: If-None-Match: * and If-Match on PutObject and CompleteMultipartUpload,
decided with the publish (412 PreconditionFailed, 404 NoSuchKey for If-Match on a missing key; racing
conditional creates have exactly one winner). Debian's boto3 has no IfNoneMatch/IfMatch parameters for
writes, so the headers are added to the signed request (s3util.with_headers). The AWS SDK for JavaScript v3
races them with its own parameters (test_s3_js_clients.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import botocore.exceptions

from s3util import client, refusal, with_headers

STALE = '"0123456789abcdef0123456789abcdef"'


def body(s3, bucket: str, key: str) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_put_object_conditions(server, project, s3, bucket):
    create = with_headers(client(server, project.key), "PutObject", {"If-None-Match": "*"})
    create.put_object(Bucket=bucket, Key="k", Body=b"first")
    assert refusal(lambda: create.put_object(Bucket=bucket, Key="k", Body=b"second")) == ("PreconditionFailed", 412)
    etag = s3.head_object(Bucket=bucket, Key="k")["ETag"]
    stale = with_headers(client(server, project.key), "PutObject", {"If-Match": STALE})
    assert refusal(lambda: stale.put_object(Bucket=bucket, Key="k", Body=b"stale")) == ("PreconditionFailed", 412)
    assert body(s3, bucket, "k") == b"first"
    matching = with_headers(client(server, project.key), "PutObject", {"If-Match": etag})
    assert refusal(lambda: matching.put_object(Bucket=bucket, Key="missing", Body=b"x")) == ("NoSuchKey", 404)
    replaced = matching.put_object(Bucket=bucket, Key="k", Body=b"third")
    assert replaced["ETag"] != etag and body(s3, bucket, "k") == b"third"
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1


def test_racing_conditional_creates_have_one_winner(server, project, bucket, s3):
    create = with_headers(client(server, project.key), "PutObject", {"If-None-Match": "*"})

    def attempt(i: int):
        try:
            create.put_object(Bucket=bucket, Key="race", Body=f"writer {i}".encode())
            return f"writer {i}"
        except botocore.exceptions.ClientError as error:
            return error.response["ResponseMetadata"]["HTTPStatusCode"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(8)))
    winners = [o for o in outcomes if isinstance(o, str)]
    assert len(winners) == 1
    assert sorted(o for o in outcomes if not isinstance(o, str)) == [412] * 7
    assert body(s3, bucket, "race") == winners[0].encode()


def test_complete_multipart_upload_conditions(server, project, s3, bucket):
    s3.put_object(Bucket=bucket, Key="mp", Body=b"existing")
    etag = s3.head_object(Bucket=bucket, Key="mp")["ETag"]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"from the upload")
    parts = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}

    def complete(headers: dict):
        conditional = with_headers(client(server, project.key), "CompleteMultipartUpload", headers)
        return conditional.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload=parts)

    assert refusal(lambda: complete({"If-None-Match": "*"})) == ("PreconditionFailed", 412)
    assert refusal(lambda: complete({"If-Match": STALE})) == ("PreconditionFailed", 412)
    # A refused completion leaves the upload and the object as they were.
    assert [p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload)["Parts"]] == [1]
    assert body(s3, bucket, "mp") == b"existing"
    done = complete({"If-Match": etag})
    assert done["ETag"].endswith('-1"') and body(s3, bucket, "mp") == b"from the upload"

    fresh = s3.create_multipart_upload(Bucket=bucket, Key="new")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="new", UploadId=fresh, PartNumber=1, Body=b"created once")
    create = with_headers(client(server, project.key), "CompleteMultipartUpload", {"If-None-Match": "*"})
    create.complete_multipart_upload(Bucket=bucket, Key="new", UploadId=fresh,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert body(s3, bucket, "new") == b"created once"
