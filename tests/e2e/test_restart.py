"""Process lifecycle: first start prints the admin key once, SIGTERM exits 0, everything survives a restart."""

import stat

from harness import Project, expect_error


def test_admin_key_is_printed_once_and_stored(fresh_server):
    srv = fresh_server
    assert srv.printed_admin_key and srv.printed_admin_key.startswith("dsadmin.")
    assert srv.admin_key_file.read_text().strip() == srv.printed_admin_key
    assert stat.S_IMODE(srv.admin_key_file.stat().st_mode) == 0o600
    srv.admin().call("GET", "/projects")
    srv.restart()
    assert srv.printed_admin_key is None  # not shown again
    assert srv.admin_key == srv.admin_key_file.read_text().strip()
    srv.admin().call("GET", "/projects")
    assert "admin key" not in srv.stdout_path.read_text()


def test_data_and_keys_survive_restart(fresh_server):
    srv = fresh_server
    project = Project(srv, name="persisted", settings={"a": 1})
    bucket, table = "in.c-keep", "orders.2024"
    project.create_bucket(bucket, "kept")
    project.create_table(bucket, table, [{"name": "id", "type": "INTEGER"}, {"name": "name", "type": "VARCHAR",
                                                                              "default": "none"}], primary_key=["id"])
    project.insert(bucket, table, [{"id": i, "name": f"n{i}"} for i in range(1, 301)] + [{"id": 0}])
    reader = project.create_key("branch_read", branch_id="default", expires_in_days=5)
    revoked = project.create_key("branch_admin", branch_id="default")
    project.client.call("DELETE", f"{project.path}/api-keys/{revoked['id']}", 204)
    ops_before = project.client.call("GET", project.path + "/operations")["total"]
    table_before = project.client.call("GET", project.table_path(bucket, table))

    for _ in range(2):  # twice: the second start opens what the first restart wrote
        assert srv.stop() == 0, srv.tail()
        srv.start()
        admin = srv.admin()
        assert admin.call("GET", project.path)["settings"] == {"a": 1}
        project.client = srv.client(project.key)
        got = project.client.call("GET", project.table_path(bucket, table))
        assert {k: got[k] for k in ("columns", "primary_key", "row_count", "created_at")} == {
            k: table_before[k] for k in ("columns", "primary_key", "row_count", "created_at")}
        assert got["row_count"] == 301
        assert project.client.call("GET", project.bucket_path(bucket))["description"] == "kept"
        rows = project.preview(bucket, table, filters=[{"column": "id", "operator": "le", "value": 2}],
                               order_by=[{"column": "id"}])["rows"]
        assert rows == [{"id": 0, "name": "none"}, {"id": 1, "name": "n1"}, {"id": 2, "name": "n2"}]
        assert srv.client(reader["api_key"]).call("GET", project.table_path(bucket, table) + "/stats")["row_count"] == 301
        expect_error(srv.client(revoked["api_key"]).get(project.path), 401, "unauthorized")
        assert project.client.call("GET", project.path + "/operations")["total"] == ops_before
        keys = project.client.call("GET", project.path + "/api-keys")["api_keys"]
        assert {k["id"] for k in keys} == {project.key_id, reader["id"]}
        stats = admin.call("GET", project.path + "/stats")
        assert stats["row_count"] == 301 and stats["table_count"] == 1 and stats["bucket_count"] == 1
        assert stats["size_bytes"] > 0  # checkpointed on shutdown
        assert got["size_bytes"] > 0

    # Still writable after the restarts.
    project.insert(bucket, table, [{"id": 1000}])
    project.create_table(bucket, "after", [{"name": "x", "type": "INTEGER"}])
    assert srv.stop() == 0
    srv.start()
    project.client = srv.client(project.key)
    assert project.client.call("GET", project.table_path(bucket, table))["row_count"] == 302
    assert [t["name"] for t in project.client.call("GET", project.tables_path(bucket))["tables"]] == ["after", table]


def test_deleted_project_stays_deleted_after_restart(fresh_server):
    srv = fresh_server
    project = Project(srv)
    project.create_bucket("in.c-a")
    srv.admin().call("DELETE", project.path, 204)
    srv.restart()
    expect_error(srv.admin().get(project.path), 404, "project_not_found")
    expect_error(srv.client(project.key).get(project.path), 401, "unauthorized")
    again = Project(srv, project.id)
    assert again.client.call("GET", project.path + "/branches/default/buckets")["buckets"] == []


def test_sigint_also_exits_cleanly(fresh_server):
    import signal
    Project(fresh_server).create_bucket("in.c-a")
    assert fresh_server.stop(signal.SIGINT) == 0
