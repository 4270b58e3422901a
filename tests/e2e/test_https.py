"""The HTTP door over TLS (`--http-tls`, `--http-tls-cert`/`--http-tls-key`): REST, the driver over HTTP and
S3 through the real clients with certificate verification on — requests, boto3 (aws-chunked trailers signed
and unsigned), the AWS SDK for JavaScript v3 with its default checksums (which it sends as aws-chunked
trailers), the aws CLI, and duckstore's own CLI (--ca-cert) — plus what must be refused: plaintext on the
TLS port, an unverifiable certificate, TLS 1.1."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import warnings

import pytest
import requests

from driver_client import Driver
from harness import Server, unique_id
from keboola.storage_driver import project_pb2
from s3util import AwsCli, checksum, client, run_js, s3_endpoint, sign, trailer_body

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def https_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("https")
    srv = Server(base / "data", base / "logs", extra_args=["--http-tls"]).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def https_project(https_server):
    project_id = unique_id("tls")
    key = https_server.admin().call("POST", "/projects", 201, json={"id": project_id})["api_key"]
    return project_id, key


def test_rest_and_driver_over_verified_tls(https_server, https_project):
    assert https_server.http_url.startswith("https://")
    cert = https_server.data_dir / "secrets" / "http-server.crt"
    key = https_server.data_dir / "secrets" / "http-server.key"
    assert cert.exists() and (key.stat().st_mode & 0o777) == 0o600
    project_id, token = https_project
    me = https_server.client(token).call("GET", "/whoami")
    assert me["key"]["project_id"] == project_id
    # The driver's HTTP transports (JSON and binary protobuf) answer over the same port.
    for transport in ("json", "binary"):
        admin = Driver(https_server, transport, https_server.admin_key)
        created_id = unique_id("tlsdrv")
        created = admin.execute(project_pb2.CreateProjectCommand(projectId=created_id)).response
        assert created.projectPassword
        admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=created_id))
    # Without the server's CA the certificate does not verify: no request is sent in clear or unverified.
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(https_server.http_url + "/health", timeout=10)


def test_plaintext_and_old_tls_are_refused(https_server):
    host, port = https_server.http_url.removeprefix("https://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = raw.recv(4096)
    assert not answer.startswith(b"HTTP/"), answer  # a TLS alert or nothing, never an HTTP answer
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.load_verify_locations(https_server.ca_cert)
    try:
        with warnings.catch_warnings():  # Python deprecates offering TLS 1.1; offering it is the point here
            warnings.simplefilter("ignore", DeprecationWarning)
            old.minimum_version = ssl.TLSVersion.TLSv1_1
            old.maximum_version = ssl.TLSVersion.TLSv1_1
    except (ValueError, ssl.SSLError):
        pytest.skip("this Python's OpenSSL cannot offer TLS 1.1")
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        with pytest.raises(ssl.SSLError):
            with old.wrap_socket(raw, server_hostname=host):
                pass


def test_boto3_objects_multipart_and_trailers(https_server, https_project):
    _, token = https_project
    s3 = client(https_server, token)
    bucket = unique_id("tls")
    s3.create_bucket(Bucket=bucket)
    data = os.urandom(300_000)
    s3.put_object(Bucket=bucket, Key="plain", Body=data, ChecksumAlgorithm="CRC32C")
    got = s3.get_object(Bucket=bucket, Key="plain", ChecksumMode="ENABLED")
    assert got["Body"].read() == data and got["ChecksumCRC32C"] == checksum("CRC32C", data)
    part = 5 * 1024 * 1024
    upload = s3.create_multipart_upload(Bucket=bucket, Key="parts")["UploadId"]
    etags = [s3.upload_part(Bucket=bucket, Key="parts", UploadId=upload, PartNumber=n, Body=body)["ETag"]
             for n, body in [(1, data * 18), (2, b"tail")]]
    s3.complete_multipart_upload(Bucket=bucket, Key="parts", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": n + 1, "ETag": e} for n, e in enumerate(etags)]})
    assert s3.get_object(Bucket=bucket, Key="parts")["Body"].read() == (data * 18)[:len(data) * 18] + b"tail"
    assert len(data) * 18 >= part

    # aws-chunked with trailing checksums, signed and unsigned, as SDKs send them over HTTPS.
    for mode, content_sha in [("signed", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"),
                              ("unsigned", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")]:
        url = f"{s3_endpoint(https_server)}/{bucket}/trailer-{mode}"
        headers = {"content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
                   "x-amz-trailer": "x-amz-checksum-crc32c", "x-amz-sdk-checksum-algorithm": "CRC32C"}
        signed = sign("PUT", url, token, headers=headers, payload_hash=content_sha)
        body = trailer_body(data, 64 * 1024, signed if mode == "signed" else None, "x-amz-checksum-crc32c",
                            checksum("CRC32C", data))
        put = requests.put(url, data=body, headers={**signed.headers, "content-length": str(len(body))},
                           verify=https_server.ca_cert, timeout=60)
        assert put.status_code == 200, put.text
        assert s3.get_object(Bucket=bucket, Key=f"trailer-{mode}")["Body"].read() == data


def test_aws_sdk_js_default_checksums_over_tls(https_server, https_project):
    _, token = https_project
    bucket = unique_id("tlsjs")
    client(https_server, token).create_bucket(Bucket=bucket)
    result = run_js("aws_sdk.cjs", "default_checksums", s3_endpoint(https_server), token, bucket,
                    ca_cert=https_server.ca_cert)
    assert result["buffer_md5"] == result["expected_md5"] == result["stream_md5"]
    data = bytes((i * 31 + 1) & 0xFF for i in range(100000))
    crc = checksum("CRC32", data)
    assert result["put"]["ChecksumCRC32"] == crc and result["streamed_put"]["ChecksumCRC32"] == crc
    assert result["get"] == {"ChecksumCRC32": crc, "ChecksumType": "FULL_OBJECT"}


def test_aws_cli_with_its_ca_bundle(https_server, https_project, tmp_path):
    _, token = https_project
    bucket = unique_id("tlscli")
    client(https_server, token).create_bucket(Bucket=bucket)
    cli = AwsCli(https_server, token, tmp_path)
    source = tmp_path / "file.bin"
    source.write_bytes(os.urandom(70_000))
    cli.run("s3", "cp", str(source), f"s3://{bucket}/file.bin", "--ca-bundle", https_server.ca_cert)
    back = tmp_path / "back.bin"
    cli.run("s3", "cp", f"s3://{bucket}/file.bin", str(back), "--ca-bundle", https_server.ca_cert)
    assert back.read_bytes() == source.read_bytes()


def test_duckstore_cli_verifies_the_server(https_server, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUCKSTORE_")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / ".config"),
               DUCKSTORE_URL=https_server.http_url, DUCKSTORE_API_KEY=https_server.admin_key)
    binary = os.environ.get("DUCKSTORE_BIN") or os.path.join(HERE, "..", "..", "build", "duckstore")
    ok = subprocess.run([binary, "--ca-cert", https_server.ca_cert, "-o", "json", "projects", "list"],
                        env=env, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip().startswith("[")
    refused = subprocess.run([binary, "projects", "list"], env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1
    assert "connection_failed" in refused.stderr and "certificate verify failed" in refused.stderr


def test_a_configured_certificate_is_served(tmp_path):
    cert, key = tmp_path / "server.crt", tmp_path / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=test",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    srv = Server(tmp_path / "data", tmp_path / "logs",
                 extra_args=["--http-tls-cert", str(cert), "--http-tls-key", str(key)]).start()
    try:
        assert srv.http_url.startswith("https://")
        response = requests.get(srv.http_url + "/health", verify=str(cert), timeout=10)
        assert response.status_code == 200
    finally:
        srv.stop()
    # A certificate that cannot be loaded stops the start with a message naming it.
    broken = Server(tmp_path / "data2", tmp_path / "logs2",
                    extra_args=["--http-tls-cert", str(tmp_path / "missing.crt"), "--http-tls-key", str(key)])
    with pytest.raises(Exception, match="missing.crt"):
        broken.start(timeout=30)
