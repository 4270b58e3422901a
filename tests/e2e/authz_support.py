"""The world of the authorization matrix (test_authorization_matrix*.py, issue 15): a server, project A (the
victim) with data behind every entry point, project B (the attacker), the credential of each kind, and the
admin's view of A and B that a refused call must leave unchanged.

Credential kinds (the attacker is always project B, or a wrong key of the victim project A):
  none           no credential at all
  malformed      a string that is not a key
  wrong_secret   A's key id with a forged secret
  revoked        a revoked key of A
  other_project  B's project_admin key on A's objects
  read_only      A's branch_read key (default branch) on an entry point that writes
  other_branch   A's branch_admin key bound to dev branch `dev` on the default branch's objects
"""

from __future__ import annotations

from pathlib import Path

import botocore.exceptions
import pytest

from das_support import Das, options_for
from harness import Project, Server, seg, unique_id
from import_support import wait_job
from s3util import client as s3_client

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("none", "malformed", "wrong_secret", "revoked", "other_project", "read_only", "other_branch")
AUTHENTICATION_KINDS = ("none", "malformed", "wrong_secret", "revoked")
MARKER = unique_id("secret")  # in the names of A's objects that no request of the matrix ever names

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


def assert_no_leak(text: str, world: World, sent: str = "") -> None:
    """`text` (an answer) names none of A's objects, except those the request itself named (`sent`)."""
    for name in (MARKER, world.secret_bucket, world.secret_table, world.file["id"], world.s3_key, world.ws_user):
        if name not in sent:
            assert name not in text, f"the answer names A's object {name!r}: {text[:1000]}"



def test_nothing_changed_at_the_end(world):
    """Every refused call of the module, reads included, left the state as the fixtures made it (imported
    last by each matrix module, so it runs after its other tests)."""
    world.assert_unchanged()
