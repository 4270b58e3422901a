"""GET /metrics: who may read it, the request metrics every door reports (REST route templates, S3
operations, driver commands, DAS RPCs, errors by stable code, bytes), process metrics, the OpenMetrics
variant, and the output checked by `promtool check metrics` (Debian's prometheus package)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time

import botocore.exceptions
import grpc
import pytest

from das_support import Das, options_for
from driver_client import Driver
from harness import Server, expect_error, unique_id
from keboola.storage_driver import backend_pb2
from s3util import client as s3_client

TOKEN = "scraper-token-0123456789"
SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$')


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    """Samples of an exposition as {(name, frozenset of (label, value)): value}."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE_RE.match(line)
        assert m, f"unparseable sample line: {line!r}"
        labels = frozenset(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        samples[(m.group(1), labels)] = float(m.group(3))
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def metered(tmp_path):
    """A server of its own, so request counts start at zero; a scraper token is configured."""
    srv = Server(tmp_path / "data", tmp_path / "logs", extra_args=["--metrics-token", TOKEN]).start()
    yield srv
    assert srv.stop() == 0


def scrape(server, key=TOKEN, **headers):
    response = server.client(key).get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    return response


def test_metrics_need_the_admin_key_or_the_metrics_token(metered):
    expect_error(metered.client(None).get("/metrics"), 401, "unauthorized")
    expect_error(metered.client("dsadmin.wrong").get("/metrics"), 401, "unauthorized")
    project = metered.admin().call("POST", "/projects", 201, json={"id": unique_id("p")})
    expect_error(metered.client(project["api_key"]).get("/metrics"), 403, "forbidden")
    assert metered.admin().get("/metrics").status_code == 200
    response = scrape(metered)
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"


def test_every_door_reports_requests_errors_and_bytes(metered):
    admin = metered.admin()
    bucket = "in.c-<script>alert(1)</script>"
    project = admin.call("POST", "/projects", 201, json={"id": unique_id("p")})
    key = project["api_key"]
    rest = metered.client(key)
    branch = f"/projects/{project['id']}/branches/default"
    rest.call("POST", f"{branch}/buckets", 201, json={"name": "in.c-sales"})
    expect_error(rest.get(f"{branch}/buckets/in.c-missing"), 404, "bucket_not_found")
    expect_error(rest.get("/no/such/route"), 404, "route_not_found")
    rest.post(f"{branch}/buckets", json={"name": bucket})  # created or refused: the name is never a label

    s3 = s3_client(metered, key)
    s3_bucket = unique_id("b")
    s3.create_bucket(Bucket=s3_bucket)
    s3.put_object(Bucket=s3_bucket, Key="a.csv", Body=b"x" * 1000)
    assert s3.get_object(Bucket=s3_bucket, Key="a.csv")["Body"].read() == b"x" * 1000
    with pytest.raises(botocore.exceptions.ClientError):
        s3.get_object(Bucket=s3_bucket, Key="missing.csv")

    for transport in ("grpc", "json"):
        Driver(metered, transport, metered.admin_key).execute(backend_pb2.InitBackendCommand())

    das = Das(metered)
    das.check()
    das.register(options_for(type("P", (), {"id": project["id"], "key": key})()))
    with pytest.raises(grpc.RpcError):
        das.register({"project_id": project["id"]})  # no api_key
    das.close()

    samples = parse(scrape(metered).text)
    ok = lambda door, op: value(samples, "duckstore_requests_total", door=door, operation=op, outcome="ok")
    assert ok("rest", "POST /projects") == 1
    assert ok("rest", "POST /projects/{project_id}/branches/{branch_id}/buckets") == 1
    assert value(samples, "duckstore_requests_total", door="rest", operation="unmatched",
                 outcome="client_error") == 1
    assert value(samples, "duckstore_request_errors_total", door="rest", code="bucket_not_found") == 1
    assert value(samples, "duckstore_request_errors_total", door="rest", code="route_not_found") == 1
    assert ok("s3", "CreateBucket") == 1 and ok("s3", "PutObject") == 1 and ok("s3", "GetObject") == 1
    assert value(samples, "duckstore_requests_total", door="s3", operation="GetObject", outcome="client_error") == 1
    assert value(samples, "duckstore_received_bytes_total", door="s3") >= 1000
    assert value(samples, "duckstore_sent_bytes_total", door="s3") >= 1000
    # The driver counts commands, once per request whichever transport carried it.
    assert ok("driver", "keboola.storageDriver.command.backend.InitBackendCommand") == 2
    assert value(samples, "duckstore_received_bytes_total", door="driver") > 0
    assert ok("das", "HealthCheckService/Check") == 1
    assert ok("das", "RegistrationService/Register") == 1
    assert value(samples, "duckstore_requests_total", door="das", operation="RegistrationService/Register",
                 outcome="client_error") == 1
    # Latency histograms per door and operation: the +Inf bucket equals the count.
    count = value(samples, "duckstore_request_duration_seconds_count", door="s3", operation="PutObject")
    assert count == 1
    assert value(samples, "duckstore_request_duration_seconds_bucket", door="s3", operation="PutObject",
                 le="+Inf") == count
    # Names chosen by callers (buckets, keys, tables) never become labels.
    text = scrape(metered).text
    assert "<script>" not in text and "a.csv" not in text and "in.c-sales" not in text and s3_bucket not in text
    # Process and engine metrics.
    assert value(samples, "process_resident_memory_bytes") > 1e6
    assert value(samples, "process_open_fds") > 3
    assert value(samples, "process_threads") > 2
    assert value(samples, "duckstore_uptime_seconds") > 0
    assert value(samples, "duckstore_build_info", version=admin.call("GET", "/health")["version"]) == 1
    assert value(samples, "duckstore_open_project_databases") >= 1
    assert value(samples, "duckstore_requests_in_flight", door="rest") == 1  # the scrape itself


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian prometheus) not installed")
def test_promtool_accepts_the_exposition(metered):
    metered.admin().call("POST", "/projects", 201, json={"id": unique_id("p")})
    metered.client(None).get("/health")
    text = scrape(metered).text
    checked = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == "" and checked.stderr.strip() == "", checked.stdout + checked.stderr


def test_openmetrics_when_the_scraper_asks(metered):
    response = scrape(metered, Accept="application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
    assert response.headers["Content-Type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8"
    text = response.text
    assert text.endswith("# EOF\n")
    assert "# TYPE duckstore_requests counter\n" in text
    assert "# TYPE duckstore_requests_total" not in text


def test_services_report_operations_jobs_and_transfers(metered, tmp_path):
    """Operations of the operations log, jobs and imports/exports are counted by the services, whichever door
    asked; their labels are operation names, job kinds and phases, never a name the caller chose."""
    admin = metered.admin()
    project = admin.call("POST", "/projects", 201, json={"id": unique_id("p")})
    rest = metered.client(project["api_key"])
    branch = f"/projects/{project['id']}/branches/default"
    rest.call("POST", f"{branch}/buckets", 201, json={"name": "in.c-secret-name"})
    rest.call("POST", f"{branch}/buckets/in.c-secret-name/tables", 201,
              json={"name": "orders", "columns": [{"name": "id", "type": "INTEGER"}, {"name": "v", "type": "VARCHAR"}]})
    body = b"id,v\n" + b"".join(b"%d,x%d\n" % (i, i) for i in range(250))
    file = rest.call("POST", f"/projects/{project['id']}/files?name=o.csv", 201, data=body,
                     headers={"Content-Type": "text/csv"})
    table = f"{branch}/buckets/in.c-secret-name/tables/orders"
    job = rest.call("POST", f"{table}/import", 202, json={"file_id": file["id"], "async": True})
    for _ in range(300):
        job = rest.call("GET", f"/projects/{project['id']}/jobs/{job['id']}")
        if job["status"] not in ("queued", "running"):
            break
        time.sleep(0.1)
    assert job["status"] == "succeeded", job
    rest.call("POST", f"{table}/export", 200, json={"format": "csv", "slicing": "none", "key": "exports/o.csv"})
    expect_error(rest.post(f"{branch}/buckets", json={"name": "in.c-secret-name"}), 409, "bucket_exists")

    text = scrape(metered).text
    samples = parse(text)
    assert value(samples, "duckstore_operations_total", operation="bucket.create", outcome="ok") == 1
    assert value(samples, "duckstore_operations_total", operation="bucket.create", outcome="bucket_exists") == 1
    assert value(samples, "duckstore_operations_total", operation="table.import", outcome="ok") == 1
    assert value(samples, "duckstore_operation_duration_seconds_count", operation="table.export") == 1
    assert value(samples, "duckstore_jobs_finished_total", kind="table.import", status="succeeded") == 1
    assert value(samples, "duckstore_jobs", state="queued") == 0
    assert value(samples, "duckstore_jobs", state="running") == 0
    assert value(samples, "duckstore_transfers_total", direction="import") == 1
    assert value(samples, "duckstore_transfer_rows_total", direction="import") == 250
    assert value(samples, "duckstore_transfer_bytes_total", direction="import") == len(body)
    assert value(samples, "duckstore_transfer_rows_total", direction="export") == 250
    assert value(samples, "duckstore_transfer_bytes_total", direction="export") > 0
    phases = {dict(labels)["phase"] for (name, labels) in samples
              if name == "duckstore_transfer_phase_duration_seconds_count" and dict(labels)["direction"] == "export"}
    assert "writeFiles" in phases
    assert "secret-name" not in text and "orders" not in text and "o.csv" not in text


def test_per_project_usage_catalog_latency_and_background_tasks(metered):
    """Object-store usage and DuckDB memory per project (labelled by project id, top N), the catalog's
    statement latency by kind, and the runs of the background tasks (the idle closer runs every 5 s)."""
    admin = metered.admin()
    project = admin.call("POST", "/projects", 201, json={"id": unique_id("p")})
    pid, key = project["id"], project["api_key"]
    first = parse(scrape(metered).text)
    idle_runs = value(first, "duckstore_background_task_runs_total", task="idle_close")

    s3 = s3_client(metered, key)
    bucket = unique_id("b")
    s3.create_bucket(Bucket=bucket)
    samples = parse(scrape(metered).text)
    assert value(samples, "duckstore_project_objects", project=pid) == 0
    assert ("duckstore_project_object_bytes", frozenset({("project", pid)})) in samples
    s3.put_object(Bucket=bucket, Key="a.bin", Body=b"a" * 1000)
    s3.put_object(Bucket=bucket, Key="b.bin", Body=b"b" * 2345)
    samples = parse(scrape(metered).text)
    assert value(samples, "duckstore_project_objects", project=pid) == 2
    assert value(samples, "duckstore_project_object_bytes", project=pid) == 3345
    s3.put_object(Bucket=bucket, Key="a.bin", Body=b"a" * 10)  # replaced: still two objects
    s3.delete_object(Bucket=bucket, Key="b.bin")
    samples = parse(scrape(metered).text)
    assert value(samples, "duckstore_project_objects", project=pid) == 1
    assert value(samples, "duckstore_project_object_bytes", project=pid) == 10

    # The project's database is open once a table exists: its memory is reported under its id.
    rest = metered.client(key)
    branch = f"/projects/{pid}/branches/default"
    rest.call("POST", f"{branch}/buckets", 201, json={"name": "in.c-m"})
    rest.call("POST", f"{branch}/buckets/in.c-m/tables", 201,
              json={"name": "t", "columns": [{"name": "id", "type": "INTEGER"}]})
    samples = parse(scrape(metered).text)
    memory = [labels for (name, labels) in samples if name == "duckstore_project_memory_bytes"]
    assert frozenset({("project", pid)}) in memory and len(memory) <= 21
    assert value(samples, "duckstore_project_memory_bytes", project=pid) >= 0

    for kind in ("read", "write", "transaction"):
        count = value(samples, "duckstore_catalog_operation_duration_seconds_count", kind=kind)
        assert count > 0, kind
        assert value(samples, "duckstore_catalog_operation_duration_seconds_bucket", kind=kind, le="+Inf") == count

    assert value(samples, "duckstore_background_task_runs_total", task="blob_sweep") == 1
    deadline = time.monotonic() + 20
    while value(samples, "duckstore_background_task_runs_total", task="idle_close") <= idle_runs:
        assert time.monotonic() < deadline, "the idle closer did not run"
        time.sleep(0.5)
        samples = parse(scrape(metered).text)
    assert value(samples, "duckstore_background_task_last_duration_seconds", task="idle_close") >= 0
    assert ("duckstore_background_task_last_duration_seconds", frozenset({("task", "idle_close")})) in samples
