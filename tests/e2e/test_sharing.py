"""Bucket sharing over REST: share, link (read-only cross-project reads of the source's current data),
writes refused, unlink, unshare breaking links, target restrictions, read-only grants."""

import pytest

from harness import bucket_path, buckets_path, expect_error, table_path, tables_path

SRC = "out.c-shared"


@pytest.fixture
def pair(project_factory):
    source = project_factory()
    target = project_factory()
    source.create_bucket(SRC, "shared data")
    source.create_table(SRC, "t", [{"name": "id", "type": "int"}, {"name": "v", "type": "varchar"}],
                        primary_key=["id"])
    source.insert(SRC, "t", [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}])
    return source, target


def share(project, bucket=SRC, expect=200, **body):
    return project.client.call("POST", project.bucket_path(bucket) + "/share", expect, json=body)


def link(target, source, name="in.c-linked", expect=201, bucket=SRC):
    return target.client.call("POST", target.bucket_path(name) + "/link", expect,
                              json={"source_project_id": source.id, "source_bucket": bucket})


def test_link_reads_source_current_data_and_refuses_writes(pair):
    source, target = pair
    shared = share(source)
    assert shared["bucket"] == SRC and shared["target_project_ids"] == [] and shared["links"] == []
    linked = link(target, source)
    assert linked["is_linked"] is True and linked["source_project_id"] == source.id
    assert linked["source_bucket"] == SRC and linked["table_count"] == 1
    names = [b["name"] for b in target.client.call("GET", buckets_path(target.id))["buckets"]]
    assert names == ["in.c-linked"]
    tables = target.client.call("GET", tables_path(target.id, "in.c-linked"))
    assert [t["name"] for t in tables["tables"]] == ["t"] and tables["tables"][0]["bucket"] == "in.c-linked"
    got = target.client.call("GET", target.table_path("in.c-linked", "t"))
    assert got["row_count"] == 2 and got["primary_key"] == ["id"]
    # Reads follow the source's current data.
    source.insert(SRC, "t", [{"id": 3, "v": "c"}])
    preview = target.preview("in.c-linked", "t", order_by=[{"column": "id"}])
    assert [r["id"] for r in preview["rows"]] == [1, 2, 3]
    # Every write is refused; the source is untouched.
    tpath = target.table_path("in.c-linked", "t")
    expect_error(target.client.post(tpath + "/rows", json={"rows": [{"id": 9}]}), 403, "bucket_read_only")
    expect_error(target.client.delete(tpath + "/rows", json={}), 403, "bucket_read_only")
    expect_error(target.client.delete(tpath), 403, "bucket_read_only")
    expect_error(target.client.post(tpath + "/columns", json={"name": "x", "type": "int"}), 403, "bucket_read_only")
    expect_error(target.client.post(tables_path(target.id, "in.c-linked"),
                                    json={"name": "n", "columns": [{"name": "a", "type": "int"}]}),
                 403, "bucket_read_only")
    assert source.preview(SRC, "t")["total_row_count"] == 3
    share_info = source.client.call("GET", source.bucket_path(SRC) + "/share")
    assert share_info["links"][0]["project_id"] == target.id


def test_unlink_and_unshare_break_links_cleanly(pair, project_factory):
    source, target = pair
    share(source)
    link(target, source, "in.c-one")
    link(target, source, "in.c-two")
    expect_error(target.client.post(target.bucket_path("in.c-one") + "/link",
                                    json={"source_project_id": source.id, "source_bucket": SRC}), 409, "bucket_exists")
    assert target.client.delete(target.bucket_path("in.c-one") + "/link").status_code == 204
    expect_error(target.client.delete(target.bucket_path("in.c-one") + "/link"), 404, "link_not_found")
    assert source.client.delete(source.bucket_path(SRC) + "/share").status_code == 204
    expect_error(target.client.get(target.bucket_path("in.c-two")), 404, "bucket_not_found")
    expect_error(target.client.get(target.table_path("in.c-two", "t")), 404, "bucket_not_found")
    assert target.client.call("GET", buckets_path(target.id))["buckets"] == []
    # The name is free again for a bucket of the target's own.
    target.create_bucket("in.c-two")
    expect_error(source.client.delete(source.bucket_path(SRC) + "/share"), 404, "share_not_found")
    expect_error(target.client.post(target.bucket_path("in.c-x") + "/link",
                                    json={"source_project_id": source.id, "source_bucket": SRC}), 404, "share_not_found")


def test_deleting_the_source_bucket_removes_links(pair):
    source, target = pair
    share(source)
    link(target, source)
    assert source.client.delete(source.bucket_path(SRC) + "?cascade=true").status_code == 204
    expect_error(target.client.get(target.bucket_path("in.c-linked")), 404, "bucket_not_found")


def test_share_targets_and_errors(pair, project_factory):
    source, target = pair
    other = project_factory()
    share(source, target_project_ids=[other.id])
    expect_error(target.client.post(target.bucket_path("in.c-l") + "/link",
                                    json={"source_project_id": source.id, "source_bucket": SRC}), 403,
                 "share_not_granted")
    link(other, source, "in.c-l")
    expect_error(source.client.post(source.bucket_path(SRC) + "/share", json={}), 409, "bucket_already_shared")
    expect_error(source.client.post(source.bucket_path("nope") + "/share", json={}), 404, "bucket_not_found")
    expect_error(source.client.post(source.bucket_path("in.c-y") + "/share", json={"target_project_ids": ["nope"]}),
                 404, "bucket_not_found")
    # Another project's key cannot share the source's bucket.
    expect_error(target.client.post(source.bucket_path(SRC) + "/share", json={}), 403, "forbidden")
    # Sharing works on the default branch only.
    source.client.call("POST", source.path + "/branches", 201, json={"name": "dev", "id": "dev"})
    expect_error(source.client.post(bucket_path(source.id, SRC, "dev") + "/share", json={}), 400,
                 "default_branch_only")


def test_linked_bucket_loads_into_a_workspace(pair):
    source, target = pair
    share(source)
    link(target, source)
    target.client.call("POST", target.path + "/branches/default/workspaces", 201, json={"id": "w"})
    loaded = target.client.call("POST", target.path + "/branches/default/workspaces/w/load", 200,
                                json={"source": {"bucket": "in.c-linked", "table": "t"},
                                      "filters": [{"column": "id", "operator": "ge", "value": 2}]})
    assert loaded["rows"] == 1 and loaded["columns"] == ["id", "v"]


def test_readonly_grants(pair):
    source, _ = pair
    c = source.client
    assert c.put(source.bucket_path(SRC) + "/readonly-grant").status_code == 204
    assert c.call("GET", source.path + "/readonly-grants") == {"buckets": [SRC]}
    assert c.call("GET", source.path + "/branches/default/readonly-grants") == {
        "role": f"{source.id}_ro", "buckets": [SRC]}
    assert c.delete(source.bucket_path(SRC) + "/readonly-grant").status_code == 204
    assert c.call("GET", source.path + "/readonly-grants") == {"buckets": []}
    expect_error(c.put(source.bucket_path("nope") + "/readonly-grant"), 404, "bucket_not_found")
