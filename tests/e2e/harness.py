"""Runs the real duckstore binary for end-to-end tests and talks to its REST API.

Reused by every e2e suite (REST, S3, gRPC driver, DAS): `Server` starts and stops one process on one data
directory, `Client` is a thin `requests` wrapper with a base URL and a bearer key.
"""

from __future__ import annotations

import atexit
import os
import queue
import re
import resource
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import requests

DEFAULT_BIN = "/work/main/build/duckstore"
READY_RE = re.compile(r"^duckstore ready (https?)=(\S+):(\d+) grpc=(\S+):(\d+) pg=(\S+):(\d+)$")
ADMIN_KEY_RE = re.compile(r"^admin key \(shown once, stored in (.+)\): (\S+)$")
START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0
REQUEST_TIMEOUT = 60.0


def binary() -> str:
    return os.environ.get("DUCKSTORE_BIN", DEFAULT_BIN)


def unique_id(prefix: str = "t") -> str:
    """A project id (or any name) unique to one test: letters, digits and '-' only."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def seg(name: str) -> str:
    """One URL path segment: everything percent-encoded, '/' included."""
    return quote(name, safe="")


class ServerError(RuntimeError):
    pass


class Server:
    """One duckstore process over `data_dir`; its stdout and stderr go to files under `log_dir`."""

    # Every server started in this test process, so a failing test can show their log tails.
    started: list["Server"] = []

    def __init__(self, data_dir: Path, log_dir: Path | None = None, extra_args: list[str] | None = None,
                 max_open_files: int | None = None):
        self.data_dir = Path(data_dir)
        self.max_open_files = max_open_files  # RLIMIT_NOFILE (soft and hard) of the process, for fd tests
        self.log_dir = Path(log_dir) if log_dir else self.data_dir.parent / (self.data_dir.name + "-logs")
        self.extra_args = list(extra_args or [])
        self.proc: subprocess.Popen | None = None
        self.http_url = ""
        self.grpc_address = ""
        self.pg_host = ""
        self.pg_port = 0
        self.admin_key = ""
        self.printed_admin_key: str | None = None  # only on the first start of a data dir
        self.starts = 0

    @property
    def admin_key_file(self) -> Path:
        return self.data_dir / "secrets" / "admin.key"

    @property
    def stderr_path(self) -> Path:
        return self.log_dir / f"stderr.{self.starts}.log"

    @property
    def stdout_path(self) -> Path:
        return self.log_dir / f"stdout.{self.starts}.log"

    def start(self, timeout: float = START_TIMEOUT) -> "Server":
        if self.proc and self.proc.poll() is None:
            raise ServerError("server already running")
        self.starts += 1
        self.log_dir.mkdir(parents=True, exist_ok=True)
        fresh = not self.admin_key_file.exists()
        # The test controls every setting: no DUCKSTORE_* variable of the caller leaks in.
        env = {k: v for k, v in os.environ.items() if not k.startswith("DUCKSTORE_")}
        args = [binary(), "serve", "--data-dir", str(self.data_dir), "--http-port", "0", "--grpc-port", "0",
                "--pg-port", "0",
                "--log-format", "json", *self.extra_args]
        self._stderr = open(self.stderr_path, "wb")
        limit = self.max_open_files
        set_limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))) if limit else None
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr, stdin=subprocess.DEVNULL,
                                     env=env, preexec_fn=set_limit)
        Server.started.append(self)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump_stdout, args=(self.proc, lines), daemon=True).start()

        deadline = time.monotonic() + timeout
        self.printed_admin_key = None
        ready = False
        while not ready or (fresh and self.printed_admin_key is None):
            line = self._next_line(lines, deadline)
            if m := READY_RE.match(line):
                self.http_url = f"{m.group(1)}://{m.group(2)}:{m.group(3)}"
                self.grpc_address = f"{m.group(4)}:{m.group(5)}"
                self.pg_host, self.pg_port = m.group(6), int(m.group(7))
                ready = True
            elif m := ADMIN_KEY_RE.match(line):
                if Path(m.group(1)) != self.admin_key_file.absolute():
                    raise ServerError(f"admin key stored in {m.group(1)}, expected {self.admin_key_file}")
                self.printed_admin_key = m.group(2)
        self.admin_key = self.printed_admin_key or self.admin_key_file.read_text().strip()
        return self

    def _next_line(self, lines: queue.Queue, deadline: float) -> str:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            self.kill()
            raise ServerError(f"server not ready in time\n{self.tail()}") from None
        if line is None:
            code = self.proc.wait()
            raise ServerError(f"server exited with {code} before it was ready\n{self.tail()}")
        return line

    def _pump_stdout(self, proc: subprocess.Popen, lines: queue.Queue) -> None:
        # Keeps draining stdout for the process lifetime (a full pipe would block the server).
        with open(self.stdout_path, "w") as copy:
            for raw in proc.stdout:
                text = raw.decode("utf-8", "replace").rstrip("\n")
                copy.write(text + "\n")
                copy.flush()
                lines.put(text)
        lines.put(None)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> int:
        """Sends `sig` and waits for the exit; returns the exit code (negative = killed by a signal)."""
        if self.proc is None:
            raise ServerError("server not started")
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise ServerError(f"server did not exit within {timeout}s of signal {sig}\n{self.tail()}")
        self._stderr.close()
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self) -> "Server":
        code = self.stop()
        if code != 0:
            raise ServerError(f"server exited with {code} on SIGTERM\n{self.tail()}")
        return self.start()

    def tail(self, lines: int = 40) -> str:
        out = []
        for path in (self.stdout_path, self.stderr_path):
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"--- {path} (last {len(text)} lines)\n" + "\n".join(text))
        return "\n".join(out)

    @property
    def ca_cert(self) -> str | None:
        """The CA file an HTTPS server's certificate verifies against (its self-signed one); None for HTTP."""
        return str(self.data_dir / "secrets" / "http-server.crt") if self.http_url.startswith("https:") else None

    def client(self, key: str | None = None) -> "Client":
        return Client(self.http_url, key, verify=self.ca_cert)

    def admin(self) -> "Client":
        return self.client(self.admin_key)


@atexit.register
def _kill_leftovers() -> None:
    # A crashed or interrupted test run must not leave servers behind.
    for srv in Server.started:
        srv.kill()


class Client:
    """`requests` with a base URL and a bearer key. `call` also checks the status and returns the JSON."""

    def __init__(self, base_url: str, key: str | None = None, verify: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.key = key
        self.verify = verify
        self.session = requests.Session()

    def with_key(self, key: str | None) -> "Client":
        return Client(self.base_url, key, self.verify)

    def request(self, method: str, path: str, *, headers: dict | None = None, **kwargs) -> requests.Response:
        all_headers = {"Authorization": f"Bearer {self.key}"} if self.key is not None else {}
        all_headers.update(headers or {})
        kwargs.setdefault("timeout", REQUEST_TIMEOUT)
        if self.verify:
            # Per request: a session's verify loses to REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment.
            kwargs.setdefault("verify", self.verify)
        return self.session.request(method, self.base_url + path, headers=all_headers, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json=None, **kwargs) -> requests.Response:
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path: str, json=None, **kwargs) -> requests.Response:
        return self.request("PUT", path, json=json, **kwargs)

    def delete(self, path: str, json=None, **kwargs) -> requests.Response:
        return self.request("DELETE", path, json=json, **kwargs)

    def call(self, method: str, path: str, expect: int = 200, **kwargs):
        """Sends a request, asserts the status and returns the decoded JSON body (None when empty)."""
        response = self.request(method, path, **kwargs)
        assert response.status_code == expect, (
            f"{method} {path}: expected {expect}, got {response.status_code}: {response.text[:2000]}")
        return response.json() if response.content else None


def expect_error(response: requests.Response, status: int, code: str) -> dict:
    """Asserts the error envelope {"error": {code, message, details}, "request_id"}; returns the error."""
    assert response.status_code == status, f"expected {status} {code}, got {response.status_code}: {response.text[:2000]}"
    body = response.json()
    assert set(body) == {"error", "request_id"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, body
    assert error["code"] == code, body
    assert isinstance(error["message"], str) and error["message"], body
    assert isinstance(error["details"], dict), body
    assert body["request_id"] and body["request_id"] == response.headers.get("X-Request-ID"), body
    return error


# REST paths; every name is one percent-encoded segment.
def project_path(project: str) -> str:
    return f"/projects/{seg(project)}"


def buckets_path(project: str, branch: str = "default") -> str:
    return f"{project_path(project)}/branches/{seg(branch)}/buckets"


def bucket_path(project: str, bucket: str, branch: str = "default") -> str:
    return f"{buckets_path(project, branch)}/{seg(bucket)}"


def tables_path(project: str, bucket: str, branch: str = "default") -> str:
    return f"{bucket_path(project, bucket, branch)}/tables"


def table_path(project: str, bucket: str, table: str, branch: str = "default") -> str:
    return f"{tables_path(project, bucket, branch)}/{seg(table)}"


class Project:
    """A project created for one test, with its first project_admin key and path helpers."""

    def __init__(self, server: Server, project_id: str | None = None, **create_fields):
        self.server = server
        self.id = project_id or unique_id("p")
        created = server.admin().call("POST", "/projects", 201, json={"id": self.id, **create_fields})
        self.created = created
        self.key = created["api_key"]
        self.key_id = created["api_key_id"]
        self.client = server.client(self.key)

    @property
    def path(self) -> str:
        return project_path(self.id)

    def bucket_path(self, bucket: str) -> str:
        return bucket_path(self.id, bucket)

    def tables_path(self, bucket: str) -> str:
        return tables_path(self.id, bucket)

    def table_path(self, bucket: str, table: str) -> str:
        return table_path(self.id, bucket, table)

    def create_bucket(self, name: str, description: str = "") -> dict:
        return self.client.call("POST", buckets_path(self.id), 201, json={"name": name, "description": description})

    def create_table(self, bucket: str, name: str, columns: list[dict], primary_key: list[str] | None = None) -> dict:
        body = {"name": name, "columns": columns}
        if primary_key is not None:
            body["primary_key"] = primary_key
        return self.client.call("POST", tables_path(self.id, bucket), 201, json=body)

    def insert(self, bucket: str, table: str, rows: list[dict]) -> dict:
        return self.client.call("POST", table_path(self.id, bucket, table) + "/rows", 201, json={"rows": rows})

    def preview(self, bucket: str, table: str, expect: int = 200, **body) -> dict:
        return self.client.call("POST", table_path(self.id, bucket, table) + "/preview", expect, json=body)

    def create_key(self, scope: str, expect: int = 201, **fields) -> dict:
        body = {"scope": scope, "description": f"{scope} key", **fields}
        return self.client.call("POST", self.path + "/api-keys", expect, json=body)

    def delete(self) -> None:
        response = self.server.admin().delete(self.path)
        assert response.status_code in (204, 404), response.text
