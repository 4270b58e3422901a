"""Project API keys: create (scopes, branch binding, expiry), list, get, revoke, rotate."""

from datetime import datetime, timedelta, timezone

import pytest

from harness import expect_error, unique_id

KEY_FIELDS = {"id", "project_id", "branch_id", "scope", "description", "created_at", "expires_at", "last_used_at",
              "is_revoked"}


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("scope,branch_id", [("project_admin", None), ("branch_admin", "default"),
                                              ("branch_read", "default")])
def test_create_each_scope(project, server, scope, branch_id):
    fields = {"branch_id": branch_id} if branch_id else {}
    key = project.create_key(scope, description=f"my {scope}", **fields)
    assert set(key) == KEY_FIELDS | {"api_key"}
    assert key["scope"] == scope
    assert key["project_id"] == project.id
    assert key["branch_id"] == branch_id  # project_admin keys are not bound to a branch
    assert key["description"] == f"my {scope}"
    assert key["expires_at"] is None and key["is_revoked"] is False
    assert key["id"].startswith("DSK") and key["api_key"].startswith(key["id"] + ".")
    # The new key authenticates and reads its project.
    buckets = server.client(key["api_key"]).call("GET", project.path + "/branches/default/buckets")
    assert buckets["buckets"] == []


def test_create_validates_scope_branch_description_and_expiry(project):
    expect_error(project.client.post(project.path + "/api-keys", json={"scope": "god", "description": "x"}),
                 400, "invalid_scope")
    expect_error(project.client.post(project.path + "/api-keys", json={"scope": "branch_read"}), 400, "invalid_request")
    project.create_key("branch_read", expect=400)  # a branch scope needs branch_id
    project.create_key("project_admin", expect=400, branch_id="default")
    expect_error(project.client.post(project.path + "/api-keys",
                                     json={"scope": "branch_admin", "branch_id": "nope", "description": "x"}),
                 404, "branch_not_found")
    for days in (0, -1, 3651):
        project.create_key("project_admin", expect=400, expires_in_days=days)
    project.create_key("project_admin", expect=400, expires_in_days="7")


def test_expiry_is_set_in_days(project, server):
    before = datetime.now(timezone.utc)
    key = project.create_key("branch_read", branch_id="default", expires_in_days=30)
    expires = parse_time(key["expires_at"])
    assert before + timedelta(days=30) - timedelta(seconds=5) <= expires <= before + timedelta(days=30, seconds=60)
    server.client(key["api_key"]).call("GET", project.path + "/branches/default/buckets")
    assert project.client.call("GET", f"{project.path}/api-keys/{key['id']}")["expires_at"] == key["expires_at"]


def test_list_and_get_never_show_secrets(project):
    reader = project.create_key("branch_read", branch_id="default")
    listed = project.client.call("GET", project.path + "/api-keys")
    assert listed["total"] == 2
    by_id = {k["id"]: k for k in listed["api_keys"]}
    assert set(by_id) == {project.key_id, reader["id"]}
    for key in listed["api_keys"]:
        assert set(key) == KEY_FIELDS  # no api_key, no hash
    assert by_id[project.key_id]["scope"] == "project_admin" and by_id[project.key_id]["branch_id"] is None
    assert by_id[reader["id"]]["branch_id"] == "default"

    got = project.client.call("GET", f"{project.path}/api-keys/{reader['id']}")
    assert got == by_id[reader["id"]]
    assert got["last_used_at"] is None  # never used yet
    assert by_id[project.key_id]["last_used_at"] is not None  # this very listing used it
    expect_error(project.client.get(f"{project.path}/api-keys/DSKNOPE"), 404, "api_key_not_found")


def test_key_of_another_project_is_not_found(project, project_factory, admin):
    other = project_factory()
    expect_error(admin.get(f"{project.path}/api-keys/{other.key_id}"), 404, "api_key_not_found")
    expect_error(admin.delete(f"{project.path}/api-keys/{other.key_id}"), 404, "api_key_not_found")
    expect_error(admin.post(f"{project.path}/api-keys/{other.key_id}/rotate"), 404, "api_key_not_found")


def test_revoke(project, server):
    writer = project.create_key("branch_admin", branch_id="default")
    client = server.client(writer["api_key"])
    client.call("GET", project.path + "/branches/default/buckets")
    assert project.client.delete(f"{project.path}/api-keys/{writer['id']}").status_code == 204
    expect_error(client.get(project.path + "/branches/default/buckets"), 401, "unauthorized")
    got = project.client.call("GET", f"{project.path}/api-keys/{writer['id']}")
    assert got["is_revoked"] is True
    assert writer["id"] not in [k["id"] for k in project.client.call("GET", project.path + "/api-keys")["api_keys"]]
    # Revoking again changes nothing.
    assert project.client.delete(f"{project.path}/api-keys/{writer['id']}").status_code == 204
    expect_error(project.client.post(f"{project.path}/api-keys/{writer['id']}/rotate"), 400, "cannot_rotate_revoked_key")


def test_cannot_revoke_last_project_admin_key(project, server):
    err = expect_error(project.client.delete(f"{project.path}/api-keys/{project.key_id}"), 400,
                       "cannot_revoke_last_admin_key")
    assert "last" in err["message"]
    project.client.call("GET", project.path)  # still works
    # Branch keys do not count as admin keys.
    project.create_key("branch_admin", branch_id="default")
    expect_error(project.client.delete(f"{project.path}/api-keys/{project.key_id}"), 400,
                 "cannot_revoke_last_admin_key")
    second = project.create_key("project_admin")
    assert server.client(second["api_key"]).delete(f"{project.path}/api-keys/{project.key_id}").status_code == 204
    expect_error(project.client.get(project.path), 401, "unauthorized")
    expect_error(server.client(second["api_key"]).delete(f"{project.path}/api-keys/{second['id']}"), 400,
                 "cannot_revoke_last_admin_key")


def test_rotate_replaces_the_key(project, server):
    old = project.create_key("branch_read", branch_id="default", description="reporting", expires_in_days=10)
    new = project.client.call("POST", f"{project.path}/api-keys/{old['id']}/rotate", 201)
    assert new["id"] != old["id"] and new["api_key"] != old["api_key"]
    assert (new["scope"], new["branch_id"], new["description"]) == ("branch_read", "default", "reporting")
    lifetime = parse_time(new["expires_at"]) - parse_time(new["created_at"])
    assert abs(lifetime - timedelta(days=10)) < timedelta(seconds=5)
    expect_error(server.client(old["api_key"]).get(project.path + "/branches/default/buckets"), 401, "unauthorized")
    server.client(new["api_key"]).call("GET", project.path + "/branches/default/buckets")
    assert project.client.call("GET", f"{project.path}/api-keys/{old['id']}")["is_revoked"] is True


def test_rotate_the_only_admin_key(project, server):
    new = project.client.call("POST", f"{project.path}/api-keys/{project.key_id}/rotate", 201)
    assert new["scope"] == "project_admin" and new["branch_id"] is None and new["expires_at"] is None
    expect_error(project.client.get(project.path), 401, "unauthorized")
    admin2 = server.client(new["api_key"])
    keys = admin2.call("GET", project.path + "/api-keys")["api_keys"]
    assert [k["id"] for k in keys] == [new["id"]]


def test_keys_of_unknown_project(admin):
    pid = unique_id()
    expect_error(admin.post(f"/projects/{pid}/api-keys", json={"scope": "project_admin", "description": "x"}),
                 404, "project_not_found")
    expect_error(admin.get(f"/projects/{pid}/api-keys"), 404, "project_not_found")


def test_list_pages_newest_first(project):
    created = [project.create_key("branch_read", description=f"reader {i}", branch_id="default")["id"] for i in range(3)]
    everything = project.client.call("GET", project.path + "/api-keys")
    assert everything["total"] == 4 and everything["limit"] == 100 and everything["offset"] == 0
    first = project.client.call("GET", project.path + "/api-keys?limit=2")
    second = project.client.call("GET", project.path + "/api-keys?limit=2&offset=2")
    assert [k["id"] for k in first["api_keys"]] == list(reversed(created))[:2]
    assert [k["id"] for k in first["api_keys"] + second["api_keys"]] == [k["id"] for k in everything["api_keys"]]
    assert first["total"] == second["total"] == 4
    expect_error(project.client.get(project.path + "/api-keys?limit=0"), 400, "invalid_parameter")
