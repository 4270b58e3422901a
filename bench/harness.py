"""Starts a duckstore server for a benchmark and tears it down; shared by the bench/*.py scripts."""
import json
import os
import re
import signal
import subprocess
import tempfile
import time
import http.client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Server:
    def __init__(self, binary, extra_args=(), data_dir=None):
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="duckstore-bench-")
        self.proc = subprocess.Popen(
            [binary, "serve", "--data-dir", self.data_dir, "--http-port", "0", "--grpc-port", "0",
             "--pg-port", "0", "--log-level", "warn", *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.admin_key = None
        for line in self.proc.stdout:
            ready = re.match(r"duckstore ready http=([\d.]+):(\d+) grpc=([\d.]+):(\d+)", line)
            if ready:
                self.ready_line = line
                self.host, self.port, self.grpc_port = ready.group(1), int(ready.group(2)), int(ready.group(4))
                if data_dir:  # a restart: the admin key is in the data dir
                    break
            key = re.match(r"admin key .*: (\S+)", line)
            if key:
                self.admin_key = key.group(1)
                break

    def connection(self):
        return http.client.HTTPConnection(self.host, self.port)

    def call(self, conn, method, path, key, body=None):
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path} -> {response.status}: {payload[:300]!r}")
        return json.loads(payload) if payload else None

    def timed_call(self, conn, method, path, key, body=None):
        """(seconds, result) of call()."""
        start = time.monotonic()
        result = self.call(conn, method, path, key, body)
        return time.monotonic() - start, result

    def upload(self, key, project, path):
        """Streams the file at `path` into the project's files; returns the file id."""
        conn = self.connection()
        with open(path, "rb") as body:
            conn.request("POST", f"/projects/{project}/files?name={os.path.basename(path)}", body=body,
                         headers={"Authorization": f"Bearer {key}", "Content-Length": str(os.path.getsize(path))})
            response = conn.getresponse()
            payload = response.read()
        if response.status != 201:
            raise RuntimeError(f"upload {path}: {response.status} {payload[:300]!r}")
        return json.loads(payload)["id"]

    def stop(self, keep_data=False):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        if not keep_data:
            subprocess.run(["rm", "-rf", self.data_dir], check=False)
