"""The S3 API through boto3 (and a hand-made SigV4 signer): objects and metadata, ranges, conditional
requests, listings, copies, batch deletes, multipart, authentication failures and ownership rules."""

from __future__ import annotations

import datetime
import hashlib
import os
import xml.etree.ElementTree as ET

import botocore.exceptions
import pytest
import requests

from harness import unique_id
from s3util import (EMPTY_SHA256, chunked_body, client, error_code, key_pair, s3_endpoint, sign,
                    streaming_chunked_headers)

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def code_of(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def status_of(excinfo) -> int:
    return excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_put_get_head_with_metadata(s3, bucket):
    body = b"id,name\n1,alpha\n2,beta\n"
    put = s3.put_object(Bucket=bucket, Key="data/rows.csv", Body=body, ContentType="text/csv",
                        Metadata={"origin": "unit", "Mixed-Case": "Value 1"})
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    got = s3.get_object(Bucket=bucket, Key="data/rows.csv")
    assert got["Body"].read() == body
    assert got["ContentType"] == "text/csv"
    assert got["ContentLength"] == len(body)
    assert got["Metadata"] == {"origin": "unit", "mixed-case": "Value 1"}
    assert got["ETag"] == put["ETag"]
    head = s3.head_object(Bucket=bucket, Key="data/rows.csv")
    assert head["ContentLength"] == len(body) and head["ETag"] == put["ETag"]
    assert head["Metadata"]["origin"] == "unit"
    assert abs((head["LastModified"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) < 120
    # Overwrite replaces content and metadata.
    s3.put_object(Bucket=bucket, Key="data/rows.csv", Body=b"x")
    again = s3.get_object(Bucket=bucket, Key="data/rows.csv")
    assert again["Body"].read() == b"x" and again["Metadata"] == {}
    assert again["ContentType"] in ("binary/octet-stream", "application/octet-stream")


def test_missing_objects_and_buckets(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="nope")
    assert code_of(e) == "NoSuchKey" and status_of(e) == 404
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_object(Bucket=bucket, Key="nope")
    assert status_of(e) == 404
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.list_objects_v2(Bucket=unique_id("missing"))
    assert code_of(e) == "NoSuchBucket"
    # Deleting a missing key succeeds, as in S3.
    s3.delete_object(Bucket=bucket, Key="nope")


def test_ranges(s3, bucket):
    body = bytes(range(256)) * 40
    s3.put_object(Bucket=bucket, Key="blob", Body=body)
    part = s3.get_object(Bucket=bucket, Key="blob", Range="bytes=10-19")
    assert part["Body"].read() == body[10:20]
    assert part["ContentRange"] == f"bytes 10-19/{len(body)}"
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert s3.get_object(Bucket=bucket, Key="blob", Range="bytes=10000-")["Body"].read() == body[10000:]
    assert s3.get_object(Bucket=bucket, Key="blob", Range="bytes=-5")["Body"].read() == body[-5:]
    assert s3.get_object(Bucket=bucket, Key="blob", Range="bytes=10230-99999")["Body"].read() == body[10230:]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="blob", Range=f"bytes={len(body)}-")
    assert code_of(e) == "InvalidRange" and status_of(e) == 416


def test_conditional_gets(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"conditional")["ETag"]
    modified = s3.head_object(Bucket=bucket, Key="c")["LastModified"]
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"conditional"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"0123"')
    assert status_of(e) == 412 and code_of(e) == "PreconditionFailed"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert status_of(e) == 304
    assert s3.get_object(Bucket=bucket, Key="c", IfNoneMatch='"other"')["Body"].read() == b"conditional"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=modified + datetime.timedelta(seconds=5))
    assert status_of(e) == 304
    earlier = modified - datetime.timedelta(days=1)
    assert s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=earlier)["Body"].read() == b"conditional"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=earlier)
    assert status_of(e) == 412


def test_list_v2_delimiter_and_pagination(s3, bucket):
    keys = ["a.csv", "dir/x.csv", "dir/y.csv", "dir/sub/z.csv", "e f+g.csv", "zeta/1"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    listed = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [o["Key"] for o in listed["Contents"]] == ["a.csv", "e f+g.csv"]
    assert [p["Prefix"] for p in listed["CommonPrefixes"]] == ["dir/", "zeta/"]
    assert listed["KeyCount"] == 4
    nested = s3.list_objects_v2(Bucket=bucket, Prefix="dir/", Delimiter="/")
    assert [o["Key"] for o in nested["Contents"]] == ["dir/x.csv", "dir/y.csv"]
    assert [p["Prefix"] for p in nested["CommonPrefixes"]] == ["dir/sub/"]
    # Pages of two, through continuation tokens.
    seen, token = [], None
    while True:
        kwargs = {"ContinuationToken": token} if token else {}
        page = s3.list_objects_v2(Bucket=bucket, MaxKeys=2, **kwargs)
        seen += [o["Key"] for o in page.get("Contents", [])]
        if not page["IsTruncated"]:
            break
        token = page["NextContinuationToken"]
    assert seen == sorted(keys)
    after = s3.list_objects_v2(Bucket=bucket, StartAfter="dir/y.csv")
    assert [o["Key"] for o in after["Contents"]] == ["e f+g.csv", "zeta/1"]
    # ListObjects v1 with markers.
    v1 = s3.list_objects(Bucket=bucket, MaxKeys=3)
    assert v1["IsTruncated"] and [o["Key"] for o in v1["Contents"]] == sorted(keys)[:3]
    rest = s3.list_objects(Bucket=bucket, Marker=v1["Contents"][-1]["Key"])
    assert [o["Key"] for o in rest["Contents"]] == sorted(keys)[3:]
    assert rest["IsTruncated"] is False


def test_copy_and_batch_delete(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"copy me", ContentType="text/plain", Metadata={"m": "1"})
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert copied["CopyObjectResult"]["ETag"] == '"%s"' % hashlib.md5(b"copy me").hexdigest()
    dst = s3.get_object(Bucket=bucket, Key="dst")
    assert dst["Body"].read() == b"copy me" and dst["Metadata"] == {"m": "1"} and dst["ContentType"] == "text/plain"
    s3.copy_object(Bucket=bucket, Key="dst2", CopySource=f"{bucket}/src", MetadataDirective="REPLACE",
                   ContentType="application/json", Metadata={"n": "2"})
    dst2 = s3.head_object(Bucket=bucket, Key="dst2")
    assert dst2["Metadata"] == {"n": "2"} and dst2["ContentType"] == "application/json"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="src", CopySource=f"{bucket}/src")
    assert code_of(e) == "InvalidRequest"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="x", CopySource=f"{bucket}/missing")
    assert code_of(e) == "NoSuchKey"

    deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in ("src", "dst", "nope")]})
    assert sorted(d["Key"] for d in deleted["Deleted"]) == ["dst", "nope", "src"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["dst2"]
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "dst2"}], "Quiet": True})
    assert "Deleted" not in quiet
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_multipart_lifecycle(s3, bucket):
    part_size = 5 * 1024 * 1024
    data = [os.urandom(part_size), os.urandom(part_size), b"tail"]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big.bin", ContentType="application/x-test",
                                        Metadata={"kind": "multipart"})
    upload_id = upload["UploadId"]
    etags = []
    for number, chunk in enumerate(data, start=1):
        etags.append(s3.upload_part(Bucket=bucket, Key="big.bin", UploadId=upload_id, PartNumber=number,
                                    Body=chunk)["ETag"])
    listed = s3.list_parts(Bucket=bucket, Key="big.bin", UploadId=upload_id, MaxParts=2)
    assert [p["PartNumber"] for p in listed["Parts"]] == [1, 2] and listed["IsTruncated"]
    uploads = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [u["UploadId"] for u in uploads] == [upload_id]
    # Nothing visible before completion.
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0

    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload_id, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": etags[1]}]})
    assert code_of(e) == "InvalidPart"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload_id, MultipartUpload={
            "Parts": [{"PartNumber": 2, "ETag": etags[1]}, {"PartNumber": 1, "ETag": etags[0]}]})
    assert code_of(e) == "InvalidPartOrder"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload_id, MultipartUpload={
            "Parts": [{"PartNumber": 3, "ETag": etags[2]}, {"PartNumber": 4, "ETag": etags[2]}]})
    assert code_of(e) == "InvalidPart"

    done = s3.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload_id, MultipartUpload={
        "Parts": [{"PartNumber": n, "ETag": t} for n, t in enumerate(etags, start=1)]})
    digests = b"".join(hashlib.md5(chunk).digest() for chunk in data)
    assert done["ETag"] == '"%s-3"' % hashlib.md5(digests).hexdigest()
    got = s3.get_object(Bucket=bucket, Key="big.bin")
    assert got["Body"].read() == b"".join(data)
    assert got["ContentType"] == "application/x-test" and got["Metadata"] == {"kind": "multipart"}
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.list_parts(Bucket=bucket, Key="big.bin", UploadId=upload_id)
    assert code_of(e) == "NoSuchUpload"


def test_multipart_small_part_and_abort(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"small")["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=2, Body=b"small")["ETag"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    assert code_of(e) == "EntityTooSmall"
    s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=3, Body=b"late")
    assert code_of(e) == "NoSuchUpload"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=10001, Body=b"x")
    assert code_of(e) == "InvalidArgument"


def test_upload_part_copy_ranges_and_conditions(s3, bucket):
    part_size = 5 * 1024 * 1024
    source = os.urandom(2 * part_size + 1000)
    s3.put_object(Bucket=bucket, Key="src/whole.bin", Body=source)
    source_etag = s3.head_object(Bucket=bucket, Key="src/whole.bin")["ETag"]
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="assembled.bin", Metadata={"via": "copy"})["UploadId"]
    # Part 1: a range of the source; part 2: an uploaded part; part 3: the whole source, conditionally.
    first = s3.upload_part_copy(Bucket=bucket, Key="assembled.bin", UploadId=upload_id, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "src/whole.bin"},
                                CopySourceRange=f"bytes=1000-{1000 + part_size - 1}")["CopyPartResult"]
    assert first["ETag"] == '"%s"' % hashlib.md5(source[1000:1000 + part_size]).hexdigest()
    assert isinstance(first["LastModified"], datetime.datetime)
    middle = os.urandom(part_size)
    second = s3.upload_part(Bucket=bucket, Key="assembled.bin", UploadId=upload_id, PartNumber=2, Body=middle)
    third = s3.upload_part_copy(Bucket=bucket, Key="assembled.bin", UploadId=upload_id, PartNumber=3,
                                CopySource=f"{bucket}/src/whole.bin", CopySourceIfMatch=source_etag,
                                CopySourceIfModifiedSince=datetime.datetime(2000, 1, 1))["CopyPartResult"]
    assert third["ETag"] == source_etag
    parts = s3.list_parts(Bucket=bucket, Key="assembled.bin", UploadId=upload_id)["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, part_size), (2, part_size), (3, len(source))]

    failures = [
        (dict(CopySourceIfMatch='"0123"'), "PreconditionFailed"),
        (dict(CopySourceIfNoneMatch=source_etag), "PreconditionFailed"),
        (dict(CopySourceIfUnmodifiedSince=datetime.datetime(2000, 1, 1)), "PreconditionFailed"),
        (dict(CopySourceIfModifiedSince=datetime.datetime(2100, 1, 1)), "PreconditionFailed"),
        (dict(CopySourceRange=f"bytes=0-{len(source)}"), "InvalidArgument"),
        (dict(CopySourceRange="bytes=10-"), "InvalidArgument"),
        (dict(CopySourceRange="bytes=9-3"), "InvalidArgument"),
    ]
    for extra, code in failures:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            s3.upload_part_copy(Bucket=bucket, Key="assembled.bin", UploadId=upload_id, PartNumber=4,
                                CopySource=f"{bucket}/src/whole.bin", **extra)
        assert code_of(e) == code, extra
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.upload_part_copy(Bucket=bucket, Key="assembled.bin", UploadId=upload_id, PartNumber=4,
                            CopySource=f"{bucket}/src/missing.bin")
    assert code_of(e) == "NoSuchKey"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.upload_part_copy(Bucket=bucket, Key="assembled.bin", UploadId="nope", PartNumber=4,
                            CopySource=f"{bucket}/src/whole.bin")
    assert code_of(e) == "NoSuchUpload"

    layout = [{"PartNumber": 1, "ETag": first["ETag"]}, {"PartNumber": 2, "ETag": second["ETag"]},
              {"PartNumber": 3, "ETag": third["ETag"]}]
    s3.complete_multipart_upload(Bucket=bucket, Key="assembled.bin", UploadId=upload_id,
                                 MultipartUpload={"Parts": layout})
    got = s3.get_object(Bucket=bucket, Key="assembled.bin")
    assert got["Body"].read() == source[1000:1000 + part_size] + middle + source
    assert got["Metadata"] == {"via": "copy"}


def test_list_multipart_uploads_with_delimiter_and_paging(s3, bucket):
    keys = ["a.bin", "logs/2024/x", "logs/2025/y", "logs/top", "photos/p1", "photos/p2", "z.bin", "z.bin"]
    ids = {}
    for key in keys:
        ids.setdefault(key, []).append(s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"])
    top = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [u["Key"] for u in top["Uploads"]] == ["a.bin", "z.bin", "z.bin"]
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["logs/", "photos/"]
    assert top["Delimiter"] == "/" and not top["IsTruncated"]
    nested = s3.list_multipart_uploads(Bucket=bucket, Prefix="logs/", Delimiter="/")
    assert [u["Key"] for u in nested["Uploads"]] == ["logs/top"]
    assert [p["Prefix"] for p in nested["CommonPrefixes"]] == ["logs/2024/", "logs/2025/"]

    # Pages of two: uploads and common prefixes count together; a rolled-up prefix as the key marker
    # continues after every key below it; the upload id marker splits the two uploads of z.bin.
    seen, prefixes, kwargs, pages = [], [], {}, 0
    while True:
        page = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/", MaxUploads=2, **kwargs)
        pages += 1
        seen += [(u["Key"], u["UploadId"]) for u in page.get("Uploads", [])]
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        assert len(page.get("Uploads", [])) + len(page.get("CommonPrefixes", [])) <= 2
        if not page["IsTruncated"]:
            break
        kwargs = {"KeyMarker": page["NextKeyMarker"], "UploadIdMarker": page.get("NextUploadIdMarker", "")}
    assert pages == 3
    assert prefixes == ["logs/", "photos/"]
    assert [k for k, _ in seen] == ["a.bin", "z.bin", "z.bin"]
    assert sorted(i for k, i in seen if k == "z.bin") == sorted(ids["z.bin"])
    # The paginator (what aws-cli uses) walks the same pages.
    paginator = s3.get_paginator("list_multipart_uploads")
    walked = [u["Key"] for p in paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 3})
              for u in p.get("Uploads", [])]
    assert walked == sorted(keys)
    for key, upload_ids in ids.items():
        for upload_id in upload_ids:
            s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)


def test_keys_that_look_like_paths_stay_keys(s3, bucket):
    keys = ["../../etc/passwd", "a//b", "/leading", "dot/./x", "trailing/", "ünïcödé ключ", "sp ace&amp;<x>"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    for key in keys:
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert sorted(listed) == sorted(keys)


def test_bucket_lifecycle_and_listing(server, s3, project):
    name = unique_id("b")
    s3.create_bucket(Bucket=name)
    s3.head_bucket(Bucket=name)
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.create_bucket(Bucket=name)
    assert code_of(e) == "BucketAlreadyOwnedByYou"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.create_bucket(Bucket="Invalid_Name")
    assert code_of(e) == "InvalidBucketName"
    s3.put_object(Bucket=name, Key="k", Body=b"1")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.delete_bucket(Bucket=name)
    assert code_of(e) == "BucketNotEmpty"
    s3.delete_object(Bucket=name, Key="k")
    s3.delete_bucket(Bucket=name)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_bucket(Bucket=name)
    assert status_of(e) == 404


def test_wrong_secret_and_unknown_key(server, project, bucket):
    key_id, secret = key_pair(project.key)
    bad = client(server, f"{key_id}.not-the-secret")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bad.list_objects_v2(Bucket=bucket)
    assert code_of(e) == "SignatureDoesNotMatch" and status_of(e) == 403
    unknown = client(server, "DSKUNKNOWN.whatever")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        unknown.list_buckets()
    assert code_of(e) == "InvalidAccessKeyId"
    anonymous = requests.get(f"{s3_endpoint(server)}/{bucket}")
    assert anonymous.status_code == 403 and error_code(anonymous) == "AccessDenied"


def test_skewed_clock(server, project, bucket):
    url = f"{s3_endpoint(server)}/{bucket}"
    now = datetime.datetime.now(datetime.timezone.utc)
    ok = sign("GET", url, project.key, when=now)
    assert requests.get(url, headers=ok.headers).status_code == 200
    for skew in (datetime.timedelta(minutes=20), -datetime.timedelta(minutes=20)):
        skewed = sign("GET", url, project.key, when=now + skew)
        response = requests.get(url, headers=skewed.headers)
        assert response.status_code == 403 and error_code(response) == "RequestTimeTooSkewed", response.text


def test_signed_payload_must_match_body(server, project, bucket):
    url = f"{s3_endpoint(server)}/{bucket}/signed"
    body = b"the real body"
    signed = sign("PUT", url, project.key, payload_hash=hashlib.sha256(b"another body").hexdigest())
    response = requests.put(url, data=body, headers=signed.headers)
    assert response.status_code == 400 and error_code(response) == "XAmzContentSHA256Mismatch", response.text
    s3 = client(server, project.key)
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="signed")
    unsigned = sign("PUT", url, project.key, payload_hash="UNSIGNED-PAYLOAD")
    assert requests.put(url, data=body, headers=unsigned.headers).status_code == 200
    assert s3.get_object(Bucket=bucket, Key="signed")["Body"].read() == body


def test_streaming_chunked_upload(server, project, bucket):
    url = f"{s3_endpoint(server)}/{bucket}/streamed"
    data = os.urandom(200_000)
    headers, _ = streaming_chunked_headers(data, 64 * 1024)
    signed = sign("PUT", url, project.key, headers=headers, payload_hash="STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    body = chunked_body(data, 64 * 1024, signed)
    response = requests.put(url, data=body, headers=signed.headers)
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    s3 = client(server, project.key)
    assert s3.get_object(Bucket=bucket, Key="streamed")["Body"].read() == data

    # A chunk with a wrong signature fails the upload and publishes nothing.
    bad_url = f"{s3_endpoint(server)}/{bucket}/tampered"
    signed = sign("PUT", bad_url, project.key, headers=headers, payload_hash="STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    response = requests.put(bad_url, data=chunked_body(data, 64 * 1024, signed, corrupt_chunk=1),
                            headers=signed.headers)
    assert response.status_code == 403 and error_code(response) == "SignatureDoesNotMatch", response.text
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="tampered")


def test_cross_project_denial(server, project_factory):
    a, b = project_factory(), project_factory()
    s3a, s3b = client(server, a.key), client(server, b.key)
    name = unique_id("b")
    s3a.create_bucket(Bucket=name)
    s3a.put_object(Bucket=name, Key="secret.csv", Body=b"a's data")
    assert name not in [x["Name"] for x in s3b.list_buckets()["Buckets"]]
    for call in (lambda: s3b.get_object(Bucket=name, Key="secret.csv"),
                 lambda: s3b.list_objects_v2(Bucket=name),
                 lambda: s3b.put_object(Bucket=name, Key="x", Body=b"b"),
                 lambda: s3b.delete_object(Bucket=name, Key="secret.csv"),
                 lambda: s3b.copy_object(Bucket=name, Key="y", CopySource=f"{name}/secret.csv"),
                 lambda: s3b.delete_bucket(Bucket=name)):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert code_of(e) == "AccessDenied" and status_of(e) == 403
    # Copying out of A's bucket into B's own bucket is denied as well.
    own = unique_id("b")
    s3b.create_bucket(Bucket=own)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3b.copy_object(Bucket=own, Key="stolen", CopySource=f"{name}/secret.csv")
    assert code_of(e) == "AccessDenied"
    upload_id = s3b.create_multipart_upload(Bucket=own, Key="stolen")["UploadId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3b.upload_part_copy(Bucket=own, Key="stolen", UploadId=upload_id, PartNumber=1,
                             CopySource=f"{name}/secret.csv")
    assert code_of(e) == "AccessDenied"
    assert s3b.list_parts(Bucket=own, Key="stolen", UploadId=upload_id).get("Parts", []) == []
    assert s3a.get_object(Bucket=name, Key="secret.csv")["Body"].read() == b"a's data"


def test_read_only_key(server, project, bucket):
    s3 = client(server, project.key)
    s3.put_object(Bucket=bucket, Key="r", Body=b"readable")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="m")["UploadId"]
    reader = project.create_key("branch_read", branch_id="default")
    ro = client(server, reader["api_key"])
    assert ro.get_object(Bucket=bucket, Key="r")["Body"].read() == b"readable"
    assert [o["Key"] for o in ro.list_objects_v2(Bucket=bucket)["Contents"]] == ["r"]
    for call in (lambda: ro.put_object(Bucket=bucket, Key="w", Body=b"no"),
                 lambda: ro.delete_object(Bucket=bucket, Key="r"),
                 lambda: ro.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "r"}]}),
                 lambda: ro.create_multipart_upload(Bucket=bucket, Key="m"),
                 lambda: ro.upload_part_copy(Bucket=bucket, Key="m", UploadId=upload_id, PartNumber=1,
                                             CopySource=f"{bucket}/r"),
                 lambda: ro.create_bucket(Bucket=unique_id("b"))):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert code_of(e) == "AccessDenied", e.value.response
    # A revoked key stops working.
    assert project.client.delete(f"{project.path}/api-keys/{reader['id']}").status_code == 204
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ro.get_object(Bucket=bucket, Key="r")
    assert status_of(e) == 403


def test_admin_owned_bucket(server, project):
    admin = client(server, server.admin_key)
    name = unique_id("stack")
    admin.create_bucket(Bucket=name)
    admin.put_object(Bucket=name, Key=f"{project.id}/file.csv", Body=b"shared")
    assert name in [b["Name"] for b in admin.list_buckets()["Buckets"]]
    s3 = client(server, project.key)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=name, Key=f"{project.id}/file.csv")
    assert code_of(e) == "AccessDenied"
    assert admin.get_object(Bucket=name, Key=f"{project.id}/file.csv")["Body"].read() == b"shared"


def test_virtual_host_style(server, project, bucket):
    s3 = client(server, project.key)
    s3.put_object(Bucket=bucket, Key="vh/key.txt", Body=b"virtual")
    port = server.http_url.rsplit(":", 1)[1]
    # Host "<bucket>.s3.localhost" names the bucket; the connection goes to the loopback address.
    url = f"{server.http_url}/vh/key.txt"
    signed = sign("GET", f"http://{bucket}.s3.localhost:{port}/vh/key.txt", project.key)
    response = requests.get(url, headers=signed.headers)
    assert response.status_code == 200, response.text
    assert response.content == b"virtual"
    # Host "s3.localhost" itself is path style at the root.
    signed = sign("GET", f"http://s3.localhost:{port}/{bucket}?list-type=2", project.key)
    response = requests.get(f"{server.http_url}/{bucket}?list-type=2", headers=signed.headers)
    assert response.status_code == 200, response.text
    root = ET.fromstring(response.content)
    assert [k.text for k in root.iter(NS + "Key")] == ["vh/key.txt"]


def test_error_document_shape(server, project, bucket):
    url = f"{s3_endpoint(server)}/{bucket}/missing"
    signed = sign("GET", url, project.key)
    response = requests.get(url, headers=signed.headers)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == "Error"
    assert root.findtext("Code") == "NoSuchKey"
    assert root.findtext("Message")
    assert root.findtext("RequestId") == response.headers["x-amz-request-id"]
    listing = requests.get(f"{s3_endpoint(server)}/{bucket}",
                           headers=sign("GET", f"{s3_endpoint(server)}/{bucket}", project.key).headers)
    assert ET.fromstring(listing.content).tag == NS + "ListBucketResult"


def test_presigned_url(server, project, bucket):
    s3 = client(server, project.key)
    s3.put_object(Bucket=bucket, Key="p.txt", Body=b"presigned")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "p.txt"}, ExpiresIn=60)
    assert requests.get(url).content == b"presigned"
    tampered = url.replace("p.txt", "q.txt")
    response = requests.get(tampered)
    assert response.status_code == 403 and error_code(response) == "SignatureDoesNotMatch"
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "up.txt"}, ExpiresIn=60)
    assert requests.put(put_url, data=b"uploaded").status_code == 200
    assert s3.get_object(Bucket=bucket, Key="up.txt")["Body"].read() == b"uploaded"
