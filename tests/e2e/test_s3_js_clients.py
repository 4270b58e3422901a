"""The S3 API through the current AWS SDK for JavaScript v3 and minio-js, pinned from the npm registry
(tests/e2e/js/package-lock.json): default-checksum uploads, explicit algorithms read back, a wrong checksum
refused with nothing stored, streams of unknown length, multipart with checksums, conditional creates racing,
presigned URLs and a browser POST form, standard object headers, a retried Complete, GET of one part and
bucket CORS with a preflight. The scenarios run in node (tests/e2e/js/*.cjs); the assertions on
stored bytes, returned checksums and codes are here, against independently computed checksums."""

from __future__ import annotations

import pytest

from harness import Client, Server, unique_id
from s3util import checksum, client, composite_checksum, run_js, s3_endpoint


def pattern(size: int, seed: int, step: int = 31) -> bytes:
    return bytes((i * step + seed) & 0xFF for i in range(size))


@pytest.fixture
def sdk(server, project):
    """(run, boto3 client, bucket): `run(scenario)` runs an aws_sdk.cjs scenario against a fresh bucket."""
    s3 = client(server, project.key)
    bucket = unique_id("js")
    s3.create_bucket(Bucket=bucket)
    return (lambda scenario: run_js("aws_sdk.cjs", scenario, s3_endpoint(server), project.key, bucket)), s3, bucket


def test_default_checksums_are_verified_stored_and_returned(sdk):
    run, s3, bucket = sdk
    result = run("default_checksums")
    data = pattern(100000, 1)
    assert result["buffer_md5"] == result["expected_md5"] == result["stream_md5"]
    crc = checksum("CRC32", data)
    assert result["put"]["ChecksumCRC32"] == crc and result["streamed_put"]["ChecksumCRC32"] == crc
    assert result["get"] == {"ChecksumCRC32": crc, "ChecksumType": "FULL_OBJECT"}
    assert result["stream_get"]["ChecksumCRC32"] == crc and result["head"]["ChecksumCRC32"] == crc
    assert s3.get_object(Bucket=bucket, Key="default/stream")["Body"].read() == data


def test_explicit_algorithms_read_back(sdk):
    run, _, _ = sdk
    result = run("explicit_algorithms")
    for algorithm in ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"]:
        data = pattern(70000, len(algorithm))
        expected = checksum(algorithm, data)
        observed = result[algorithm]
        assert observed["md5_ok"], algorithm
        assert observed["put"]["Checksum" + algorithm] == expected, algorithm
        assert observed["get"]["Checksum" + algorithm] == expected, algorithm
        assert observed["attributes"]["Checksum" + algorithm] == expected, algorithm
        assert observed["attributes"]["ObjectSize"] == len(data)


def test_wrong_checksum_is_refused_and_nothing_stored(sdk):
    run, s3, bucket = sdk
    result = run("wrong_checksum")
    assert result["refused"] == {"name": "BadDigest", "status": 400}
    assert result["missing"]["status"] == 404
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_stream_of_unknown_length_through_lib_storage(sdk):
    run, s3, bucket = sdk
    result = run("unknown_length_upload")
    data = pattern(12 * 1024 * 1024 + 12345, 7)
    assert result["md5_ok"] and result["size"] == len(data)
    assert result["etag"].endswith('-3"')
    assert s3.get_object(Bucket=bucket, Key="unknown/length")["Body"].read() == data


def test_multipart_with_checksums(sdk):
    run, _, _ = sdk
    result = run("multipart_checksums")
    parts = [pattern(5 * 1024 * 1024, 3), pattern(1234567, 4)]
    for algorithm, kind in [("CRC32C", "COMPOSITE"), ("CRC64NVME", "FULL_OBJECT"), ("SHA256", "COMPOSITE")]:
        observed = result[algorithm]
        assert observed["md5_ok"], algorithm
        assert observed["created"] == {"ChecksumAlgorithm": algorithm, "ChecksumType": kind}
        part_values = [checksum(algorithm, part) for part in parts]
        assert [p["Checksum" + algorithm] for p in observed["parts"]] == part_values
        assert [p["Checksum" + algorithm] for p in observed["listed"]] == part_values
        whole = composite_checksum(algorithm, parts) if kind == "COMPOSITE" else checksum(algorithm, b"".join(parts))
        assert observed["complete"]["Checksum" + algorithm] == whole, algorithm
        assert observed["complete"]["ChecksumType"] == kind
        assert observed["head"]["Checksum" + algorithm] == whole and observed["head"]["ChecksumType"] == kind


def test_conditional_creates_race_exactly_one_wins(sdk):
    run, _, _ = sdk
    result = run("conditional_race")
    assert result["winners"] == 1
    assert all(status in (409, 412) for status in result["losers"]) and len(result["losers"]) == 7
    assert result["stored"] == result["winner_body"]
    assert result["again"] == {"name": "PreconditionFailed", "status": 412}
    assert result["stale"]["status"] == 412
    assert result["matched_etag"]


def test_sdk_presigned_urls(sdk):
    run, _, _ = sdk
    result = run("presigned")
    assert result == {"put_status": 200, "get_status": 200, "body": "presigned body"}


@pytest.fixture(scope="module")
def root_s3_server(tmp_path_factory):
    """A server answering S3 at the root of 127.0.0.1 (minio-js has no path prefix setting): its S3 domain
    is 127.0.0.1, so its REST API is reached as localhost."""
    base = tmp_path_factory.mktemp("root-s3")
    srv = Server(base / "data", base / "logs", extra_args=["--s3-domain", "127.0.0.1"]).start()
    yield srv
    assert srv.stop() == 0, srv.tail()


@pytest.fixture
def minio(root_s3_server):
    rest = Client(root_s3_server.http_url.replace("127.0.0.1", "localhost"), root_s3_server.admin_key)
    token = rest.call("POST", "/projects", 201, json={"id": unique_id("p")})["api_key"]
    s3 = client(root_s3_server, token, endpoint=root_s3_server.http_url)
    bucket = unique_id("mn")
    s3.create_bucket(Bucket=bucket)
    return (lambda scenario: run_js("minio_client.cjs", scenario, root_s3_server.http_url, token, bucket)), s3, bucket


def test_minio_objects(minio):
    run, s3, bucket = minio
    result = run("objects")
    assert result["small_ok"] and result["big_ok"]
    assert result["size"] == 1000 and result["meta"]["origin"] == "minio"
    assert result["names"] == ["minio/big", "minio/small"]
    assert s3.get_object(Bucket=bucket, Key="minio/big")["Body"].read() == pattern(6 * 1024 * 1024 + 99, 2, 17)


def test_minio_presigned_urls_and_post_policy(minio):
    run, s3, bucket = minio
    result = run("presigned")
    assert result["put_status"] == 200 and result["get_status"] == 200
    assert result["body"] == "put through a presigned URL"
    assert result["post_status"] == 204
    assert result["posted"] == "posted from a browser form"
    assert s3.head_object(Bucket=bucket, Key="minio/posted")["ContentType"] == "text/plain"


def test_headers_retried_complete_parts_and_cors(sdk):
    run, _, _ = sdk
    result = run("semantics")
    assert result["head"] == {"CacheControl": "max-age=60", "ContentDisposition": "attachment", "ContentEncoding": "gzip",
                              "ContentLanguage": "de", "Expires": "2039-12-01T16:00:00.000Z"}
    first, retried = result["complete_etags"]
    assert first == retried and first.endswith('-2"')
    size = 5 * 1024 * 1024
    assert result["part"] == {"PartsCount": 2, "ContentRange": f"bytes {size}-{size + 4320}/{size + 4321}", "md5_ok": True}
    assert result["cors_rules"][0]["AllowedOrigins"] == ["https://app.example.com"]
    assert result["preflight"] == {"status": 200, "allow_origin": "https://app.example.com"}
    assert result["browser_get"] == {"status": 200, "allow_origin": "https://app.example.com", "body": "for the browser"}
    assert result["no_cors"]["status"] == 404 and result["no_cors"]["name"] == "NoSuchCORSConfiguration"
