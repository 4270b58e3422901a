"""Authentication and authorization: who may call what, and the error envelope."""

import sqlite3

import pytest

from harness import Project, expect_error, unique_id


def test_missing_key_is_401_with_challenge(project, anonymous):
    response = anonymous.get(project.path)
    expect_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    expect_error(anonymous.get("/projects"), 401, "unauthorized")
    expect_error(anonymous.get(project.path + "/branches/default/buckets"), 401, "unauthorized")


@pytest.mark.parametrize("token", ["garbage", "DSK0000000000000000.deadbeef", ".x", "Bearer", "dsadmin.wrong"])
def test_garbage_key_is_401(project, server, token):
    response = server.client(token).get(project.path + "/branches/default/buckets")
    expect_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_key_with_wrong_secret_is_401(project, server):
    key_id = project.key.split(".")[0]
    expect_error(server.client(key_id + ".0123456789abcdef").get(project.path), 401, "unauthorized")


def test_x_api_key_header_is_accepted(project, anonymous):
    got = anonymous.call("GET", project.path, headers={"X-API-Key": project.key})
    assert got["id"] == project.id


def test_revoked_key_is_401(project, server):
    key = project.create_key("branch_admin", branch_id="default")
    project.client.call("DELETE", f"{project.path}/api-keys/{key['id']}", 204)
    expect_error(server.client(key["api_key"]).get(project.path + "/branches/default/buckets"), 401, "unauthorized")


def test_key_of_another_project_is_403(project, project_factory):
    other = project_factory()
    other.create_bucket("in.c-secret")
    for path in (other.path, other.path + "/stats", other.path + "/branches/default/buckets",
                 other.bucket_path("in.c-secret"), other.path + "/api-keys", other.path + "/operations"):
        expect_error(project.client.get(path), 403, "forbidden")
    expect_error(project.client.post(other.path + "/branches/default/buckets", json={"name": "in.c-x"}), 403,
                 "forbidden")
    expect_error(project.client.delete(other.bucket_path("in.c-secret")), 403, "forbidden")
    expect_error(project.client.put(other.path, json={"name": "pwned"}), 403, "forbidden")
    assert other.client.call("GET", other.bucket_path("in.c-secret"))["name"] == "in.c-secret"


def test_branch_read_key_reads_but_cannot_write(project, server):
    project.create_bucket("in.c-r")
    project.create_table("in.c-r", "t", [{"name": "a", "type": "INTEGER"}])
    project.insert("in.c-r", "t", [{"a": 1}])
    reader = server.client(project.create_key("branch_read", branch_id="default")["api_key"])
    table = project.table_path("in.c-r", "t")
    assert reader.call("GET", project.path)["id"] == project.id
    assert reader.call("GET", project.path + "/stats")["row_count"] == 1
    assert reader.call("GET", project.path + "/branches/default/buckets")["total"] == 1
    assert reader.call("GET", project.tables_path("in.c-r"))["total"] == 1
    assert reader.call("GET", table)["row_count"] == 1
    assert reader.call("GET", table + "/stats")["row_count"] == 1
    assert reader.call("POST", table + "/preview", json={})["rows"] == [{"a": 1}]
    assert reader.call("GET", table + "/preview")["rows"] == [{"a": 1}]
    writes = [
        ("POST", project.path + "/branches/default/buckets", {"name": "in.c-w"}),
        ("DELETE", project.bucket_path("in.c-r"), None),
        ("POST", project.tables_path("in.c-r"), {"name": "u", "columns": [{"name": "a", "type": "INTEGER"}]}),
        ("DELETE", table, None),
        ("POST", table + "/rows", {"rows": [{"a": 2}]}),
        ("DELETE", table + "/rows", None),
        ("POST", table + "/columns", {"name": "b", "type": "INTEGER"}),
        ("PUT", table + "/columns/a", {"new_name": "b"}),
        ("DELETE", table + "/columns/a", None),
        ("POST", table + "/primary-key", {"columns": ["a"]}),
        ("DELETE", table + "/primary-key", None),
        ("PUT", project.path, {"name": "x"}),
        ("POST", project.path + "/api-keys", {"scope": "branch_read", "branch_id": "default", "description": "x"}),
        ("GET", project.path + "/api-keys", None),
        ("GET", project.path + "/operations", None),
    ]
    for method, path, body in writes:
        expect_error(reader.request(method, path, json=body), 403, "forbidden")
    assert project.client.call("GET", table)["row_count"] == 1  # nothing changed


def test_branch_admin_key_writes_data_but_cannot_manage_keys(project, server):
    writer = server.client(project.create_key("branch_admin", branch_id="default")["api_key"])
    writer.call("POST", project.path + "/branches/default/buckets", 201, json={"name": "in.c-w"})
    writer.call("POST", project.tables_path("in.c-w"), 201, json={"name": "t", "columns": [{"name": "a", "type": "INT"}]})
    writer.call("POST", project.table_path("in.c-w", "t") + "/rows", 201, json={"rows": [{"a": 1}]})
    assert writer.call("GET", project.table_path("in.c-w", "t"))["row_count"] == 1
    for method, path, body in [
        ("POST", project.path + "/api-keys", {"scope": "branch_read", "branch_id": "default", "description": "x"}),
        ("GET", project.path + "/api-keys", None),
        ("GET", f"{project.path}/api-keys/{project.key_id}", None),
        ("DELETE", f"{project.path}/api-keys/{project.key_id}", None),
        ("POST", f"{project.path}/api-keys/{project.key_id}/rotate", None),
        ("PUT", project.path, {"name": "x"}),
        ("GET", project.path + "/operations", None),
    ]:
        expect_error(writer.request(method, path, json=body), 403, "forbidden")
    project.client.call("GET", project.path)  # the admin key was not touched


def test_branch_key_is_bound_to_its_branch(project, server):
    reader = server.client(project.create_key("branch_read", branch_id="default")["api_key"])
    expect_error(reader.get(project.path + "/branches/dev/buckets"), 403, "forbidden")


def test_project_key_cannot_manage_projects(project):
    expect_error(project.client.post("/projects", json={"id": unique_id()}), 403, "forbidden")
    expect_error(project.client.get("/projects"), 403, "forbidden")
    expect_error(project.client.delete(project.path), 403, "forbidden")
    project.client.call("GET", project.path)  # still there


def test_admin_can_do_everything(server, admin):
    project = Project(server)
    try:
        pid = project.id
        admin.call("PUT", f"/projects/{pid}", json={"name": "by admin"})
        admin.call("POST", f"/projects/{pid}/branches/default/buckets", 201, json={"name": "in.c-a"})
        admin.call("POST", project.tables_path("in.c-a"), 201, json={"name": "t", "columns": [{"name": "a", "type": "INT"}]})
        admin.call("POST", project.table_path("in.c-a", "t") + "/rows", 201, json={"rows": [{"a": 5}]})
        assert admin.call("POST", project.table_path("in.c-a", "t") + "/preview", json={})["rows"] == [{"a": 5}]
        key = admin.call("POST", f"/projects/{pid}/api-keys", 201, json={"scope": "project_admin", "description": "x"})
        assert len(admin.call("GET", f"/projects/{pid}/api-keys")["api_keys"]) == 2
        admin.call("DELETE", f"/projects/{pid}/api-keys/{key['id']}", 204)
        assert admin.call("GET", f"/projects/{pid}/operations")["total"] >= 5
        assert admin.call("GET", f"/projects/{pid}/stats")["row_count"] == 1
    finally:
        project.delete()


def test_error_envelope_and_request_id(project, anonymous):
    response = project.client.get(project.bucket_path("in.c-none"), headers={"X-Request-ID": "my-req-42"})
    error = expect_error(response, 404, "bucket_not_found")
    assert response.json()["request_id"] == "my-req-42" and response.headers["X-Request-ID"] == "my-req-42"
    assert "in.c-none" in error["message"]
    ok = project.client.get(project.path, headers={"X-Request-ID": "ok-req"})
    assert ok.status_code == 200 and ok.headers["X-Request-ID"] == "ok-req"
    generated = project.client.get(project.path)
    assert generated.headers["X-Request-ID"]  # one is made up when the client sends none
    unsafe = project.client.get(project.bucket_path("in.c-none"), headers={"X-Request-ID": "two words"})
    assert unsafe.headers["X-Request-ID"] not in ("", "two words")  # replaced, not echoed
    assert unsafe.json()["request_id"] == unsafe.headers["X-Request-ID"]
    # Unknown routes and wrong methods use the same envelope.
    expect_error(anonymous.get("/no/such/route"), 404, "route_not_found")
    expect_error(project.client.request("PATCH", project.path), 405, "method_not_allowed")
    expect_error(project.client.post(project.path + "/branches/default/buckets", data="[1]"), 400, "invalid_json")


def test_unauthenticated_endpoints(anonymous):
    assert anonymous.call("GET", "/health")["status"] == "ok"
    ready = anonymous.call("GET", "/ready")
    assert ready["status"] == "ready" and ready["checks"] == {"catalog": "ok", "engine": "ok"}
    assert anonymous.call("GET", "/")["service"] == "duckstore"


def test_expired_key_is_401(fresh_server):
    """Keys can only be created with a future expiry, so the catalog is edited while the server is down."""
    project = Project(fresh_server)
    key = project.create_key("branch_read", branch_id="default", expires_in_days=1)
    fresh_server.client(key["api_key"]).call("GET", project.path)
    assert fresh_server.stop() == 0
    with sqlite3.connect(fresh_server.data_dir / "catalog.sqlite") as db:
        changed = db.execute("UPDATE api_keys SET expires_at = '2001-01-01T00:00:00.000Z' WHERE id = ?", (key["id"],))
        assert changed.rowcount == 1
    fresh_server.start()
    expect_error(fresh_server.client(key["api_key"]).get(project.path), 401, "unauthorized")
    fresh_server.client(project.key).call("GET", project.path)  # other keys unaffected
    listed = fresh_server.client(project.key).call("GET", project.path + "/api-keys")
    assert {k["id"] for k in listed["api_keys"]} >= {project.key_id}
