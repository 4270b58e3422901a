"""The authorization matrix (issue 15): every entry point of every door, called with every kind of wrong
credential, is denied with the door's own code, names none of the victim project's objects, and changes
nothing.

Entry points are enumerated, not listed by hand:
- REST: every operation of the OpenAPI document (docs/openapi.json, checked equal to the server's live
  GET /openapi.json), with its access read from its documented "Requires ..." sentence;
- S3: every operation declared in src/api/s3/operations.cpp (`Declare(S3Op::k..., "Name", ...)`);
- driver: every command registered in src/api/driver/*.cpp (`registry.Add<...>` / `AddUnsupported<...>`);
- DAS: every RPC of the DAS proto services (the generated descriptors);
- PostgreSQL: the startup login, and a workspace user's statements on storage it was not granted.
Each door has a small explicit table of how to call an entry point (path parameters, bodies, boto3 calls,
request fields); `test_*_matrix_covers_every_entry_point` fails when an entry point has no rule, so a new
route, operation, command or RPC cannot be added without joining the matrix.

Credential kinds (the attacker is always project B, or a wrong key of the victim project A):
  none           no credential at all
  malformed      a string that is not a key
  wrong_secret   A's key id with a forged secret
  revoked        a revoked key of A
  other_project  B's project_admin key on A's objects
  read_only      A's branch_read key (default branch) on an entry point that writes
  other_branch   A's branch_admin key bound to dev branch `dev` on the default branch's objects
One server and one set of fixtures serve the whole module; every test compares the catalog-visible state of
A and B (listed by the admin key) before and after its call.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
from pathlib import Path

import boto3
import botocore.exceptions
import grpc
import pytest
import requests
from botocore import UNSIGNED
from botocore.config import Config

import das_support
from das_support import Das, key_metadata, options_for
from driver_client import Driver, DriverError
from harness import Project, Server, expect_error, seg, unique_id
from import_support import wait_job
from s3util import REGION, client as s3_client, s3_endpoint

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = json.loads((ROOT / "docs" / "openapi.json").read_text())
KINDS = ("none", "malformed", "wrong_secret", "revoked", "other_project", "read_only", "other_branch")
AUTHENTICATION_KINDS = ("none", "malformed", "wrong_secret", "revoked")
MARKER = unique_id("secret")  # in the names of A's objects that no request of the matrix ever names

# ----------------------------------------------------------------------------------------------- the world


class World:
    """Project A (the victim) with data behind every entry point, project B (the attacker), and the keys."""

    def __init__(self, server: Server):
        self.server = server
        self.admin = server.admin()  # one session each: the state is listed before and after every call
        self.admin_s3 = s3_client(server, server.admin_key)
        self.a = Project(server)
        self.b = Project(server)
        a = self.a
        a.create_bucket("in.c-mx")
        a.create_table("in.c-mx", "t", [{"name": "id", "type": "INTEGER"}, {"name": "name", "type": "VARCHAR"}],
                       primary_key=["id"])
        a.insert("in.c-mx", "t", [{"id": 1, "name": "one"}, {"id": 2, "name": "two"}])
        # Objects whose names no request carries: a denied answer must never contain them.
        self.secret_bucket = f"in.c-{MARKER}"
        self.secret_table = f"{MARKER}-table"
        a.create_bucket(self.secret_bucket)
        a.create_table(self.secret_bucket, self.secret_table, [{"name": "v", "type": "VARCHAR"}])
        a.insert(self.secret_bucket, self.secret_table, [{"v": MARKER}])
        a.client.call("POST", a.path + "/branches", 201, json={"name": "dev", "id": "dev"})
        self.file = a.client.call("POST", a.path + "/files", 201, data=b"id,name\n3,three\n",
                                  params={"name": f"{MARKER}.csv"})
        job = a.client.call("POST", a.table_path("in.c-mx", "t") + "/export", 202,
                            json={"key": f"{MARKER}-export.csv", "async": True})
        assert wait_job(a, job["id"])["status"] == "succeeded"
        self.job_id = job["id"]
        ws = a.client.call("POST", a.path + "/branches/default/workspaces", 201, json={"id": "ws1"})
        self.ws_user, self.ws_password = ws["credentials"]["user"], ws["credentials"]["password"]
        a.client.call("POST", a.path + "/branches/default/workspaces/ws1/load", 200,
                      json={"source": {"bucket": "in.c-mx", "table": "t"}, "destination": "t"})
        # Keys of A.
        self.read_key = a.create_key("branch_read", branch_id="default")["api_key"]
        self.dev_key = a.create_key("branch_admin", branch_id="dev")["api_key"]
        self.victim_key_id = a.create_key("branch_read", branch_id="default")["id"]  # what key routes name
        revoked = a.create_key("project_admin")
        a.client.call("DELETE", f"{a.path}/api-keys/{revoked['id']}", 204)
        self.revoked_key = revoked["api_key"]
        # S3: a bucket of A with an object and an upload in progress; a bucket of B.
        self.s3_bucket = unique_id("mx")
        self.s3_key = f"{MARKER}-object.txt"
        s3 = s3_client(server, a.key)
        s3.create_bucket(Bucket=self.s3_bucket)
        s3.put_object(Bucket=self.s3_bucket, Key=self.s3_key, Body=b"A's object")
        s3.put_object(Bucket=self.s3_bucket, Key="named.txt", Body=b"named object")
        self.upload_id = s3.create_multipart_upload(Bucket=self.s3_bucket, Key="mp.bin")["UploadId"]
        s3.upload_part(Bucket=self.s3_bucket, Key="mp.bin", UploadId=self.upload_id, PartNumber=1, Body=b"p" * 100)
        self.b_bucket = unique_id("mxb")
        s3_client(server, self.b.key).create_bucket(Bucket=self.b_bucket)
        # DAS: A's registration under a readable id (every call must carry a key allowed on it).
        das = Das(server, key=a.key)
        self.das_id = das.register(options_for(a), das_id=f"mx-das-{MARKER[-12:]}")
        self.das_table = next(name for name in das.definitions() if name.endswith("__t"))
        das.close()
        self.baseline = self.state()

    def token(self, kind: str) -> str | None:
        """The credential of `kind` (None: send none)."""
        key_id = self.a.key.split(".", 1)[0]
        return {"none": None, "malformed": "not-a-key", "wrong_secret": key_id + "." + "0" * 64,
                "revoked": self.revoked_key, "other_project": self.b.key, "read_only": self.read_key,
                "other_branch": self.dev_key}[kind]

    def assert_unchanged(self) -> None:
        assert self.state() == self.baseline, "a denied call changed the catalog-visible state"

    def state(self) -> dict:
        """What the admin key sees of A and B (and of the server's projects and S3 buckets)."""
        admin = self.admin
        out = {"projects": sorted(p["id"] for p in admin.call("GET", "/projects", params={"limit": 1000})["projects"])}
        for project in (self.a, self.b):
            base = project.path
            got = admin.call("GET", base)
            view = {"project": {k: got.get(k) for k in ("id", "name", "settings")},
                    "keys": sorted(k["id"] for k in admin.call("GET", base + "/api-keys")["api_keys"]),
                    "files": sorted(f["id"] for f in admin.call("GET", base + "/files")["files"]),
                    "jobs": sorted((j["id"], j["status"]) for j in admin.call("GET", base + "/jobs")["jobs"]),
                    "retention": admin.call("GET", base + "/retention"),
                    "grants": admin.call("GET", base + "/readonly-grants"),
                    "branches": sorted(b["id"] for b in admin.call("GET", base + "/branches")["branches"])}
            for branch in view["branches"]:
                bpath = f"{base}/branches/{seg(branch)}"
                buckets = {}
                for bucket in admin.call("GET", bpath + "/buckets")["buckets"]:
                    tables = {}
                    for table in admin.call("GET", f"{bpath}/buckets/{seg(bucket['name'])}/tables")["tables"]:
                        tpath = f"{bpath}/buckets/{seg(bucket['name'])}/tables/{seg(table['name'])}"
                        tables[table["name"]] = {
                            "columns": [(c["name"], c["type"]) for c in table["columns"]],
                            "primary_key": table.get("primary_key"),
                            "rows": admin.call("POST", tpath + "/preview", json={})["rows"]}
                    buckets[bucket["name"]] = {"tables": tables, "share": bucket.get("sharing")}
                view[f"branch {branch}"] = buckets
                view[f"workspaces {branch}"] = sorted(
                    (w["id"], tuple(sorted(u["user"] if isinstance(u, dict) else u for u in w.get("users", []))))
                    for w in admin.call("GET", bpath + "/workspaces")["workspaces"])
            out[project.id] = view
        s3 = self.admin_s3
        out["s3 buckets"] = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
        for bucket in (self.s3_bucket, self.b_bucket):
            listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
            out[f"s3 {bucket}"] = sorted((o["Key"], o["ETag"]) for o in listed)
            out[f"s3 uploads {bucket}"] = sorted(
                (u["Key"], u["UploadId"]) for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []))
        out["s3 cors"] = cors_of(s3, self.s3_bucket)
        return out


def cors_of(s3, bucket: str):
    try:
        return s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    except botocore.exceptions.ClientError as error:
        return error.response["Error"]["Code"]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    base = tmp_path_factory.mktemp("authz")
    server = Server(base / "data", base / "logs").start()
    yield World(server)
    assert server.stop() == 0, server.tail()


@pytest.fixture
def unchanged(world):
    """Asserts after the test that nothing the admin can see has changed since the module's fixtures were made.
    Every refused write checks it at once; refused reads are covered by test_nothing_changed_at_the_end."""
    yield
    world.assert_unchanged()


def assert_no_leak(text: str, world: World) -> None:
    for name in (MARKER, world.secret_bucket, world.secret_table, world.file["id"], world.s3_key, world.ws_user):
        assert name not in text, f"the answer names A's object {name!r}: {text[:1000]}"


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
    response = client.request(method, fill(path, world), params=QUERY.get(op_id), **kwargs)
    status, code = expected
    expect_error(response, status, code)
    if status == 401:
        assert response.headers.get("WWW-Authenticate") == "Bearer"
    assert_no_leak(response.text, world)
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


def _preflight(s3, w):
    raise AssertionError("PreflightCors takes no credentials; see test_s3_preflight_needs_no_key_and_leaks_nothing")


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


# -------------------------------------------------------------------------------------------------- driver

DRIVER_SOURCES = ROOT / "src" / "api" / "driver"
DRIVER_PACKAGE = "keboola.storageDriver.command."


@functools.cache
def driver_declared() -> dict[str, str]:
    """Command message name -> declared access ('Unsupported' for AddUnsupported)."""
    out = {}
    for source in sorted(DRIVER_SOURCES.glob("*.cpp")):
        text = source.read_text()
        for match in re.finditer(r"registry\.Add(Unsupported)?<\w+::(\w+)>\(\s*(?:Access::k(\w+))?", text):
            unsupported, name, access = match.groups()
            out[name] = "Unsupported" if unsupported else access
    assert out, "no driver commands found"
    assert all(out.values()), f"commands whose access the matrix could not read: {out}"
    return out


def driver_message(name: str):
    """An empty command message of that name, from the generated stubs (the driver contract's protos)."""
    from google.protobuf import symbol_database
    pool = symbol_database.Default().pool
    for package in ("backend", "bucket", "executeQuery", "info", "project", "table", "workspace"):
        try:
            return symbol_database.Default().GetPrototype(pool.FindMessageTypeByName(
                f"{DRIVER_PACKAGE}{package}.{name}"))()
        except KeyError:
            continue
    raise AssertionError(f"driver command {name} is not in the driver protos")


# Fields to fill so that a command names A's objects (the rest stay empty: authorization comes first).
def driver_command(name: str, world: World):
    command = driver_message(name)
    fields = {f.name for f in command.DESCRIPTOR.fields}
    if "path" in fields:
        command.path.extend(["in.c-mx"])
    if "tableName" in fields:
        command.tableName = "t"
    if "bucketId" in fields:
        command.bucketId = "in.c-mx"
    return command


def driver_expectation(access: str, kind: str) -> tuple[str, str] | None:
    """(gRPC status, duckstore error code or '' for any) of the refusal."""
    if kind in AUTHENTICATION_KINDS:
        return "UNAUTHENTICATED", ""
    if access == "Unsupported":
        return "UNIMPLEMENTED", "command_not_supported"  # refused after authentication, touches nothing
    if kind == "read_only" and access == "Read":
        return None
    return "PERMISSION_DENIED", ""


# The other wire forms (POST /driver/execute, JSON and binary protobuf) reach the same dispatcher: each kind of
# credential is tried on them with one command of each access.
OTHER_TRANSPORT_COMMANDS = ("PreviewTableCommand", "DropTableCommand", "CreateProjectCommand",
                            "CreateDevBranchCommand")


def driver_cases():
    declared = driver_declared()
    for name, access in declared.items():
        for kind in KINDS:
            expected = driver_expectation(access, kind)
            if not expected:
                continue
            transports = ["grpc"]
            if name in OTHER_TRANSPORT_COMMANDS:
                transports += ["json", "binary"]
            for transport in transports:
                yield pytest.param(name, kind, transport, expected, id=f"{name} [{kind}] {transport}")


def test_driver_matrix_covers_every_entry_point(world):
    declared = driver_declared()
    for name in declared:
        driver_message(name)  # every command has a message to send
    assert set(OTHER_TRANSPORT_COMMANDS) <= set(declared)


@pytest.mark.parametrize("name,kind,transport,expected", list(driver_cases()))
def test_driver_denied(world, name, kind, transport, expected):
    driver = Driver(world.server, transport, world.token(kind), world.a.id)
    request = driver.request(driver_command(name, world), credentials=kind != "none")
    with pytest.raises(DriverError) as refused:
        driver.send(request)
    status, reason = expected
    assert refused.value.status == status, refused.value
    if reason:
        assert refused.value.reason == reason, refused.value
    assert_no_leak(str(refused.value) + json.dumps(refused.value.details), world)
    if driver_declared()[name] != "Read":
        world.assert_unchanged()


# ----------------------------------------------------------------------------------------------------- DAS

# Per RPC: the request, filled from A's registration. Register and the health check are tested apart.
DAS_WRITES = {"InsertTable", "BulkInsertTable", "UpdateTable", "DeleteTable", "Unregister"}


@functools.cache
def das_methods() -> list[tuple[str, object]]:
    """(Service/Method, method descriptor) of every RPC of the DAS proto services."""
    from com.rawlabs.protocol.das.v1.services import (functions_service_pb2, health_service_pb2,
                                                       registration_service_pb2, tables_service_pb2)
    out = []
    for module in (functions_service_pb2, health_service_pb2, registration_service_pb2, tables_service_pb2):
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                out.append((f"{service.name}/{method.name}", method))
    return out


def das_request(method, world: World):
    from google.protobuf import symbol_database
    message = symbol_database.Default().GetPrototype(method.input_type)()
    fields = {f.name for f in message.DESCRIPTOR.fields}
    if method.input_type.full_name.endswith(".DASId"):
        message.id = world.das_id
    if "das_id" in fields:
        message.das_id.id = world.das_id
    if "table_id" in fields:
        message.table_id.name = world.das_table
    if "row" in fields:
        message.row.CopyFrom(das_support.das_row({"id": 99, "name": "pwned"}))
    if "rows" in fields:
        message.rows.append(das_support.das_row({"id": 98, "name": "pwned"}))
    if "row_id" in fields:
        message.row_id.CopyFrom(das_support.value(1))
    if "new_row" in fields:
        message.new_row.CopyFrom(das_support.das_row({"id": 1, "name": "pwned"}))
    if "query" in fields:
        message.query.columns.extend(["id", "name"])
    if "function_id" in fields:
        message.function_id.name = "none"
    return message


def das_call(world: World, full_name: str, method, request, metadata):
    channel = grpc.insecure_channel(world.server.grpc_address)
    try:
        path = f"/{method.containing_service.full_name}/{method.name}"
        from google.protobuf import symbol_database
        response_type = symbol_database.Default().GetPrototype(method.output_type)
        if method.server_streaming:
            call = channel.unary_stream(path, request_serializer=type(request).SerializeToString,
                                        response_deserializer=response_type.FromString)
            return list(call(request, metadata=metadata, timeout=30))
        call = channel.unary_unary(path, request_serializer=type(request).SerializeToString,
                                   response_deserializer=response_type.FromString)
        return call(request, metadata=metadata, timeout=30)
    finally:
        channel.close()


def das_expectation(rpc: str, kind: str) -> grpc.StatusCode | None:
    if kind in AUTHENTICATION_KINDS:
        return grpc.StatusCode.UNAUTHENTICATED
    if kind == "read_only" and rpc.split("/")[1] not in DAS_WRITES:
        return None
    return grpc.StatusCode.PERMISSION_DENIED


DAS_SPECIAL = {"HealthCheckService/Check", "RegistrationService/Register"}


def das_cases():
    for rpc, _ in das_methods():
        if rpc in DAS_SPECIAL:
            continue
        for kind in KINDS:
            expected = das_expectation(rpc, kind)
            if expected:
                yield pytest.param(rpc, kind, expected, id=f"{rpc} [{kind}]")


def test_das_matrix_covers_every_entry_point(world):
    from google.protobuf import symbol_database
    declared_fields = {"das_id", "table_id", "row", "rows", "row_id", "new_row", "query", "function_id",
                       "sort_keys", "quals", "columns", "plan_id", "max_batch_size_bytes", "env", "args",
                       "definition", "id"}
    for rpc, method in das_methods():
        fields = {f.name for f in symbol_database.Default().GetPrototype(method.input_type).DESCRIPTOR.fields}
        assert fields <= declared_fields, f"{rpc} has request fields the matrix does not fill: {fields - declared_fields}"
        if rpc not in DAS_SPECIAL:
            assert "das_id" in fields or method.input_type.full_name.endswith(".DASId"), rpc


@pytest.mark.parametrize("rpc,kind,expected", list(das_cases()))
def test_das_denied(world, rpc, kind, expected):
    method = dict(das_methods())[rpc]
    token = world.token(kind)
    metadata = key_metadata(token) if token else None
    with pytest.raises(grpc.RpcError) as refused:
        das_call(world, rpc, method, das_request(method, world), metadata)
    assert refused.value.code() == expected, refused.value
    assert_no_leak(refused.value.details() or "", world)
    if rpc.split("/")[1] in DAS_WRITES:
        world.assert_unchanged()


# A branch_read key may register: Register needs read access.
@pytest.mark.parametrize("kind", [k for k in KINDS if k != "read_only"])
def test_das_register_with_a_wrong_key_is_denied(world, unchanged, kind):
    """Register's credential is the definition's api_key; it must be allowed to read A's default branch."""
    options = {"project_id": world.a.id, "api_key": world.token(kind) or ""}
    das = Das(world.server)
    try:
        with pytest.raises(grpc.RpcError) as refused:
            das.register(options, das_id=unique_id("mx-reg"))
        expected = {"none": grpc.StatusCode.INVALID_ARGUMENT}.get(
            kind, grpc.StatusCode.UNAUTHENTICATED if kind in AUTHENTICATION_KINDS else grpc.StatusCode.PERMISSION_DENIED)
        assert refused.value.code() == expected, refused.value
        assert_no_leak(refused.value.details() or "", world)
    finally:
        das.close()


def test_das_health_needs_no_key(world):
    assert Das(world.server).check() is not None


# ---------------------------------------------------------------------------------------------- PostgreSQL

JAR = Path("/usr/share/java/postgresql.jar")
PG_CHECK = Path(__file__).parent / "java" / "PgLoginCheck.java"


@pytest.fixture(scope="module")
def pg_logins(world, tmp_path_factory):
    """Runs every refused login of the matrix once through pgjdbc (which reports the SQLSTATE; libpq does
    not): kind -> (user, "SQLSTATE message"). Fewer than the 10 failures per minute that turn 28P01 into
    28000 for the source address."""
    a, b = world.a, world.b
    ws = b.client.call("POST", b.path + "/branches/default/workspaces", 201, json={"id": "wsb"})
    base = a.path + "/branches/default/workspaces/ws1/users"
    dropped = a.client.call("POST", base, 201)
    a.client.call("DELETE", f"{base}/{dropped['user']}", 204)
    logins = {
        "malformed": ("not-a-user", "x"),
        "wrong_secret": (world.ws_user, "0" * 32),
        "revoked": (dropped["user"], dropped["password"]),  # a dropped workspace user
        "other_project": (ws["credentials"]["user"], ws["credentials"]["password"]),  # B's user, A's workspace
    }
    classes = tmp_path_factory.mktemp("pgjdbc")
    subprocess.run(["javac", "-cp", str(JAR), "-d", str(classes), str(PG_CHECK)], check=True, timeout=300)
    url = f"jdbc:postgresql://{world.server.pg_host}:{world.server.pg_port}/ws1?sslmode=disable"
    args = [x for pair in logins.values() for x in pair]
    out = subprocess.run(["java", "-cp", f"{classes}:{JAR}", "PgLoginCheck", url, *args],
                         capture_output=True, text=True, timeout=300)
    lines = out.stdout.strip().splitlines()
    assert out.returncode == 0 and len(lines) == len(logins), out.stdout + out.stderr
    world.baseline = world.state()  # B's workspace is new
    return {kind: (user, line) for (kind, (user, _)), line in zip(logins.items(), lines)}


# "none" is not sendable: libpq and pgjdbc refuse an empty password for SCRAM before sending anything.
@pytest.mark.parametrize("kind", ["malformed", "wrong_secret", "revoked", "other_project"])
def test_pg_login_denied(world, pg_logins, unchanged, kind):
    user, answer = pg_logins[kind]
    assert answer.startswith("28P01 "), answer
    assert f'password authentication failed for user "{user}"' in answer, answer
    assert world.ws_password not in answer
    assert_no_leak(answer.replace(world.ws_user, ""), world)  # the user name sent is echoed, nothing else


def test_nothing_changed_at_the_end(world):
    """Every refused call of the module, reads included, left the state as the fixtures made it."""
    world.assert_unchanged()


# A workspace user reaches its workspace only: the project's storage (its own project's, not granted to it),
# the instance's catalog functions and the filesystem are refused, reads and writes alike.
OUT_OF_SCOPE_SQL = {
    "storage read": 'SELECT * FROM project."in.c-mx".t',
    "storage read, unqualified": 'SELECT * FROM "in.c-mx".t',
    "secret bucket": f'SELECT * FROM project."in.c-{MARKER}"."{MARKER}-table"',
    "storage write": "INSERT INTO project.\"in.c-mx\".t VALUES (99, 'pwned')",
    "storage DDL": 'DROP TABLE project."in.c-mx".t',
    "instance catalog": "SELECT * FROM duckdb_tables()",
    "attach": "ATTACH '/etc/hostname' AS stolen",
    "copy to a path": "COPY (SELECT 1) TO '/tmp/pwned.csv'",
}


@pytest.mark.parametrize("what", sorted(OUT_OF_SCOPE_SQL))
def test_pg_workspace_user_cannot_reach_storage_it_was_not_granted(world, what):
    import psycopg2
    conn = psycopg2.connect(host=world.server.pg_host, port=world.server.pg_port, user=world.ws_user,
                            password=world.ws_password, dbname="ws1", connect_timeout=10, sslmode="disable")
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM t")  # its own workspace answers
            assert cursor.fetchone() == (2,)
        conn.rollback()
        with pytest.raises(psycopg2.Error) as refused, conn.cursor() as cursor:
            cursor.execute(OUT_OF_SCOPE_SQL[what])
        assert refused.value.pgcode == "42501", (refused.value.pgcode, str(refused.value))
        text = str(refused.value)
        if what == "secret bucket":
            text = text.replace(OUT_OF_SCOPE_SQL[what].split("FROM ")[1].replace('"', ""), "")  # its own words
        assert_no_leak(text, world)
    finally:
        conn.close()
    world.assert_unchanged()
