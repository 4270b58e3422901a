"""Workspaces over REST: create with generated credentials, load tables (copy, append, view, columns,
filters), list, drop objects, clear with objects to preserve, users, password reset, drop; branch workspaces."""

import pytest

from harness import expect_error, table_path

BUCKET = "in.c-main"


def ws_path(project, branch="default"):
    return f"{project.path}/branches/{branch}/workspaces"


@pytest.fixture
def setup(project):
    project.create_bucket(BUCKET)
    project.create_table(BUCKET, "t", [{"name": "id", "type": "int"}, {"name": "name", "type": "varchar"}])
    project.insert(BUCKET, "t", [{"id": i, "name": f"n{i}"} for i in range(1, 6)])
    return project


def create(project, branch="default", **body):
    return project.client.call("POST", ws_path(project, branch), 201, json=body)


def load(project, ws, expect=200, branch="default", **body):
    body.setdefault("source", {"bucket": BUCKET, "table": "t"})
    return project.client.call("POST", f"{ws_path(project, branch)}/{ws}/load", expect, json=body)


def objects(project, ws, branch="default"):
    return project.client.call("GET", f"{ws_path(project, branch)}/{ws}")["objects"]


def test_create_get_list_drop(setup):
    p = setup
    ws = create(p, id="ws1")
    assert ws["id"] == "ws1" and ws["object_name"] == "ws1" and ws["branch_id"] == "default"
    creds = ws["credentials"]
    assert creds["user"].startswith("ws_") and len(creds["password"]) >= 32
    got = p.client.call("GET", ws_path(p) + "/ws1")
    assert got["users"] == [{"user": creds["user"], "created_at": got["users"][0]["created_at"]}]
    assert "password" not in str(got)
    assert [w["id"] for w in p.client.call("GET", ws_path(p))["workspaces"]] == ["ws1"]
    expect_error(p.client.post(ws_path(p), json={"id": "ws1"}), 409, "workspace_exists")
    assert p.client.delete(ws_path(p) + "/ws1").status_code == 204
    expect_error(p.client.get(ws_path(p) + "/ws1"), 404, "workspace_not_found")
    assert not (p.server.data_dir / "projects" / p.id / "workspaces" / "ws1.duckdb").exists()


def test_load_copy_view_append_columns_filters(setup):
    p = setup
    create(p, id="w")
    copied = load(p, "w", destination="copy")
    assert copied == {"destination": "copy", "rows": 5, "columns": ["id", "name"]}
    filtered = load(p, "w", destination="small", columns=[{"source": "name", "destination": "label"}],
                    filters=[{"column": "id", "operator": "le", "value": 2}], limit=10)
    assert filtered == {"destination": "small", "rows": 2, "columns": ["label"]}
    view = load(p, "w", destination="live", mode="view")
    assert view["rows"] == 5
    appended = load(p, "w", destination="copy", mode="append", filters=[{"column": "id", "operator": "eq", "value": 1}])
    assert appended["rows"] == 6
    assert objects(p, "w") == [{"name": "copy", "type": "table"}, {"name": "live", "type": "view"},
                               {"name": "small", "type": "table"}]
    # The copy is a snapshot, the view reads the table live.
    p.insert(BUCKET, "t", [{"id": 6, "name": "n6"}])
    assert load(p, "w", destination="live", mode="view")["rows"] == 6
    assert load(p, "w", destination="copy", mode="append", limit=0)["rows"] == 6
    expect_error(p.client.post(ws_path(p) + "/w/load", json={"source": {"bucket": BUCKET, "table": "nope"}}), 404,
                 "table_not_found")
    expect_error(p.client.post(ws_path(p) + "/w/load", json={"source": {"bucket": BUCKET, "table": "t"},
                                                              "columns": ["nope"]}), 400, "column_not_found")
    expect_error(p.client.post(ws_path(p) + "/w/load", json={"source": {"bucket": BUCKET, "table": "t"}, "mode": "view",
                                                              "limit": 1}), 400, "invalid_request")


def test_drop_object_and_clear_with_preserve(setup):
    p = setup
    create(p, id="w")
    for name in ("a", "b", "c"):
        load(p, "w", destination=name)
    assert p.client.delete(ws_path(p) + "/w/objects/b").status_code == 204
    expect_error(p.client.delete(ws_path(p) + "/w/objects/b"), 404, "object_not_found")
    assert p.client.post(ws_path(p) + "/w/clear", json={"preserve": ["C"]}).status_code == 204
    assert objects(p, "w") == [{"name": "c", "type": "table"}]
    assert p.client.post(ws_path(p) + "/w/clear").status_code == 204
    assert objects(p, "w") == []


def test_users_and_password_reset(setup):
    p = setup
    ws = create(p, id="w")
    first = ws["credentials"]["user"]
    extra = p.client.call("POST", ws_path(p) + "/w/users", 201)
    assert extra["user"] != first and extra["password"] != ws["credentials"]["password"]
    users = [u["user"] for u in p.client.call("GET", ws_path(p) + "/w")["users"]]
    assert sorted(users) == sorted([first, extra["user"]])
    reset = p.client.call("POST", f"{ws_path(p)}/w/users/{first}/reset-password", 200)
    assert reset["user"] == first and reset["password"] != ws["credentials"]["password"]
    assert p.client.delete(f"{ws_path(p)}/w/users/{extra['user']}").status_code == 204
    expect_error(p.client.delete(f"{ws_path(p)}/w/users/{extra['user']}"), 404, "workspace_user_not_found")


def test_passwords_are_not_stored_in_clear(setup):
    p = setup
    ws = create(p, id="w")
    catalog = (p.server.data_dir / "catalog.sqlite").read_bytes()
    for path in (p.server.data_dir / "catalog.sqlite-wal",):
        if path.exists():
            catalog += path.read_bytes()
    assert ws["credentials"]["password"].encode() not in catalog
    assert b"SCRAM-SHA-256$4096:" in catalog


def test_branch_workspace_reads_the_branch(setup):
    p = setup
    p.client.call("POST", p.path + "/branches", 201, json={"name": "dev", "id": "dev"})
    p.client.call("DELETE", table_path(p.id, BUCKET, "t", "dev") + "/rows", 200,
                  json={"filters": [{"column": "id", "operator": "gt", "value": 2}]})
    create(p, "dev", id="bw")
    assert load(p, "bw", branch="dev", destination="t")["rows"] == 2
    # Workspaces are listed and addressed under their branch only.
    assert [w["id"] for w in p.client.call("GET", ws_path(p, "dev"))["workspaces"]] == ["bw"]
    assert p.client.call("GET", ws_path(p))["workspaces"] == []
    expect_error(p.client.get(ws_path(p) + "/bw"), 404, "workspace_not_found")
    # Dropping the branch drops its workspaces.
    assert p.client.delete(p.path + "/branches/dev").status_code == 204
    assert not (p.server.data_dir / "projects" / p.id / "workspaces" / "bw.duckdb").exists()


def test_read_key_cannot_change_workspaces(setup):
    p = setup
    create(p, id="w")
    reader = p.client.with_key(p.create_key("branch_read", branch_id="default")["api_key"])
    assert reader.get(ws_path(p) + "/w").status_code == 200
    expect_error(reader.post(ws_path(p) + "/w/clear"), 403, "forbidden")
    expect_error(reader.post(ws_path(p), json={}), 403, "forbidden")
