"""Helpers for the S3 suites: boto3 clients, the aws CLI in an isolated environment, and an independent
SigV4 signer (for requests boto3 will not make: skewed clocks, aws-chunked streaming uploads)."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

REGION = "us-east-1"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def s3_endpoint(server) -> str:
    return server.http_url + "/s3"


def key_pair(token: str) -> tuple[str, str]:
    """(access key id, secret access key) of an API key: its id, and the whole key."""
    return token.split(".", 1)[0], token


def client(server, token: str, endpoint: str | None = None, addressing: str = "path"):
    key_id, secret = key_pair(token)
    return boto3.client(
        "s3",
        endpoint_url=endpoint or s3_endpoint(server),
        verify=server.ca_cert,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        region_name=REGION,
        config=Config(signature_version="s3v4", s3={"addressing_style": addressing},
                      retries={"max_attempts": 1, "mode": "standard"}),
    )


class AwsCli:
    """Runs `aws` with only the given credentials: no config or credentials of the machine leak in."""

    def __init__(self, server, token: str, workdir: Path):
        self.server = server
        workdir.mkdir(parents=True, exist_ok=True)
        config = workdir / "aws-config"
        # SigV4 for presigned URLs too (aws-cli v1 presigns with SigV2 unless told otherwise).
        config.write_text("[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n"
                          "  signature_version = s3v4\n")
        credentials = workdir / "aws-credentials"
        credentials.write_text("")
        key_id, secret = key_pair(token)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update({
            "AWS_ACCESS_KEY_ID": key_id,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
            "AWS_EC2_METADATA_DISABLED": "true",
        })
        self.binary = shutil.which("aws")
        assert self.binary, "the aws CLI is not installed"

    def run(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        command = [self.binary, "--endpoint-url", s3_endpoint(self.server), *args]
        result = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


class Signed:
    """A request signed with SigV4 by this module's own signer."""

    def __init__(self, headers: dict, signature: str, signing_key: bytes, amz_date: str, scope: str):
        self.headers = headers
        self.signature = signature
        self.signing_key = signing_key
        self.amz_date = amz_date
        self.scope = scope


def sign(method: str, url: str, token: str, *, headers: dict | None = None, payload_hash: str = EMPTY_SHA256,
         when: datetime.datetime | None = None, secret: str | None = None) -> Signed:
    key_id, real_secret = key_pair(token)
    secret = secret if secret is not None else real_secret
    when = when or datetime.datetime.now(datetime.timezone.utc)
    parts = urlsplit(url)
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    all_headers = {k.lower(): str(v) for k, v in (headers or {}).items()}
    all_headers.update({"host": parts.netloc, "x-amz-date": amz_date, "x-amz-content-sha256": payload_hash})
    names = sorted(all_headers)
    query = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~"))
                   for k, v in parse_qsl(parts.query, keep_blank_values=True))
    canonical = "\n".join([
        method,
        quote(unquote(parts.path), safe="/-_.~"),
        "&".join(f"{k}={v}" for k, v in query),
        "".join(f"{n}:{all_headers[n].strip()}\n" for n in names),
        ";".join(names),
        payload_hash,
    ])
    scope = f"{date}/{REGION}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret).encode(), date), REGION), "s3"), "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    all_headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={key_id}/{scope}, "
                                    f"SignedHeaders={';'.join(names)}, Signature={signature}")
    return Signed(all_headers, signature, key, amz_date, scope)


def chunked_body(data: bytes, chunk_size: int, signed: Signed, corrupt_chunk: int | None = None) -> bytes:
    """The aws-chunked encoding of `data` with chained chunk signatures (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)."""
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)] + [b""]
    previous = signed.signature
    out = bytearray()
    for index, chunk in enumerate(chunks):
        to_sign = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", signed.amz_date, signed.scope, previous, EMPTY_SHA256,
                             hashlib.sha256(chunk).hexdigest()])
        signature = hmac.new(signed.signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
        previous = signature
        if index == corrupt_chunk:
            signature = "0" * 64
        out += f"{len(chunk):x};chunk-signature={signature}\r\n".encode() + chunk + b"\r\n"
    return bytes(out)


def streaming_chunked_headers(data: bytes, chunk_size: int) -> tuple[dict, int]:
    """Headers to sign for a streaming upload of `data` and the encoded body's length."""
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)] + [b""]
    length = sum(len(f"{len(c):x};chunk-signature=".encode()) + 64 + 2 + len(c) + 2 for c in chunks)
    return {"content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
            "content-length": str(length)}, length


def with_headers(s3, operation: str, headers: dict):
    """Makes `s3`'s `operation` calls (e.g. "PutObject") carry `headers` too, signed with the rest: Debian's
    boto3 predates parameters such as IfNoneMatch, IfMatch and ChecksumType. Returns `s3`."""
    def add(request, **_):
        for name, value in headers.items():  # botocore's HTTPHeaders is an email Message: no update()
            del request.headers[name]
            request.headers[name] = value
    s3.meta.events.register(f"before-sign.s3.{operation}", add)
    return s3


def refusal(call) -> tuple[str, int]:
    """(S3 error code, HTTP status) of a boto3 call that must fail."""
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        call()
    error = refused.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]


def error_code(response) -> str:
    """The <Code> of an S3 error document."""
    import xml.etree.ElementTree as ET
    root = ET.fromstring(response.content)
    assert root.tag == "Error", response.text
    return root.findtext("Code")


def _reflected_table(polynomial: int) -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ polynomial if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C_TABLE = _reflected_table(0x82F63B78)
_CRC64NVME_TABLE = _reflected_table(0x9A6C9329AC4BC9B5)


def _reflected_crc(data: bytes, table: list[int], mask: int) -> int:
    crc = mask
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ mask


def checksum(algorithm: str, data: bytes) -> str:
    """The base64 S3 checksum of `data` (an independent implementation: zlib, hashlib and table CRCs)."""
    import base64
    import zlib
    algorithm = algorithm.upper()
    if algorithm == "CRC32":
        raw = (zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big")
    elif algorithm == "CRC32C":
        raw = _reflected_crc(data, _CRC32C_TABLE, 0xFFFFFFFF).to_bytes(4, "big")
    elif algorithm == "CRC64NVME":
        raw = _reflected_crc(data, _CRC64NVME_TABLE, 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")
    else:
        raw = hashlib.new(algorithm.lower(), data).digest()
    return base64.b64encode(raw).decode()


def composite_checksum(algorithm: str, parts: list[bytes]) -> str:
    """S3's COMPOSITE multipart checksum: the checksum of the parts' raw checksums, "-<count>"."""
    import base64
    raw = b"".join(base64.b64decode(checksum(algorithm, part)) for part in parts)
    return f"{checksum(algorithm, raw)}-{len(parts)}"


REPO = Path(__file__).resolve().parents[2]


def run_js(script: str, scenario: str, endpoint: str, token: str, bucket: str, timeout: float = 300,
           ca_cert: str | None = None) -> dict:
    """Runs a scenario of tests/e2e/js/<script> with the pinned npm clients (scripts/bootstrap.sh installs
    them into .deps/e2e-js) and returns the JSON it printed. `ca_cert`: a CA file node trusts besides its
    own (an HTTPS server's self-signed certificate)."""
    import json
    modules = REPO / ".deps" / "e2e-js" / "node_modules"
    assert modules.is_dir(), f"{modules} is missing: run scripts/bootstrap.sh"
    key_id, secret = key_pair(token)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, "NODE_PATH": str(modules),
           "S3_ENDPOINT": endpoint, "S3_ACCESS_KEY_ID": key_id, "S3_SECRET": secret, "S3_BUCKET": bucket}
    if ca_cert:
        env["NODE_EXTRA_CA_CERTS"] = ca_cert
    result = subprocess.run(["node", str(REPO / "tests" / "e2e" / "js" / script), scenario], env=env,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{script} {scenario} failed:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def trailer_body(data: bytes, chunk_size: int, signed: Signed | None, trailer_name: str, trailer_value: str,
                 bad_trailer_signature: bool = False) -> bytes:
    """The aws-chunked encoding of `data` with a trailing checksum header: chunk-signed and trailer-signed
    (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER) when `signed` is given, else unsigned
    (STREAMING-UNSIGNED-PAYLOAD-TRAILER), as the AWS SDKs write them."""
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)] + [b""]
    out = bytearray()
    previous = signed.signature if signed else ""
    for chunk in chunks:
        if signed:
            to_sign = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", signed.amz_date, signed.scope, previous, EMPTY_SHA256,
                                 hashlib.sha256(chunk).hexdigest()])
            previous = hmac.new(signed.signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
            out += f"{len(chunk):x};chunk-signature={previous}\r\n".encode()
        else:
            out += f"{len(chunk):x}\r\n".encode()
        out += chunk + b"\r\n" if chunk else b""
    canonical = f"{trailer_name}:{trailer_value}\n"
    out += canonical.replace("\n", "\r\n").encode()
    if signed:
        to_sign = "\n".join(["AWS4-HMAC-SHA256-TRAILER", signed.amz_date, signed.scope, previous,
                             hashlib.sha256(canonical.encode()).hexdigest()])
        signature = hmac.new(signed.signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
        if bad_trailer_signature:
            signature = "0" * 64
        out += f"x-amz-trailer-signature:{signature}\r\n".encode()
    out += b"\r\n"
    return bytes(out)
