"""S3 semantics that tools rely on, through boto3, the aws CLI and raw requests: a retried
CompleteMultipartUpload answered with the object it completed, the standard object headers (Cache-Control,
Expires, Content-Encoding, Content-Disposition, Content-Language) stored through every write and overridden
by response-* on GET, GetObject/HeadObject of one part (partNumber), and bucket CORS (Put/Get/Delete,
preflight OPTIONS, the headers of actual cross-origin requests)."""

from __future__ import annotations

import json
import os

import requests

from s3util import (AwsCli, chunked_body, client, error_code, refusal, s3_endpoint, sign,
                    streaming_chunked_headers)

PART = 5 * 1024 * 1024
HEADERS = {
    "CacheControl": "max-age=3600, public",
    "ContentDisposition": 'attachment; filename="report.csv"',
    "ContentEncoding": "gzip",
    "ContentLanguage": "cs-CZ",
}
EXPIRES = "Thu, 01 Dec 2039 16:00:00 GMT"
LATER = "Sat, 01 Dec 2040 16:00:00 GMT"


def raw_header(response: dict, name: str) -> str | None:
    return response["ResponseMetadata"]["HTTPHeaders"].get(name)


def assert_standard_headers(response: dict):
    for name, value in HEADERS.items():
        assert response[name] == value, name
    assert raw_header(response, "expires") == EXPIRES


def multipart(s3, bucket: str, key: str, parts: list[bytes], **create) -> tuple[str, list[dict], dict]:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, **create)["UploadId"]
    listed = []
    for number, data in enumerate(parts, start=1):
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data)["ETag"]
        listed.append({"PartNumber": number, "ETag": etag})
    done = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                        MultipartUpload={"Parts": listed})
    return upload_id, listed, done


def test_retried_complete_answers_the_completed_object(server, project, bucket, s3, tmp_path):
    parts = [os.urandom(PART), b"tail"]
    upload_id, listed, done = multipart(s3, bucket, "big", parts)
    assert done["ETag"].endswith('-2"')
    # The same Complete again (a retry after a lost response): 200 with the same ETag.
    again = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id,
                                         MultipartUpload={"Parts": listed})
    assert again["ETag"] == done["ETag"] and again["Key"] == "big"
    # Through the aws CLI too.
    cli = AwsCli(server, project.key, tmp_path)
    retried = cli.run("s3api", "complete-multipart-upload", "--bucket", bucket, "--key", "big", "--upload-id",
                      upload_id, "--multipart-upload", json.dumps({"Parts": listed}))
    assert json.loads(retried.stdout)["ETag"] == done["ETag"]
    # Another part list, or the upload id under another key, is an upload that does not exist.
    assert refusal(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="big", UploadId=upload_id, MultipartUpload={"Parts": listed[:1]})) == ("NoSuchUpload", 404)
    assert refusal(lambda: s3.complete_multipart_upload(
        Bucket=bucket, Key="other", UploadId=upload_id, MultipartUpload={"Parts": listed})) == ("NoSuchUpload", 404)
    assert s3.get_object(Bucket=bucket, Key="big")["Body"].read() == b"".join(parts)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["big"]


def test_standard_headers_through_every_write(server, project, bucket, s3):
    s3.put_object(Bucket=bucket, Key="put", Body=b"x", Expires=EXPIRES, **HEADERS)
    assert_standard_headers(s3.head_object(Bucket=bucket, Key="put"))
    got = s3.get_object(Bucket=bucket, Key="put")
    assert_standard_headers(got)
    assert got["Body"].read() == b"x"

    # response-* overrides on GET (presigned URLs carry them for browsers).
    overridden = s3.get_object(Bucket=bucket, Key="put", ResponseContentType="text/csv",
                               ResponseContentDisposition="inline", ResponseCacheControl="no-store",
                               ResponseContentEncoding="identity", ResponseContentLanguage="en",
                               ResponseExpires=LATER)
    assert overridden["ContentType"] == "text/csv" and overridden["ContentDisposition"] == "inline"
    assert overridden["CacheControl"] == "no-store" and overridden["ContentEncoding"] == "identity"
    assert overridden["ContentLanguage"] == "en"
    assert raw_header(overridden, "expires") == LATER

    # CopyObject keeps them (COPY) or takes the request's (REPLACE).
    s3.copy_object(Bucket=bucket, Key="copied", CopySource={"Bucket": bucket, "Key": "put"})
    assert_standard_headers(s3.head_object(Bucket=bucket, Key="copied"))
    s3.copy_object(Bucket=bucket, Key="replaced", CopySource={"Bucket": bucket, "Key": "put"},
                   MetadataDirective="REPLACE", CacheControl="no-cache")
    replaced = s3.head_object(Bucket=bucket, Key="replaced")
    assert replaced["CacheControl"] == "no-cache" and "ContentDisposition" not in replaced

    # CreateMultipartUpload's headers are the completed object's.
    multipart(s3, bucket, "multi", [b"only part"], Expires=EXPIRES, **HEADERS)
    assert_standard_headers(s3.head_object(Bucket=bucket, Key="multi"))


def test_aws_chunked_is_removed_from_content_encoding(server, project, bucket, s3):
    data = os.urandom(100_000)
    url = f"{s3_endpoint(server)}/{bucket}/chunked"
    headers, _ = streaming_chunked_headers(data, 64 * 1024)
    headers["content-encoding"] = "aws-chunked,gzip"
    signed = sign("PUT", url, project.key, headers=headers, payload_hash="STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    response = requests.put(url, data=chunked_body(data, 64 * 1024, signed), headers=signed.headers, timeout=30)
    assert response.status_code == 200, response.text
    got = s3.get_object(Bucket=bucket, Key="chunked")
    assert got["ContentEncoding"] == "gzip" and got["Body"].read() == data
    headers["content-encoding"] = "aws-chunked"
    signed = sign("PUT", url, project.key, headers=headers, payload_hash="STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    assert requests.put(url, data=chunked_body(data, 64 * 1024, signed), headers=signed.headers,
                        timeout=30).status_code == 200
    assert "ContentEncoding" not in s3.head_object(Bucket=bucket, Key="chunked")


def test_post_upload_keeps_standard_headers(server, project, bucket, s3):
    fields = {"Cache-Control": "max-age=60", "Content-Disposition": "inline", "Expires": EXPIRES}
    post = client(server, project.key).generate_presigned_post(
        bucket, "posted", Fields=fields, Conditions=[{name: value} for name, value in fields.items()],
        ExpiresIn=300)
    response = requests.post(post["url"], data=post["fields"], files={"file": ("a.txt", b"posted")}, timeout=30)
    assert response.status_code == 204, response.text
    head = s3.head_object(Bucket=bucket, Key="posted")
    assert head["CacheControl"] == "max-age=60" and head["ContentDisposition"] == "inline"
    assert raw_header(head, "expires") == EXPIRES


def test_get_and_head_one_part(server, project, bucket, s3, tmp_path):
    parts = [os.urandom(PART), os.urandom(PART), b"the last part"]
    multipart(s3, bucket, "parts", parts)
    total = sum(len(p) for p in parts)
    offset = 0
    for number, data in enumerate(parts, start=1):
        got = s3.get_object(Bucket=bucket, Key="parts", PartNumber=number)
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
        assert got["PartsCount"] == 3 and got["ContentLength"] == len(data)
        assert got["ContentRange"] == f"bytes {offset}-{offset + len(data) - 1}/{total}"
        assert got["Body"].read() == data
        head = s3.head_object(Bucket=bucket, Key="parts", PartNumber=number)
        assert head["ContentLength"] == len(data) and head["PartsCount"] == 3
        offset += len(data)
    assert "PartsCount" not in s3.head_object(Bucket=bucket, Key="parts")  # only when a part is asked for
    assert refusal(lambda: s3.get_object(Bucket=bucket, Key="parts", PartNumber=4)) == ("InvalidPartNumber", 416)
    assert refusal(lambda: s3.get_object(Bucket=bucket, Key="parts", PartNumber=1, Range="bytes=0-1")) == \
        ("InvalidRequest", 400)

    # A single-PUT object is its own one part.
    s3.put_object(Bucket=bucket, Key="single", Body=b"one piece")
    whole = s3.get_object(Bucket=bucket, Key="single", PartNumber=1)
    assert whole["Body"].read() == b"one piece" and "PartsCount" not in whole
    assert refusal(lambda: s3.get_object(Bucket=bucket, Key="single", PartNumber=2)) == ("InvalidPartNumber", 416)

    # The aws CLI downloads the part it names.
    out = tmp_path / "part2"
    AwsCli(server, project.key, tmp_path).run("s3api", "get-object", "--bucket", bucket, "--key", "parts",
                                              "--part-number", "2", str(out))
    assert out.read_bytes() == parts[1]


CORS = {"CORSRules": [
    {"ID": "app", "AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET", "PUT"],
     "AllowedHeaders": ["content-type", "x-amz-*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600},
    {"AllowedOrigins": ["*"], "AllowedMethods": ["HEAD"]},
]}


def preflight(server, bucket: str, origin: str, method: str, headers: str = "") -> requests.Response:
    request_headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        request_headers["Access-Control-Request-Headers"] = headers
    return requests.options(f"{s3_endpoint(server)}/{bucket}/some/key", headers=request_headers, timeout=30)


def test_bucket_cors_configuration_and_preflight(server, project, bucket, s3, tmp_path):
    assert refusal(lambda: s3.get_bucket_cors(Bucket=bucket)) == ("NoSuchCORSConfiguration", 404)
    # No configuration: every preflight is refused.
    refused = preflight(server, bucket, "https://app.example.com", "GET")
    assert refused.status_code == 403 and error_code(refused) == "AccessForbidden"

    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=CORS)
    rules = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert rules[0]["AllowedOrigins"] == ["https://app.example.com"] and rules[0]["MaxAgeSeconds"] == 600
    assert rules[0]["ExposeHeaders"] == ["ETag"] and rules[1]["AllowedMethods"] == ["HEAD"]

    allowed = preflight(server, bucket, "https://app.example.com", "PUT", "Content-Type, X-Amz-Date")
    assert allowed.status_code == 200, allowed.text
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert allowed.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert allowed.headers["Access-Control-Expose-Headers"] == "ETag"
    assert allowed.headers["Access-Control-Max-Age"] == "600"
    assert allowed.headers["Access-Control-Allow-Headers"] == "content-type, x-amz-date"
    for origin, method, headers in [("https://evil.example.com", "GET", ""),
                                    ("https://app.example.com", "DELETE", ""),
                                    ("https://app.example.com", "PUT", "x-custom")]:
        denied = preflight(server, bucket, origin, method, headers)
        assert denied.status_code == 403 and error_code(denied) == "AccessForbidden", (origin, method, headers)
    assert preflight(server, bucket, "https://any.example.org", "HEAD").headers["Access-Control-Allow-Origin"] == "*"

    # An actual request with a matching Origin (a presigned GET, as a browser makes it) gets the headers.
    s3.put_object(Bucket=bucket, Key="shared", Body=b"for the browser")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "shared"}, ExpiresIn=300)
    got = requests.get(url, headers={"Origin": "https://app.example.com"}, timeout=30)
    assert got.content == b"for the browser"
    assert got.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert got.headers["Access-Control-Expose-Headers"] == "ETag"
    other = requests.get(url, headers={"Origin": "https://evil.example.com"}, timeout=30)
    assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other.headers

    # The aws CLI reads and removes the configuration.
    cli = AwsCli(server, project.key, tmp_path)
    listed = json.loads(cli.run("s3api", "get-bucket-cors", "--bucket", bucket).stdout)
    assert listed["CORSRules"][0]["ID"] == "app"
    cli.run("s3api", "delete-bucket-cors", "--bucket", bucket)
    assert refusal(lambda: s3.get_bucket_cors(Bucket=bucket)) == ("NoSuchCORSConfiguration", 404)
    assert preflight(server, bucket, "https://app.example.com", "GET").status_code == 403


def test_cors_configuration_needs_write_access_and_valid_rules(server, project, project_factory, bucket, s3):
    stranger = client(server, project_factory().key)
    assert refusal(lambda: stranger.put_bucket_cors(Bucket=bucket, CORSConfiguration=CORS)) == ("AccessDenied", 403)
    assert refusal(lambda: stranger.get_bucket_cors(Bucket=bucket)) == ("AccessDenied", 403)
    bad = {"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]}
    assert refusal(lambda: s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=bad)) == ("InvalidRequest", 400)
    # A missing bucket's preflight is refused like one without rules.
    assert preflight(server, "no-such-bucket-here", "https://app.example.com", "GET").status_code == 403
