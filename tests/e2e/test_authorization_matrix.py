"""The authorization matrix (issue 15), REST and S3: every entry point, called with every kind of wrong
credential (authz_support.py), is denied with the door's own code, names none of the victim project's
objects, and changes nothing. test_authorization_matrix_rpc.py does the same for the driver, DAS and
PostgreSQL doors.

Entry points are enumerated, not listed by hand: every operation of the OpenAPI document (docs/openapi.json,
checked equal to the server's live GET /openapi.json), with its access read from its documented "Requires ..."
sentence, and every operation declared in src/api/s3/operations.cpp (`Declare(S3Op::k..., "Name", ...)`).
Each door has a small explicit table of how to call an entry point (path parameters and bodies, a boto3 call
per operation); `test_*_matrix_covers_every_entry_point` fails when an entry point has no rule, so a new
route or operation cannot be added without joining the matrix. One server and one set of fixtures serve the
module; every refused write compares the admin's view of A and B with the one taken after the fixtures, and
test_nothing_changed_at_the_end does it once more after the refused reads.
"""

from __future__ import annotations

import functools
import json
import re
from urllib.parse import unquote

import boto3
import botocore.exceptions
import pytest
import requests
from botocore import UNSIGNED
from botocore.config import Config

from harness import expect_error, seg, unique_id
from s3util import REGION, s3_endpoint

from authz_support import (AUTHENTICATION_KINDS, KINDS, ROOT, World, assert_no_leak,  # noqa: F401  (fixtures)
                           unchanged, world)

OPENAPI = json.loads((ROOT / "docs" / "openapi.json").read_text())

# ---------------------------------------------------------------------------------------------------- REST

# Who may call an operation, from the first words of its documented description (the same words the docs
# promise). `None` means the operation is outside the key matrix (public, or handled by another door).
ACCESS_PHRASES = [
    ("Requires the admin key, a project_admin key of the project, or a branch_admin or branch_read key bound "
     "to the branch", "branch_read"),
    ("Requires the admin key, a project_admin key of the project, or a branch_admin key bound to the branch",
     "branch_write"),
    ("Requires the admin key or a project_admin key of the project", "project_admin"),
    ("Requires the admin key or any key of the project", "project_read"),
    ("Any key of the project", "project_read"),
    ("Requires read access to the project", "project_read"),
    ("Requires read access to the job's branch", "branch_read"),
    ("Requires write access to the job's branch", "branch_write"),
    ("Requires read access to the branch and write access to the target bucket", "branch_write"),
    ("Requires the admin key.", "server_admin"),
]
# Operations outside the phrases: public ones (the document's `security: []`), the caller asking about itself,
# the metrics scraper, and the driver door (whose matrix below runs over this route too).
SPECIAL_ACCESS = {"getWhoami": "any_key", "getMetrics": "server_admin", "executeDriverCommand": None}

PATH_VALUES = {
    "project_id": lambda w: w.a.id,
    "branch_id": lambda w: "default",
    "bucket": lambda w: "in.c-mx",
    "table": lambda w: "t",
    "column": lambda w: "name",
    "key_id": lambda w: w.victim_key_id,
    "file_id": lambda w: w.file["id"],
    "job_id": lambda w: w.job_id,
    "workspace_id": lambda w: "ws1",
    "object": lambda w: "t",
    "user": lambda w: w.ws_user,
    "pid": lambda w: "1",
}
# Bodies valid enough that a missing check would let the call succeed (and the test notice).
BODIES = {
    "createProject": lambda w: {"id": unique_id("mxnew")},
    "updateProject": lambda w: {"name": "pwned"},
    "createApiKey": lambda w: {"scope": "project_admin", "description": "pwned"},
    "createBucket": lambda w: {"name": "in.c-pwned"},
    "createTable": lambda w: {"name": "pwned", "columns": [{"name": "a", "type": "INTEGER"}]},
    "addColumn": lambda w: {"name": "pwned", "type": "INTEGER"},
    "alterColumn": lambda w: {"new_name": "pwned"},
    "addPrimaryKey": lambda w: {"columns": ["id", "name"]},
    "queryPreview": lambda w: {},
    "insertRows": lambda w: {"rows": [{"id": 99, "name": "pwned"}]},
    "deleteRows": lambda w: {},
    "createBranch": lambda w: {"name": "pwned", "id": "pwned"},
    "createWorkspace": lambda w: {"id": "pwned"},
    "clearWorkspace": lambda w: {},
    "loadTableToWorkspace": lambda w: {"source": {"bucket": "in.c-mx", "table": "t"}, "destination": "pwned"},
    "shareBucket": lambda w: {},
    "linkBucket": lambda w: {"source_project_id": w.b.id, "source_bucket": "in.c-mx"},
    "registerFile": lambda w: {"name": "pwned", "bucket": w.s3_bucket, "key": "named.txt"},
    "uploadFile": lambda w: b"pwned",
    "importTableFromFile": lambda w: {"file_id": w.file["id"], "import_type": "FULL"},
    "importTableFromTable": lambda w: {"source": {"bucket": "in.c-mx", "table": "t"}, "import_type": "FULL"},
    "exportTable": lambda w: {"key": "pwned.csv"},
    "restoreTable": lambda w: {"at": "2000-01-01T00:00:00Z"},
    "setRetention": lambda w: {"dataRetentionTimeInDays": 1},
}
QUERY = {"uploadFile": {"name": "pwned.csv"}}
WRITES = {"branch_write", "project_admin", "server_admin"}


def rest_operations() -> list[tuple[str, str, dict]]:
    out = []
    for path, item in OPENAPI["paths"].items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "patch", "head"):
                out.append((method.upper(), path, operation))
    return out


def access_of(operation: dict) -> str | None:
    if operation.get("security") == []:
        return None  # public
    if operation["operationId"] in SPECIAL_ACCESS:
        return SPECIAL_ACCESS[operation["operationId"]]
    text = operation.get("description", "")
    for phrase, access in ACCESS_PHRASES:
        if text.startswith(phrase):
            return access
    raise AssertionError(f"{operation['operationId']}: no access rule matches its description {text[:120]!r}")


def rest_expectation(method: str, path: str, access: str, kind: str) -> tuple[int, str] | None:
    """(status, code) the call must be refused with, or None when the kind does not apply."""
    if kind in AUTHENTICATION_KINDS:
        return 401, "unauthorized"
    if access == "any_key":
        return None
    if kind == "other_project":
        return 403, "forbidden"
    if kind == "read_only":
        return (403, "forbidden") if access in WRITES else None
    if kind == "other_branch":
        # A branch key reaches only its branch's data; project-wide reads take any key of the project.
        return (403, "forbidden") if access != "project_read" else None
    raise AssertionError(kind)


def rest_cases():
    for method, path, operation in rest_operations():
        try:
            access = access_of(operation)
        except AssertionError:
            access = "unknown"  # test_rest_matrix_covers_every_entry_point names it
        if access is None or access == "unknown":
            continue
        for kind in KINDS:
            expected = rest_expectation(method, path, access, kind)
            if expected:
                yield pytest.param(method, path, operation["operationId"], kind, expected,
                                   id=f"{method} {path} [{kind}]")


def fill(path: str, world: World) -> str:
    def value(match):
        name = match.group(1)
        assert name in PATH_VALUES, f"no sample value for path parameter {{{name}}} of {path}"
        return seg(PATH_VALUES[name](world))
    return re.sub(r"\{([^}]+)\}", value, path)


def test_rest_matrix_covers_every_entry_point(world):
    missing = []
    for method, path, operation in rest_operations():
        op_id = operation["operationId"]
        try:
            access = access_of(operation)
        except AssertionError as error:
            missing.append(str(error))
            continue
        if access is None:
            continue
        for name in re.findall(r"\{([^}]+)\}", path):
            if name not in PATH_VALUES:
                missing.append(f"{method} {path}: no sample value for {{{name}}}")
        if operation.get("requestBody", {}).get("required") and op_id not in BODIES:
            missing.append(f"{method} {path} ({op_id}): no sample body")
    assert not missing, "entry points the authorization matrix cannot call:\n" + "\n".join(missing)
    known = {op["operationId"] for _, _, op in rest_operations()}
    assert set(BODIES) <= known and set(SPECIAL_ACCESS) <= known, "rules for operations that no longer exist"
    live = world.server.client().call("GET", "/openapi.json")
    assert live["paths"] == OPENAPI["paths"], "the served document differs from docs/openapi.json"


@pytest.mark.parametrize("method,path,op_id,kind,expected", list(rest_cases()))
def test_rest_denied(world, method, path, op_id, kind, expected):
    client = world.server.client(world.token(kind))
    body = BODIES[op_id](world) if op_id in BODIES else None
    kwargs = {"data": body} if isinstance(body, bytes) else {"json": body}
    url = fill(path, world)
    response = client.request(method, url, params=QUERY.get(op_id), **kwargs)
    status, code = expected
    expect_error(response, status, code)
    if status == 401:
        assert response.headers.get("WWW-Authenticate") == "Bearer"
    assert_no_leak(response.text, world, sent=unquote(url) + json.dumps(body if isinstance(body, dict) else None))
    if method != "GET":
        world.assert_unchanged()


# ------------------------------------------------------------------------------------------------------ S3

S3_SOURCE = ROOT / "src" / "api" / "s3" / "operations.cpp"


@functools.cache
def s3_declared() -> dict[str, str]:
    """Operation name -> declared access, from the operation table."""
    text = S3_SOURCE.read_text()
    found = re.findall(r'Declare\(S3Op::k\w+,\s*"(\w+)",\s*Access::k(\w+)', text)
    assert found, f"no operations found in {S3_SOURCE}"
    return dict(found)


def _post_object(s3, w):
    post = s3.generate_presigned_post(w.s3_bucket, "posted/${filename}", ExpiresIn=300)
    response = requests.post(post["url"], data=post["fields"], files={"file": ("p.txt", b"pwned", "text/plain")},
                             timeout=30)
    raise_s3(response)


def raise_s3(response: requests.Response):
    """Turns a raw S3 answer into the ClientError boto3 would raise."""
    if response.status_code < 300:
        return
    import xml.etree.ElementTree as ET
    root = ET.fromstring(response.content)
    raise botocore.exceptions.ClientError(
        {"Error": {"Code": root.findtext("Code"), "Message": root.findtext("Message")},
         "ResponseMetadata": {"HTTPStatusCode": response.status_code}}, "raw")


CORS = {"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}
# How to call each operation on A's bucket with a boto3 client `s3`.
S3_CALLS = {
    "ListBuckets": lambda s3, w: s3.list_buckets(),
    "CreateBucket": lambda s3, w: s3.create_bucket(Bucket=unique_id("pwned")),
    "HeadBucket": lambda s3, w: s3.head_bucket(Bucket=w.s3_bucket),
    "DeleteBucket": lambda s3, w: s3.delete_bucket(Bucket=w.s3_bucket),
    "GetBucketLocation": lambda s3, w: s3.get_bucket_location(Bucket=w.s3_bucket),
    "GetBucketVersioning": lambda s3, w: s3.get_bucket_versioning(Bucket=w.s3_bucket),
    "ListObjectVersions": lambda s3, w: s3.list_object_versions(Bucket=w.s3_bucket),
    "ListObjects": lambda s3, w: s3.list_objects(Bucket=w.s3_bucket),
    "ListObjectsV2": lambda s3, w: s3.list_objects_v2(Bucket=w.s3_bucket),
    "DeleteObjects": lambda s3, w: s3.delete_objects(Bucket=w.s3_bucket, Delete={"Objects": [{"Key": "named.txt"}]}),
    "PutObject": lambda s3, w: s3.put_object(Bucket=w.s3_bucket, Key="named.txt", Body=b"pwned"),
    "CopyObject": lambda s3, w: s3.copy_object(Bucket=w.s3_bucket, Key="copy.txt",
                                               CopySource={"Bucket": w.s3_bucket, "Key": "named.txt"}),
    "GetObject": lambda s3, w: s3.get_object(Bucket=w.s3_bucket, Key="named.txt"),
    "HeadObject": lambda s3, w: s3.head_object(Bucket=w.s3_bucket, Key="named.txt"),
    "GetObjectAttributes": lambda s3, w: s3.get_object_attributes(Bucket=w.s3_bucket, Key="named.txt",
                                                                  ObjectAttributes=["ETag"]),
    "DeleteObject": lambda s3, w: s3.delete_object(Bucket=w.s3_bucket, Key="named.txt"),
    "PostObject": _post_object,
    "CreateMultipartUpload": lambda s3, w: s3.create_multipart_upload(Bucket=w.s3_bucket, Key="pwned.bin"),
    "UploadPart": lambda s3, w: s3.upload_part(Bucket=w.s3_bucket, Key="mp.bin", UploadId=w.upload_id,
                                               PartNumber=2, Body=b"q" * 100),
    "UploadPartCopy": lambda s3, w: s3.upload_part_copy(Bucket=w.s3_bucket, Key="mp.bin", UploadId=w.upload_id,
                                                        PartNumber=3,
                                                        CopySource={"Bucket": w.s3_bucket, "Key": "named.txt"}),
    "CompleteMultipartUpload": lambda s3, w: s3.complete_multipart_upload(
        Bucket=w.s3_bucket, Key="mp.bin", UploadId=w.upload_id, MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": '"' + "0" * 32 + '"'}]}),
    "AbortMultipartUpload": lambda s3, w: s3.abort_multipart_upload(Bucket=w.s3_bucket, Key="mp.bin",
                                                                    UploadId=w.upload_id),
    "ListParts": lambda s3, w: s3.list_parts(Bucket=w.s3_bucket, Key="mp.bin", UploadId=w.upload_id),
    "ListMultipartUploads": lambda s3, w: s3.list_multipart_uploads(Bucket=w.s3_bucket),
    "PutBucketCors": lambda s3, w: s3.put_bucket_cors(Bucket=w.s3_bucket, CORSConfiguration=CORS),
    "GetBucketCors": lambda s3, w: s3.get_bucket_cors(Bucket=w.s3_bucket),
    "DeleteBucketCors": lambda s3, w: s3.delete_bucket_cors(Bucket=w.s3_bucket),
    "PreflightCors": None,  # declared without credentials: test_s3_preflight_needs_no_key_and_leaks_nothing
}
S3_AUTHENTICATION_CODES = {"none": "AccessDenied", "malformed": "InvalidAccessKeyId",
                           "wrong_secret": "SignatureDoesNotMatch", "revoked": "InvalidAccessKeyId"}


def s3_expectation(name: str, access: str, kind: str) -> str | None:
    if kind in S3_AUTHENTICATION_CODES:
        return S3_AUTHENTICATION_CODES[kind]
    if name == "ListBuckets":
        return None  # lists the caller's own buckets: test_s3_list_buckets_shows_only_the_callers_buckets
    if name == "CreateBucket" and kind == "other_project":
        return None  # creates a bucket of the caller's own project
    if kind == "read_only" and access == "Read":
        return None
    return "AccessDenied"


def s3_boto(world: World, kind: str, signature: str = "s3v4"):
    """A boto3 client signing with the credential of `kind` (SigV4, or "s3" for SigV2; none: unsigned)."""
    token = world.token(kind)
    key_id, secret = (token.split(".", 1)[0], token) if token and "." in token else (token, token)
    credentials = {"aws_access_key_id": key_id, "aws_secret_access_key": secret} if token else {}
    return boto3.client("s3", endpoint_url=s3_endpoint(world.server), region_name=REGION, **credentials,
                        config=Config(signature_version=signature if token else UNSIGNED,
                                      s3={"addressing_style": "path"}, retries={"max_attempts": 1, "mode": "standard"}))


def s3_cases():
    for name, access in s3_declared().items():
        if S3_CALLS.get(name) is None:
            continue
        for kind in KINDS:
            expected = s3_expectation(name, access, kind)
            if expected:
                yield pytest.param(name, kind, expected, id=f"{name} [{kind}]")


def test_s3_matrix_covers_every_entry_point():
    declared = s3_declared()
    assert set(declared) == set(S3_CALLS), (
        f"operations without a call rule: {sorted(set(declared) - set(S3_CALLS))}; "
        f"rules for undeclared operations: {sorted(set(S3_CALLS) - set(declared))}")
    public = [n for n, call in S3_CALLS.items() if call is None]
    assert public == ["PreflightCors"]


@pytest.mark.parametrize("name,kind,expected", list(s3_cases()))
def test_s3_denied(world, name, kind, expected):
    s3 = s3_boto(world, kind)
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        S3_CALLS[name](s3, world)
    error = refused.value.response
    status = error["ResponseMetadata"]["HTTPStatusCode"]
    assert status == 403, error
    if name not in ("HeadBucket", "HeadObject"):  # a HEAD answer has no body to carry the code
        assert error["Error"]["Code"] == expected, error
    assert_no_leak(json.dumps(error, default=str), world)
    if s3_declared()[name] != "Read":
        world.assert_unchanged()


# The other ways to present an S3 credential (SigV2 headers, SigV4 and SigV2 presigned URLs) on a read and a
# write; the header SigV4 form runs over every operation above.
S3_OTHER_SIGNATURES = {
    "sigv2 header": lambda s3, w, op: S3_CALLS[op](s3, w),
    "presigned": lambda s3, w, op: raise_s3(requests.request(
        "GET" if op == "GetObject" else "PUT",
        s3.generate_presigned_url("get_object" if op == "GetObject" else "put_object",
                                  Params={"Bucket": w.s3_bucket, "Key": "named.txt"}, ExpiresIn=300),
        data=None if op == "GetObject" else b"pwned", timeout=30)),
}


def s3_other_signature_cases():
    for form in S3_OTHER_SIGNATURES:
        for signature in ("s3v4", "s3"):
            if form == "sigv2 header" and signature == "s3v4":
                continue
            for op in ("GetObject", "PutObject"):
                for kind in KINDS:
                    expected = s3_expectation(op, s3_declared()[op], kind)
                    if kind != "none" and expected:
                        yield pytest.param(form, signature, op, kind, expected,
                                           id=f"{op} {form} {'v4' if signature == 's3v4' else 'v2'} [{kind}]")


@pytest.mark.parametrize("form,signature,op,kind,expected", list(s3_other_signature_cases()))
def test_s3_other_signatures_denied(world, form, signature, op, kind, expected):
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        S3_OTHER_SIGNATURES[form](s3_boto(world, kind, signature), world, op)
    error = refused.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403 and error["Error"]["Code"] == expected, error
    assert_no_leak(json.dumps(error, default=str), world)
    if op != "GetObject":
        world.assert_unchanged()


def test_s3_list_buckets_shows_only_the_callers_buckets(world, unchanged):
    for kind in ("other_project",):
        listed = [b["Name"] for b in s3_boto(world, kind).list_buckets()["Buckets"]]
        assert world.s3_bucket not in listed and world.b_bucket in listed, listed


def test_s3_copy_sources_of_another_project_are_denied(world, unchanged):
    """B copying A's object into B's own bucket (the source needs read access)."""
    s3 = s3_boto(world, "other_project")
    source = {"Bucket": world.s3_bucket, "Key": "named.txt"}
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        s3.copy_object(Bucket=world.b_bucket, Key="stolen.txt", CopySource=source)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    upload = s3.create_multipart_upload(Bucket=world.b_bucket, Key="stolen.bin")["UploadId"]
    try:
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            s3.upload_part_copy(Bucket=world.b_bucket, Key="stolen.bin", UploadId=upload, PartNumber=1,
                                CopySource=source)
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
    finally:
        s3.abort_multipart_upload(Bucket=world.b_bucket, Key="stolen.bin", UploadId=upload)


def test_s3_preflight_needs_no_key_and_leaks_nothing(world, unchanged):
    response = requests.options(f"{s3_endpoint(world.server)}/{world.s3_bucket}/named.txt",
                                headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"},
                                timeout=30)
    assert response.status_code == 403, response.text  # A's bucket has no CORS rule allowing it
    assert_no_leak(response.text, world)


from authz_support import test_nothing_changed_at_the_end  # noqa: E402,F401  (runs last)
