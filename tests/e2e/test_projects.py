"""Projects (admin lifecycle), project stats and the operations log."""

from harness import Project, expect_error, unique_id


def test_create_returns_project_and_working_admin_key(server, admin):
    pid = unique_id("p")
    created = admin.call("POST", "/projects", 201, json={"id": pid, "name": "Sales", "settings": {"region": "eu"}})
    try:
        assert created["id"] == pid
        assert created["name"] == "Sales"
        assert created["status"] == "active"
        assert created["settings"] == {"region": "eu"}
        assert created["created_at"] and created["created_at"] == created["updated_at"]
        assert created["api_key"].startswith(created["api_key_id"] + ".")
        got = server.client(created["api_key"]).call("GET", f"/projects/{pid}")
        assert got == {k: created[k] for k in ("id", "name", "status", "settings", "created_at", "updated_at")}
    finally:
        admin.delete(f"/projects/{pid}")


def test_create_defaults_name_to_id_and_rejects_duplicates_and_bad_ids(project, admin):
    assert project.created["name"] == project.id
    assert project.created["settings"] == {}
    expect_error(admin.post("/projects", json={"id": project.id}), 409, "project_exists")
    expect_error(admin.post("/projects", json={}), 400, "missing_field")
    for bad in ("has space", "a/b", "dots.not.allowed", "", "x" * 300):
        expect_error(admin.post("/projects", json={"id": bad}), 400, "invalid_name")
    expect_error(admin.post("/projects", json={"id": unique_id(), "settings": [1]}), 400, "invalid_request")
    expect_error(admin.post("/projects", data=b"{not json", headers={"Content-Type": "application/json"}),
                 400, "invalid_json")


def test_list_pages_through_all_projects(admin, project_factory):
    mine = {project_factory().id for _ in range(3)}
    first = admin.call("GET", "/projects?limit=2&offset=0")
    assert first["limit"] == 2 and first["offset"] == 0
    assert len(first["projects"]) == 2
    total = first["total"]
    assert total >= 3
    seen = []
    for offset in range(0, total, 2):
        page = admin.call("GET", f"/projects?limit=2&offset={offset}")
        assert page["total"] == total
        seen += [p["id"] for p in page["projects"]]
    assert len(seen) == total and len(set(seen)) == total  # every project exactly once
    assert mine <= set(seen)
    assert admin.call("GET", f"/projects?limit=5&offset={total}")["projects"] == []
    default = admin.call("GET", "/projects")
    assert default["offset"] == 0 and default["limit"] >= 1
    for query in ("limit=0", "limit=1001", "limit=abc", "offset=-1"):
        expect_error(admin.get(f"/projects?{query}"), 400, "invalid_parameter")


def test_get_unknown_project_is_404(admin):
    expect_error(admin.get(f"/projects/{unique_id()}"), 404, "project_not_found")


def test_update_name_and_settings(project, admin):
    updated = project.client.call("PUT", project.path, json={"name": "Renamed"})
    assert updated["name"] == "Renamed" and updated["settings"] == {}
    assert updated["updated_at"] >= updated["created_at"]
    updated = admin.call("PUT", project.path, json={"settings": {"retention_days": 7, "tags": ["a"]}})
    assert updated["name"] == "Renamed"
    assert updated["settings"] == {"retention_days": 7, "tags": ["a"]}
    got = admin.call("GET", project.path)
    assert got["name"] == "Renamed" and got["settings"] == {"retention_days": 7, "tags": ["a"]}
    expect_error(admin.put(project.path, json={"name": ""}), 400, "invalid_request")
    expect_error(admin.put(project.path, json={"settings": "x"}), 400, "invalid_request")
    expect_error(admin.put(project.path, json={"name": 5}), 400, "invalid_field")
    expect_error(admin.put(f"/projects/{unique_id()}", json={"name": "x"}), 404, "project_not_found")


def test_delete_cascades_and_id_is_reusable(server, admin):
    project = Project(server)
    project.create_bucket("in.c-main")
    project.create_table("in.c-main", "t", [{"name": "id", "type": "INTEGER"}])
    project.insert("in.c-main", "t", [{"id": 1}, {"id": 2}])
    reader = project.create_key("branch_read", branch_id="default")["api_key"]

    storage = server.data_dir / "projects" / project.id
    assert (storage / "project.duckdb").exists()
    assert admin.delete(project.path).status_code == 204
    assert not storage.exists()  # the database files are gone
    expect_error(admin.get(project.path), 404, "project_not_found")
    expect_error(admin.get(project.path + "/stats"), 404, "project_not_found")
    expect_error(admin.get(project.bucket_path("in.c-main")), 404, "project_not_found")
    assert project.id not in [p["id"] for p in admin.call("GET", "/projects?limit=1000")["projects"]]
    for key in (project.key, reader):  # the keys died with the project
        expect_error(server.client(key).get(project.path), 401, "unauthorized")
    expect_error(admin.delete(project.path), 404, "project_not_found")

    again = Project(server, project.id)  # same id, brand new project
    try:
        assert again.client.call("GET", project.path + "/branches/default/buckets")["buckets"] == []
        assert again.client.call("GET", project.path + "/stats")["table_count"] == 0
        expect_error(server.client(project.key).get(project.path), 401, "unauthorized")
        keys = again.client.call("GET", project.path + "/api-keys")["api_keys"]
        assert [k["id"] for k in keys] == [again.key_id]
        # The operations log of the old project (bucket and table names included) went with it.
        ops = again.client.call("GET", project.path + "/operations")["operations"]
        assert [o["operation"] for o in ops] == ["project.create"]
    finally:
        again.delete()


def test_stats_count_buckets_tables_and_rows(project, admin):
    empty = project.client.call("GET", project.path + "/stats")
    assert empty == {"id": project.id, "bucket_count": 0, "table_count": 0, "row_count": 0,
                     "size_bytes": empty["size_bytes"]}
    project.create_bucket("in.c-a")
    project.create_bucket("out.c-b")
    project.create_table("in.c-a", "t1", [{"name": "x", "type": "INTEGER"}])
    project.create_table("out.c-b", "t2", [{"name": "y", "type": "VARCHAR"}])
    project.insert("in.c-a", "t1", [{"x": i} for i in range(5)])
    project.insert("out.c-b", "t2", [{"y": "a"}, {"y": "b"}])
    stats = admin.call("GET", project.path + "/stats")
    assert stats["bucket_count"] == 2
    assert stats["table_count"] == 2
    assert stats["row_count"] == 7
    assert isinstance(stats["size_bytes"], int) and stats["size_bytes"] >= 0  # checkpointed data only


def test_operations_log_records_mutations_with_request_ids(project):
    project.client.call("POST", project.path + "/branches/default/buckets", 201, json={"name": "in.c-ops"},
                        headers={"X-Request-ID": "req-ops-1"})
    failed = project.client.post(project.path + "/branches/default/buckets", json={"name": "in.c-ops"},
                                 headers={"X-Request-ID": "req-ops-2"})
    expect_error(failed, 409, "bucket_exists")
    project.create_table("in.c-ops", "t", [{"name": "a", "type": "INTEGER"}])

    log = project.client.call("GET", project.path + "/operations")
    ops = log["operations"]
    assert log["total"] == len(ops) == 4  # project.create, bucket.create twice, table.create
    assert [o["operation"] for o in ops] == ["table.create", "bucket.create", "bucket.create", "project.create"]
    assert ops[0]["resource"] == "in.c-ops.t" and ops[0]["status"] == "ok"
    assert ops[1]["request_id"] == "req-ops-2" and ops[1]["status"] == "bucket_exists"
    assert ops[2]["request_id"] == "req-ops-1" and ops[2]["status"] == "ok" and ops[2]["resource"] == "in.c-ops"
    assert ops[3]["resource"] == project.id
    assert all(o["at"] and o["duration_ms"] >= 0 and isinstance(o["id"], int) for o in ops)

    page = project.client.call("GET", project.path + "/operations?limit=2&offset=1")
    assert page["total"] == 4 and [o["id"] for o in page["operations"]] == [ops[1]["id"], ops[2]["id"]]
    # Reading is not an operation; other projects' operations are not listed.
    assert project.client.call("GET", project.path + "/operations")["total"] == 4
