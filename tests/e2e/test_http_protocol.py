"""The HTTP door's answers to malformed requests and to bodies that are not JSON (issue 15, defect 6), against
the real binary. Timeouts, the connection cap and accept backoff are proven in tests/unit/http_server_test.cpp
with short limits."""

import json
import socket
import time
from urllib.parse import urlparse

import grpc
import pytest
import requests

from harness import Server, expect_error, unique_id


def raw_exchange(server, request: bytes, timeout: float = 10) -> tuple[bytes, bool]:
    """Sends raw bytes on a new connection; returns what came back and whether the server then closed."""
    url = urlparse(server.http_url)
    with socket.create_connection((url.hostname, url.port), timeout=timeout) as conn:
        try:
            conn.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before reading everything; the answer is still there to read
        received = b""
        while True:
            try:
                chunk = conn.recv(65536)
            except socket.timeout:
                return received, False
            if not chunk:
                return received, True
            received += chunk


@pytest.mark.parametrize("request_bytes,status,code", [
    (b"GET /health HTTP/1.1\r\nHost: a\r\nX-Bad: a\x00b\r\n\r\n", 400, "malformed_request"),
    (b"GET /health HTTP/1.1\r\nHost: a\r\nX-Bad: a\rb\r\n\r\n", 400, "malformed_request"),
    (b"POST /projects HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400,
     "malformed_request"),
    (b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: a\r\n\r\n", 414, "uri_too_long"),
    (b"GET /health HTTP/1.1\r\nHost: a\r\nX-Big: " + b"b" * 100000 + b"\r\n\r\n", 431, "header_too_large"),
], ids=["nul-in-header", "cr-in-header", "two-lengths", "long-url", "big-header"])
def test_malformed_requests_are_answered_then_closed(server, request_bytes, status, code):
    received, closed = raw_exchange(server, request_bytes)
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 %d " % status), received[:300]
    assert b"connection: close" in head.lower()
    assert json.loads(body)["error"]["code"] == code
    assert closed


def test_text_plain_body_is_not_parsed_as_json(admin):
    pid = unique_id("p")
    body = json.dumps({"id": pid}).encode()
    error = expect_error(admin.post("/projects", data=body, headers={"Content-Type": "text/plain"}), 415,
                         "unsupported_media_type")
    assert error["details"] == {"content_type": "text/plain"}
    assert admin.get(f"/projects/{pid}").status_code == 404  # nothing was created
    # What JSON clients send today keeps working: application/json (with parameters), no Content-Type at all,
    # and curl -d's default form type (the README's examples).
    for content_type in ("application/json; charset=utf-8", None, "application/x-www-form-urlencoded"):
        pid = unique_id("p")
        headers = {"Content-Type": content_type} if content_type else {}  # bytes data: requests adds none
        response = admin.post("/projects", data=json.dumps({"id": pid}).encode(), headers=headers)
        assert response.status_code == 201, (content_type, response.text)
        assert admin.delete(f"/projects/{pid}").status_code in (200, 204)


def test_idle_connections_cannot_exhaust_descriptors_or_take_grpc_down(tmp_path):
    """Issue 15 defects 1 and 2: with 256 descriptors, 400 silent HTTP connections used to exhaust the process;
    gRPC 1.51 then stops listening for good (grpc/grpc#20418). The HTTP cap (half the limit) leaves the rest
    to gRPC, so health checks on new connections keep succeeding, and HTTP serves again once the idle
    connections are gone."""
    srv = Server(tmp_path / "data", tmp_path / "logs", max_open_files=256).start()
    url = urlparse(srv.http_url)
    idle = []
    try:
        for _ in range(400):
            idle.append(socket.create_connection((url.hostname, url.port), timeout=10))
        time.sleep(1)  # let the accept loop reach the cap
        for _ in range(20):  # each on a connection of its own
            with grpc.insecure_channel(srv.grpc_address, options=[("grpc.use_local_subchannel_pool", 1)]) as channel:
                assert channel.unary_unary("/grpc.health.v1.Health/Check")(b"", timeout=10) == b"\x08\x01"
        for conn in idle:
            conn.close()
        idle.clear()
        assert requests.get(srv.http_url + "/health", timeout=30).status_code == 200
        assert "Too many open files" not in srv.stderr_path.read_text(errors="replace")
    finally:
        for conn in idle:
            conn.close()
        srv.stop()
