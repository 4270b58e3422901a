"""Dev branches over REST: lifecycle, and the copy-on-write overlay over the live default branch.

Semantics pinned here (docs/design/branches.md): a branch reads tables it has not written from the default
branch, live; the first write copies the table into the branch; writes on a branch never change the default
branch; deletes on a branch are tombstones; dropping a branch removes its data."""

import pytest

from harness import bucket_path, buckets_path, expect_error, table_path, tables_path

BUCKET = "in.c-main"
COLUMNS = [{"name": "id", "type": "int"}, {"name": "name", "type": "varchar", "default": "x"}]


@pytest.fixture
def setup(project):
    """A project with one default-branch table of two rows and a dev branch 'dev'."""
    project.create_bucket(BUCKET, "main bucket")
    project.create_table(BUCKET, "t", COLUMNS, primary_key=["id"])
    project.insert(BUCKET, "t", [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
    branch = project.client.call("POST", project.path + "/branches", 201, json={"name": "dev", "id": "dev"})
    assert branch["id"] == "dev" and branch["name"] == "dev"
    return project


def rows(project, branch, table="t", bucket=BUCKET):
    body = project.client.call("POST", table_path(project.id, bucket, table, branch) + "/preview", 200,
                               json={"order_by": [{"column": "id"}]})
    return [(r["id"], r["name"]) for r in body["rows"]]


def insert(project, branch, table_rows, table="t"):
    return project.client.call("POST", table_path(project.id, BUCKET, table, branch) + "/rows", 201,
                               json={"rows": table_rows})


def test_branch_lifecycle(project):
    c = project.client
    created = c.call("POST", project.path + "/branches", 201, json={"name": "feature", "description": "d"})
    assert created["id"] and created["project_id"] == project.id and created["description"] == "d"
    assert created["created_at"].endswith("Z")
    listed = c.call("GET", project.path + "/branches")
    assert [b["id"] for b in listed["branches"]] == [created["id"]] and listed["total"] == 1
    assert c.call("GET", project.path + "/branches/" + created["id"]) == created
    expect_error(c.post(project.path + "/branches", json={"name": "feature"}), 409, "branch_exists")
    expect_error(c.post(project.path + "/branches", json={"name": "x", "id": "default"}), 400, "invalid_name")
    assert c.delete(project.path + "/branches/" + created["id"]).status_code == 204
    expect_error(c.get(project.path + "/branches/" + created["id"]), 404, "branch_not_found")
    expect_error(c.get(buckets_path(project.id, created["id"])), 404, "branch_not_found")


def test_branch_reads_default_live_until_it_writes(setup):
    p = setup
    assert rows(p, "dev") == [(1, "a"), (2, "b")]
    # The default branch's later writes show through while the branch has not written the table.
    insert(p, "default", [{"id": 3, "name": "c"}])
    assert rows(p, "dev") == [(1, "a"), (2, "b"), (3, "c")]
    # The first write on the branch copies the table; the default branch is unchanged.
    insert(p, "dev", [{"id": 10, "name": "dev"}])
    assert rows(p, "dev") == [(1, "a"), (2, "b"), (3, "c"), (10, "dev")]
    assert rows(p, "default") == [(1, "a"), (2, "b"), (3, "c")]
    # From then on the branch has its own copy: default writes no longer show through.
    insert(p, "default", [{"id": 4, "name": "d"}])
    assert rows(p, "dev") == [(1, "a"), (2, "b"), (3, "c"), (10, "dev")]
    assert rows(p, "default") == [(1, "a"), (2, "b"), (3, "c"), (4, "d")]
    # The copy keeps the definition: primary key, defaults, NOT NULL of the key column.
    table = p.client.call("GET", table_path(p.id, BUCKET, "t", "dev"))
    assert table["primary_key"] == ["id"] and table["row_count"] == 4
    assert {c["name"]: c["default"] for c in table["columns"]} == {"id": None, "name": "x"}
    assert [c["nullable"] for c in table["columns"]] == [False, True]


def test_delete_rows_and_schema_changes_on_branch_leave_default_alone(setup):
    p = setup
    c = p.client
    deleted = c.call("DELETE", table_path(p.id, BUCKET, "t", "dev") + "/rows", 200,
                     json={"filters": [{"column": "id", "operator": "eq", "value": 1}]})
    assert deleted == {"deleted_rows": 1, "rows_after": 1}
    assert rows(p, "dev") == [(2, "b")]
    assert rows(p, "default") == [(1, "a"), (2, "b")]
    added = c.post(table_path(p.id, BUCKET, "t", "dev") + "/columns", json={"name": "extra", "type": "int"})
    assert added.status_code in (200, 201), added.text
    dev_cols = [col["name"] for col in c.call("GET", table_path(p.id, BUCKET, "t", "dev"))["columns"]]
    default_cols = [col["name"] for col in c.call("GET", table_path(p.id, BUCKET, "t"))["columns"]]
    assert dev_cols == ["id", "name", "extra"] and default_cols == ["id", "name"]


def test_create_and_delete_on_branch(setup):
    p = setup
    c = p.client
    # A table created on the branch exists only there.
    c.call("POST", tables_path(p.id, BUCKET, "dev"), 201, json={"name": "only_dev", "columns": COLUMNS})
    insert(p, "dev", [{"id": 7, "name": "z"}], table="only_dev")
    assert [t["name"] for t in c.call("GET", tables_path(p.id, BUCKET, "dev"))["tables"]] == ["only_dev", "t"]
    assert [t["name"] for t in c.call("GET", tables_path(p.id, BUCKET))["tables"]] == ["t"]
    expect_error(c.post(tables_path(p.id, BUCKET, "dev"), json={"name": "t", "columns": COLUMNS}), 409,
                 "table_exists")
    # Deleting an inherited table on the branch hides it there only.
    assert c.delete(table_path(p.id, BUCKET, "t", "dev")).status_code == 204
    expect_error(c.get(table_path(p.id, BUCKET, "t", "dev")), 404, "table_not_found")
    assert rows(p, "default") == [(1, "a"), (2, "b")]
    assert c.call("GET", bucket_path(p.id, BUCKET, "dev"))["table_count"] == 1
    # Reset brings the default branch's table back.
    reset = c.call("POST", table_path(p.id, BUCKET, "t", "dev") + "/reset", 200)
    assert reset["was_changed"] is True
    assert rows(p, "dev") == [(1, "a"), (2, "b")]
    # Buckets: a branch bucket is the branch's; deleting an inherited bucket hides it on the branch only.
    c.call("POST", buckets_path(p.id, "dev"), 201, json={"name": "out.c-dev"})
    assert "out.c-dev" not in [b["name"] for b in c.call("GET", buckets_path(p.id))["buckets"]]
    expect_error(c.post(buckets_path(p.id, "dev"), json={"name": BUCKET}), 409, "bucket_exists")
    expect_error(c.delete(bucket_path(p.id, BUCKET, "dev")), 409, "bucket_not_empty")
    assert c.delete(bucket_path(p.id, BUCKET, "dev") + "?cascade=true").status_code == 204
    assert [b["name"] for b in c.call("GET", buckets_path(p.id, "dev"))["buckets"]] == ["out.c-dev"]
    assert [b["name"] for b in c.call("GET", buckets_path(p.id))["buckets"]] == [BUCKET]
    assert rows(p, "default") == [(1, "a"), (2, "b")]


def test_branch_listing_pages_mix_own_and_inherited_tables(setup):
    # A page of a branch's listing reads its own tables from the branch's database and inherited ones from
    # the default branch's (each group's attributes in one query): every item must be what GET says.
    p = setup
    c = p.client
    for name, key in (("a", ["id"]), ("b", []), ("c", ["name", "id"])):
        p.create_table(BUCKET, name, COLUMNS, primary_key=key)
    insert(p, "dev", [{"id": 5, "name": "e"}], table="b")  # copied up: now the branch's own
    c.call("POST", tables_path(p.id, BUCKET, "dev"), 201, json={"name": "d", "columns": COLUMNS,
                                                                "primary_key": ["name"]})
    assert c.delete(table_path(p.id, BUCKET, "c", "dev")).status_code == 204  # hidden on the branch
    path = tables_path(p.id, BUCKET, "dev")
    full = c.call("GET", path)
    assert full["total"] == 4 and [t["name"] for t in full["tables"]] == ["a", "b", "d", "t"]
    paged = []
    for offset in range(0, 5, 2):
        page = c.call("GET", f"{path}?limit=2&offset={offset}")
        assert page["total"] == 4 and page["offset"] == offset
        paged += page["tables"]
    assert paged == full["tables"]
    for table in full["tables"]:
        assert table == c.call("GET", table_path(p.id, BUCKET, table["name"], "dev")), table["name"]
    assert [(t["primary_key"], t["row_count"]) for t in full["tables"]] == [
        (["id"], 0), ([], 1), (["name"], 0), (["id"], 2)]


def test_branches_are_isolated_and_dropping_removes_data(setup):
    p = setup
    c = p.client
    c.call("POST", p.path + "/branches", 201, json={"name": "other", "id": "other"})
    insert(p, "dev", [{"id": 100, "name": "dev"}])
    insert(p, "other", [{"id": 200, "name": "other"}])
    assert rows(p, "dev") == [(1, "a"), (2, "b"), (100, "dev")]
    assert rows(p, "other") == [(1, "a"), (2, "b"), (200, "other")]
    assert c.delete(p.path + "/branches/dev").status_code == 204
    branch_file = p.server.data_dir / "projects" / p.id / "branches" / "dev.duckdb"
    assert not branch_file.exists()
    # A new branch of the same id starts from the default branch again.
    c.call("POST", p.path + "/branches", 201, json={"name": "dev", "id": "dev"})
    assert rows(p, "dev") == [(1, "a"), (2, "b")]
    assert rows(p, "other") == [(1, "a"), (2, "b"), (200, "other")]


def test_branch_keys_are_bound_to_their_branch(setup):
    p = setup
    key = p.create_key("branch_admin", branch_id="dev")["api_key"]
    scoped = p.client.with_key(key)
    scoped.call("POST", table_path(p.id, BUCKET, "t", "dev") + "/rows", 201, json={"rows": [{"id": 5}]})
    expect_error(scoped.post(table_path(p.id, BUCKET, "t") + "/rows", json={"rows": [{"id": 6}]}), 403,
                 "forbidden")
    assert rows(p, "default") == [(1, "a"), (2, "b")]
    # Dropping the branch revokes its keys with it.
    assert p.client.delete(p.path + "/branches/dev").status_code == 204
    assert scoped.get(buckets_path(p.id, "dev")).status_code == 401


def test_branch_data_survives_restart(fresh_server):
    admin = fresh_server.admin()
    created = admin.call("POST", "/projects", 201, json={"id": "restart-branches"})
    c = fresh_server.client(created["api_key"])
    pid = created["id"]
    c.call("POST", buckets_path(pid), 201, json={"name": BUCKET})
    c.call("POST", tables_path(pid, BUCKET), 201, json={"name": "t", "columns": COLUMNS})
    c.call("POST", f"/projects/{pid}/branches", 201, json={"name": "dev", "id": "dev"})
    c.call("POST", table_path(pid, BUCKET, "t", "dev") + "/rows", 201, json={"rows": [{"id": 1}]})
    fresh_server.restart()
    c = fresh_server.client(created["api_key"])
    assert c.call("GET", table_path(pid, BUCKET, "t", "dev"))["row_count"] == 1
    assert c.call("GET", table_path(pid, BUCKET, "t"))["row_count"] == 0
