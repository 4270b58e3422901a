"""S3 semantics today's clients rely on, through boto3, the aws CLI and raw requests: aws-chunked bodies with
trailing checksums (signed and unsigned, over plain HTTP), checksums refused when wrong, SigV2 header and
presigned authentication, Expect: 100-continue refused before the body, unversioned buckets seen through the
versioning APIs, ListBuckets pagination, GetBucketLocation, UTF-8 user metadata and browser POST uploads."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import boto3
import botocore.exceptions
import pytest
import requests
from botocore.config import Config

from harness import unique_id
from s3util import (REGION, AwsCli, checksum, client, error_code, key_pair, s3_endpoint, sign, trailer_body)


def v2_client(server, token: str):
    key_id, secret = key_pair(token)
    return boto3.client("s3", endpoint_url=s3_endpoint(server), aws_access_key_id=key_id,
                        aws_secret_access_key=secret, region_name=REGION,
                        config=Config(signature_version="s3", s3={"addressing_style": "path"},
                                      retries={"max_attempts": 1, "mode": "standard"}))


@pytest.mark.parametrize("mode", ["signed", "unsigned"])
def test_aws_chunked_trailer_checksums(server, project, bucket, s3, mode):
    data = os.urandom(150_000)
    url = f"{s3_endpoint(server)}/{bucket}/trailer-{mode}"
    content_sha = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" if mode == "signed" else "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    headers = {"content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
               "x-amz-trailer": "x-amz-checksum-crc32c", "x-amz-sdk-checksum-algorithm": "CRC32C"}

    def put(value: str, key_url: str = url, **options):
        signed = sign("PUT", key_url, project.key, headers=headers, payload_hash=content_sha)
        body = trailer_body(data, 64 * 1024, signed if mode == "signed" else None, "x-amz-checksum-crc32c", value,
                            **options)
        return requests.put(key_url, data=body, headers={**signed.headers, "content-length": str(len(body))},
                            timeout=60)

    good = put(checksum("CRC32C", data))
    assert good.status_code == 200, good.text
    assert good.headers["x-amz-checksum-crc32c"] == checksum("CRC32C", data)
    assert s3.get_object(Bucket=bucket, Key=f"trailer-{mode}")["Body"].read() == data

    bad_url = url + "-bad"
    wrong = put(checksum("CRC32C", b"something else"), bad_url)
    assert wrong.status_code == 400 and error_code(wrong) == "BadDigest", wrong.text
    if mode == "signed":
        forged = put(checksum("CRC32C", data), bad_url, bad_trailer_signature=True)
        assert forged.status_code == 403 and error_code(forged) == "SignatureDoesNotMatch", forged.text
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key=f"trailer-{mode}-bad")


def test_checksum_headers_refused_when_wrong_or_malformed(server, project, bucket, s3):
    url = f"{s3_endpoint(server)}/{bucket}/checked"
    body = b"checked content"
    for headers, status, code in [
        ({"x-amz-checksum-sha256": checksum("SHA256", b"other")}, 400, "BadDigest"),
        ({"x-amz-checksum-crc32": "not base64!"}, 400, "InvalidRequest"),
        ({"x-amz-checksum-crc32": checksum("CRC32", body), "x-amz-checksum-crc32c": checksum("CRC32C", body)}, 400,
         "InvalidRequest"),
        ({"x-amz-sdk-checksum-algorithm": "CRC32"}, 400, "InvalidRequest"),
    ]:
        signed = sign("PUT", url, project.key, headers=headers, payload_hash="UNSIGNED-PAYLOAD")
        response = requests.put(url, data=body, headers=signed.headers, timeout=30)
        assert (response.status_code, error_code(response)) == (status, code), (headers, response.text)
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="checked")
    # boto3's own checksum (SHA256 asked explicitly) is verified and answered.
    put = s3.put_object(Bucket=bucket, Key="checked", Body=body, ChecksumAlgorithm="SHA256")
    assert put["ChecksumSHA256"] == checksum("SHA256", body)


def test_sigv2_header_and_presigned(server, project, bucket, s3):
    v2 = v2_client(server, project.key)
    v2.put_object(Bucket=bucket, Key="v2/object", Body=b"signed with SigV2", Metadata={"k": "v"},
                  ContentType="text/plain")
    got = v2.get_object(Bucket=bucket, Key="v2/object")
    assert got["Body"].read() == b"signed with SigV2" and got["Metadata"] == {"k": "v"}
    assert [o["Key"] for o in v2.list_objects(Bucket=bucket, Prefix="v2/")["Contents"]] == ["v2/object"]
    url = v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "v2/object"}, ExpiresIn=60)
    assert "AWSAccessKeyId=" in url and "Signature=" in url
    assert requests.get(url, timeout=30).content == b"signed with SigV2"
    expired = v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "v2/object"}, ExpiresIn=1)
    time.sleep(2.2)
    response = requests.get(expired, timeout=30)
    assert response.status_code == 403 and error_code(response) == "AccessDenied"
    tampered = url.replace("Signature=", "Signature=A")
    response = requests.get(tampered, timeout=30)
    assert response.status_code == 403 and error_code(response) == "SignatureDoesNotMatch"
    wrong = v2_client(server, project.key.split(".")[0] + ".wrong")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        wrong.get_object(Bucket=bucket, Key="v2/object")
    assert excinfo.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_cli_presign_with_default_configuration(server, project, bucket, s3, tmp_path):
    """`aws s3 presign` with no signature_version configured (SigV2 for aws-cli v1)."""
    s3.put_object(Bucket=bucket, Key="shared.txt", Body=b"fetched with curl")
    cli = AwsCli(server, project.key, tmp_path / "aws")
    (tmp_path / "aws" / "aws-config").write_text("[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n")
    url = cli.run("s3", "presign", f"s3://{bucket}/shared.txt", "--expires-in", "120").stdout.strip()
    fetched = subprocess.run(["curl", "-sS", "-f", url], capture_output=True, text=True, timeout=60)
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout == "fetched with curl"


def test_expect_continue_refused_before_the_body(server, project):
    """A PUT into a missing bucket with Expect: 100-continue gets its 404 without a 100 Continue first."""
    url = f"{s3_endpoint(server)}/{unique_id('missing')}/object"
    signed = sign("PUT", url, project.key, headers={"expect": "100-continue", "content-length": "1000000"},
                  payload_hash="UNSIGNED-PAYLOAD")
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        head = f"PUT {parts.path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in signed.headers.items()) + "\r\n"
        sock.sendall(head.encode())
        answer = b""
        while b"</Error>" not in answer:
            more = sock.recv(65536)
            if not more:
                break
            answer += more
        answer = answer.decode(errors="replace")
    assert answer.startswith("HTTP/1.1 404"), answer
    assert "NoSuchBucket" in answer


def test_unversioned_bucket_through_versioning_apis(server, project, bucket, s3):
    for key in ["a", "b/c", "d"]:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    listed = s3.list_object_versions(Bucket=bucket)
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [
        ("a", "null", True), ("b/c", "null", True), ("d", "null", True)]
    page = s3.list_object_versions(Bucket=bucket, MaxKeys=2)
    assert page["IsTruncated"] and page["NextKeyMarker"] == "b/c" and page["NextVersionIdMarker"] == "null"
    rest = s3.list_object_versions(Bucket=bucket, KeyMarker=page["NextKeyMarker"],
                                   VersionIdMarker=page["NextVersionIdMarker"])
    assert [v["Key"] for v in rest["Versions"]] == ["d"]
    assert s3.get_object(Bucket=bucket, Key="a", VersionId="null")["Body"].read() == b"a"
    # boto3's resource API empties a bucket through the versions (as Terraform and rclone do).
    resource = boto3.resource("s3", endpoint_url=s3_endpoint(server), aws_access_key_id=key_pair(project.key)[0],
                              aws_secret_access_key=project.key, region_name=REGION,
                              config=Config(s3={"addressing_style": "path"}))
    deleted = resource.Bucket(bucket).object_versions.delete()
    assert sorted(d["Key"] for d in deleted[0]["Deleted"]) == ["a", "b/c", "d"]
    assert all(d["VersionId"] == "null" for d in deleted[0]["Deleted"])
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    s3.delete_bucket(Bucket=bucket)


def test_list_buckets_pagination_and_location(server, project, s3):
    """max-buckets and continuation-token, signed by hand (Debian's botocore predates them)."""
    names = sorted(unique_id("lb") for _ in range(3))
    for name in names:
        s3.create_bucket(Bucket=name)
    ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
    seen, token = [], None
    while True:
        url = f"{s3_endpoint(server)}?max-buckets=2" + (f"&continuation-token={token}" if token else "")
        response = requests.get(url, headers=sign("GET", url, project.key).headers, timeout=30)
        assert response.status_code == 200, response.text
        root = ET.fromstring(response.content)
        page = [b.findtext(f"{ns}Name") for b in root.iter(f"{ns}Bucket")]
        assert len(page) <= 2
        seen += page
        token = root.findtext(f"{ns}ContinuationToken")
        if not token:
            break
    assert [n for n in seen if n in names] == names
    url = f"{s3_endpoint(server)}?prefix={names[0][:-2]}"
    response = requests.get(url, headers=sign("GET", url, project.key).headers, timeout=30)
    assert names[0] in response.text and f"<Prefix>{names[0][:-2]}</Prefix>" in response.text
    assert s3.get_bucket_location(Bucket=names[0])["LocationConstraint"] is None


def test_utf8_user_metadata(server, project, bucket, s3):
    url = f"{s3_endpoint(server)}/{bucket}/utf8"
    for key, raw in [("utf8", "café".encode()), ("latin1", "café".encode("latin-1")),
                     ("rfc2047", b"=?UTF-8?B?" + base64.b64encode("café".encode()) + b"?=")]:
        signed = sign("PUT", url + key, project.key, payload_hash="UNSIGNED-PAYLOAD")
        headers = {k: v.encode() for k, v in signed.headers.items()}
        headers[b"x-amz-meta-" + key.encode()] = raw
        response = requests.put(url + key, data=b"x", headers=headers, timeout=30)
        assert response.status_code == 200, response.text
        # Python (like Node) decodes header bytes as ISO-8859-1: "é" comes back whole, not as "Ã©".
        assert s3.head_object(Bucket=bucket, Key="utf8" + key)["Metadata"] == {key: "café"}
    signed = sign("PUT", url + "han", project.key, payload_hash="UNSIGNED-PAYLOAD")
    headers = {k: v.encode() for k, v in signed.headers.items()}
    headers[b"x-amz-meta-han"] = "中文".encode()
    assert requests.put(url + "han", data=b"x", headers=headers, timeout=30).status_code == 200
    # Beyond ISO-8859-1, RFC 2047 as S3 sends it.
    assert s3.head_object(Bucket=bucket, Key="utf8han")["Metadata"] == {
        "han": "=?UTF-8?B?" + base64.b64encode("中文".encode()).decode() + "?="}


def test_browser_post_upload_with_signed_policy(server, project, bucket, s3):
    for signature_version, s3v4 in [("s3v4", True), ("s3", False)]:
        signer = client(server, project.key) if s3v4 else v2_client(server, project.key)
        key = f"posted/{signature_version}/${{filename}}"
        post = signer.generate_presigned_post(
            bucket, key, Fields={"success_action_status": "201", "Content-Type": "text/plain"},
            Conditions=[{"success_action_status": "201"}, ["starts-with", "$Content-Type", "text/"],
                        ["content-length-range", 1, 1000]], ExpiresIn=300)
        response = requests.post(post["url"], data=post["fields"],
                                 files={"file": ("note.txt", b"posted by a browser", "text/plain")}, timeout=30)
        assert response.status_code == 201, response.text
        assert f"<Key>posted/{signature_version}/note.txt</Key>" in response.text
        got = s3.get_object(Bucket=bucket, Key=f"posted/{signature_version}/note.txt")
        assert got["Body"].read() == b"posted by a browser" and got["ContentType"] == "text/plain"
        too_big = requests.post(post["url"], data=post["fields"],
                                files={"file": ("big.txt", b"x" * 1001, "text/plain")}, timeout=30)
        assert too_big.status_code == 400 and error_code(too_big) == "EntityTooLarge"
        forged = dict(post["fields"], key="elsewhere/${filename}")
        denied = requests.post(post["url"], data=forged, files={"file": ("a.txt", b"x", "text/plain")}, timeout=30)
        assert denied.status_code == 403 and error_code(denied) == "AccessDenied", denied.text
    with pytest.raises(botocore.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="elsewhere/a.txt")
