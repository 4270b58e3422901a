"""Buckets: create, list with paging, get, delete (empty, non-empty, cascade)."""

from harness import expect_error


def buckets(project):
    return project.path + "/branches/default/buckets"


def test_create_and_get(project):
    created = project.create_bucket("in.c-sales", "Sales data")
    assert created["name"] == "in.c-sales"
    assert created["description"] == "Sales data"
    assert created["table_count"] == 0
    assert created["created_at"].endswith("Z")
    assert project.client.call("GET", project.bucket_path("in.c-sales")) == created
    # Lookups are case-insensitive and answer with the canonical name.
    assert project.client.call("GET", project.bucket_path("IN.C-SALES"))["name"] == "in.c-sales"


def test_create_rejects_duplicates_reserved_and_missing_names(project):
    project.create_bucket("in.c-dup")
    expect_error(project.client.post(buckets(project), json={"name": "in.c-dup"}), 409, "bucket_exists")
    expect_error(project.client.post(buckets(project), json={"name": "IN.C-Dup"}), 409, "bucket_exists")
    for reserved in ("main", "MAIN", "_duckstore", "_duckstore_x", "information_schema", "pg_catalog", "temp"):
        expect_error(project.client.post(buckets(project), json={"name": reserved}), 400, "invalid_name")
    expect_error(project.client.post(buckets(project), json={}), 400, "missing_field")
    expect_error(project.client.post(buckets(project), json={"name": 7}), 400, "invalid_field")
    names = [b["name"] for b in project.client.call("GET", buckets(project))["buckets"]]
    assert names == ["in.c-dup"]


def test_list_with_paging(project):
    names = [f"in.c-b{i}" for i in range(5)]
    for name in reversed(names):
        project.create_bucket(name)
    project.create_table("in.c-b1", "t", [{"name": "a", "type": "INTEGER"}])
    everything = project.client.call("GET", buckets(project))
    assert everything["total"] == 5 and everything["offset"] == 0
    assert [b["name"] for b in everything["buckets"]] == names  # sorted by name
    assert [b["table_count"] for b in everything["buckets"]] == [0, 1, 0, 0, 0]
    page = project.client.call("GET", buckets(project) + "?limit=2&offset=2")
    assert (page["limit"], page["offset"], page["total"]) == (2, 2, 5)
    assert [b["name"] for b in page["buckets"]] == names[2:4]
    last = project.client.call("GET", buckets(project) + "?limit=2&offset=4")
    assert [b["name"] for b in last["buckets"]] == names[4:]
    assert project.client.call("GET", buckets(project) + "?offset=10")["buckets"] == []
    expect_error(project.client.get(buckets(project) + "?limit=1001"), 400, "invalid_parameter")


def test_get_unknown_bucket_and_branch(project):
    expect_error(project.client.get(project.bucket_path("in.c-none")), 404, "bucket_not_found")
    expect_error(project.client.get(project.bucket_path("main")), 404, "bucket_not_found")
    expect_error(project.client.get(project.path + "/branches/dev-1/buckets"), 404, "branch_not_found")


def test_delete_empty_bucket(project):
    project.create_bucket("in.c-gone")
    assert project.client.delete(project.bucket_path("in.c-gone")).status_code == 204
    expect_error(project.client.get(project.bucket_path("in.c-gone")), 404, "bucket_not_found")
    expect_error(project.client.delete(project.bucket_path("in.c-gone")), 404, "bucket_not_found")
    project.create_bucket("in.c-gone")  # the name is free again


def test_delete_non_empty_needs_cascade(project):
    project.create_bucket("out.c-full", "keep me")
    project.create_table("out.c-full", "t1", [{"name": "a", "type": "INTEGER"}])
    project.create_table("out.c-full", "t2", [{"name": "b", "type": "VARCHAR"}])
    project.insert("out.c-full", "t1", [{"a": 1}])
    for query in ("", "?cascade=false", "?cascade=0"):
        err = expect_error(project.client.delete(project.bucket_path("out.c-full") + query), 409, "bucket_not_empty")
        assert err["details"] == {"table_count": 2}
    bucket = project.client.call("GET", project.bucket_path("out.c-full"))
    assert bucket["table_count"] == 2 and bucket["description"] == "keep me"
    expect_error(project.client.delete(project.bucket_path("out.c-full") + "?cascade=yes"), 400, "invalid_parameter")

    assert project.client.delete(project.bucket_path("out.c-full") + "?cascade=true").status_code == 204
    expect_error(project.client.get(project.bucket_path("out.c-full")), 404, "bucket_not_found")
    expect_error(project.client.get(project.table_path("out.c-full", "t1")), 404, "bucket_not_found")
    stats = project.client.call("GET", project.path + "/stats")
    assert (stats["bucket_count"], stats["table_count"], stats["row_count"]) == (0, 0, 0)

    # Recreated with the same names, nothing of the old bucket comes back.
    recreated = project.create_bucket("out.c-full")
    assert recreated["description"] == "" and recreated["table_count"] == 0
    table = project.create_table("out.c-full", "t1", [{"name": "z", "type": "BIGINT"}])
    assert [c["name"] for c in table["columns"]] == ["z"] and table["row_count"] == 0
    assert table["primary_key"] == []
