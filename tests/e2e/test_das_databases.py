"""DAS over standalone DuckDB files (`database` option, admin key, --das-databases-dir): path confinement,
read-only serving of every schema's tables and macros, persistence across restarts, built-ins.

The file is a real DuckDB database written by duckstore itself (a project's database, copied while the
server is stopped): two buckets' tables and a macro, plus duckstore's internal schema, all of which a
standalone registration shows."""

import os
import shutil

import grpc
import pytest

from das_support import Das, Op, key_metadata, simple, sort_key, status_of
from driver_client import Driver
from harness import Project, Server
from keboola.storage_driver import execute_query_pb2

ADMIN_KEY = "dsadmin.standalone-databases-test-key"
SHOP = "shop/shop.duckdb"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    base = tmp_path_factory.mktemp("dasdb")
    databases, outside = base / "databases", base / "outside"
    (databases / "shop").mkdir(parents=True)
    outside.mkdir()
    # The admin key is known in advance (the built-in registration names it): placed where the server keeps it.
    (base / "data" / "secrets").mkdir(parents=True)
    (base / "data" / "secrets" / "admin.key").write_text(ADMIN_KEY + "\n")
    srv = Server(base / "data", base / "logs", extra_args=[
        "--das-databases-dir", str(databases), "--das-builtin", f"files:database={SHOP};api_key={ADMIN_KEY}"])
    srv.start()
    project = Project(srv)
    project.create_bucket("in.c-shop")
    project.create_table("in.c-shop", "orders", [
        {"name": "id", "type": "INTEGER"}, {"name": "customer", "type": "VARCHAR"},
        {"name": "total", "type": "DECIMAL(10,2)"}, {"name": "day", "type": "DATE"}], primary_key=["id"])
    project.insert("in.c-shop", "orders", [
        {"id": 1, "customer": "acme", "total": "10.50", "day": "2024-01-01"},
        {"id": 2, "customer": "bolt", "total": "20.00", "day": "2024-01-02"},
        {"id": 3, "customer": None, "total": "5.25", "day": None}])
    project.create_bucket("out.c-report")
    project.create_table("out.c-report", "daily", [{"name": "day", "type": "DATE"}, {"name": "n", "type": "BIGINT"}])
    project.insert("out.c-report", "daily", [{"day": "2024-01-01", "n": 7}])
    drv = Driver(srv, "grpc", project.key, project.id)
    response = drv.execute(execute_query_pb2.ExecuteQueryCommand(
        pathRestriction=["in.c-shop"], query="CREATE MACRO double_it(x) AS x * 2")).response
    assert response.status == execute_query_pb2.ExecuteQueryResponse.Success, response.message
    response = drv.execute(execute_query_pb2.ExecuteQueryCommand(pathRestriction=["in.c-shop"], query=(
        "CREATE TABLE tagged (tag VARCHAR UNIQUE, n INTEGER); INSERT INTO tagged VALUES ('a', 1), ('b', 2)"))).response
    assert response.status == execute_query_pb2.ExecuteQueryResponse.Success, response.message
    assert srv.stop() == 0  # checkpoints the project database
    source = srv.data_dir / "projects" / project.id / "project.duckdb"
    shutil.copy(source, databases / SHOP)
    shutil.copy(source, outside / "secret.duckdb")
    (databases / "notes.txt").write_text("not a database, but long enough to have a header\n")
    os.symlink(outside / "secret.duckdb", databases / "escape.duckdb")
    srv.start()
    yield srv, databases, outside
    srv.stop()


@pytest.fixture
def das(env):
    client = Das(env[0])
    yield client
    client.close()


def register(das, path, key=ADMIN_KEY, **extra):
    return das.register({"database": str(path), "api_key": key, "das_url": "ignored", **extra})


def test_every_schema_is_served_read_only(das):
    register(das, SHOP)
    definitions = das.definitions()
    assert {"in_c_shop__orders", "out_c_report__daily"} <= set(definitions)
    assert any(name.startswith("_duckstore__") for name in definitions)  # the file's other schemas too
    orders = definitions["in_c_shop__orders"]
    assert [(c.name, c.type.WhichOneof("type")) for c in orders.columns] == [
        ("id", "int"), ("customer", "string"), ("total", "decimal"), ("day", "date")]
    assert "read-only" in orders.description and SHOP in orders.description
    # The exact form <schema>/<table> names the same table.
    assert das.execute("in.c-shop/orders", columns=["id"]) == das.execute("in_c_shop__orders", columns=["id"])


def test_scans_push_down(das):
    register(das, SHOP)
    rows = das.execute("in_c_shop__orders", columns=["id", "customer"], quals=[simple("total", Op.GREATER_THAN, 6)],
                       sort_keys=[sort_key("id", desc=True)], limit=5)
    assert rows == [{"id": 2, "customer": "bolt"}, {"id": 1, "customer": "acme"}]
    assert das.execute("in_c_shop__orders", columns=["id"], quals=[simple("customer", Op.EQUALS, None)]) == [{"id": 3}]
    assert das.estimate("in_c_shop__orders").rows >= 1
    assert any("SEQ_SCAN" in line or "TABLE_SCAN" in line for line in das.explain("in_c_shop__orders"))
    assert das.execute("out_c_report__daily", columns=["day", "n"]) == [{"day": __import__("datetime").date(2024, 1, 1), "n": 7}]


def test_writes_are_unimplemented(das):
    register(das, SHOP)
    assert status_of(lambda: das.unique_column("in_c_shop__orders")) == grpc.StatusCode.UNIMPLEMENTED
    assert status_of(lambda: das.insert("in_c_shop__orders", {"id": 9})) == grpc.StatusCode.UNIMPLEMENTED
    assert status_of(lambda: das.bulk_insert("in_c_shop__orders", [{"id": 9}])) == grpc.StatusCode.UNIMPLEMENTED
    assert status_of(lambda: das.update("in_c_shop__orders", 1, {"id": 1})) == grpc.StatusCode.UNIMPLEMENTED
    assert status_of(lambda: das.delete("in_c_shop__orders", 1)) == grpc.StatusCode.UNIMPLEMENTED
    assert len(das.execute("in_c_shop__orders", columns=["id"])) == 3


def test_keys_declared_in_sql_are_the_file_tables_keys(das):
    register(das, SHOP)
    # The UNIQUE constraint DuckDB enforces is the key (the file holds no other); the file stays read-only.
    assert "primary key (tag)" in das.definitions()["in_c_shop__tagged"].description
    assert [list(k.key_columns) for k in das.path_keys("in_c_shop__tagged")] == [["tag"]]
    assert das.execute("in_c_shop__tagged", columns=["n"], quals=[simple("tag", Op.EQUALS, "b")]) == [{"n": 2}]
    assert status_of(lambda: das.unique_column("in_c_shop__tagged")) == grpc.StatusCode.UNIMPLEMENTED


def test_macros_of_the_file_are_functions(das):
    register(das, SHOP)
    definitions = {d.function_id.name: d for d in das.function_definitions()}
    assert [p.type.WhichOneof("type") for p in definitions["in_c_shop__double_it"].params] == ["any"]
    assert das.call("in_c_shop__double_it", x=21) == 42


def test_paths_are_confined_to_the_directory(env, das):
    _, databases, outside = env
    # An absolute path inside the directory is the same file as its relative form.
    register(das, databases / SHOP)
    assert "in_c_shop__orders" in das.definitions()
    for path, code in [("../outside/secret.duckdb", grpc.StatusCode.INVALID_ARGUMENT),
                       ("shop/../shop/shop.duckdb", grpc.StatusCode.INVALID_ARGUMENT),
                       (outside / "secret.duckdb", grpc.StatusCode.PERMISSION_DENIED),
                       ("/etc/passwd", grpc.StatusCode.PERMISSION_DENIED),
                       ("escape.duckdb", grpc.StatusCode.PERMISSION_DENIED),  # a symlink leading out
                       ("notes.txt", grpc.StatusCode.INVALID_ARGUMENT),  # not a DuckDB file
                       ("shop", grpc.StatusCode.INVALID_ARGUMENT),  # a directory
                       ("missing.duckdb", grpc.StatusCode.INVALID_ARGUMENT),
                       ("", grpc.StatusCode.INVALID_ARGUMENT)]:
        assert status_of(lambda: register(das, path)) == code, path


def test_only_the_admin_key_registers_databases(env, das):
    srv = env[0]
    project = Project(srv)
    assert status_of(lambda: register(das, SHOP, key=project.key)) == grpc.StatusCode.PERMISSION_DENIED
    assert status_of(lambda: register(das, SHOP, key="dsadmin.wrong")) == grpc.StatusCode.UNAUTHENTICATED
    assert status_of(lambda: register(das, SHOP, project_id=project.id)) == grpc.StatusCode.INVALID_ARGUMENT
    project.delete()


def test_disabled_without_a_directory(server):
    das = Das(server)
    assert status_of(lambda: register(das, SHOP, key=server.admin_key)) == grpc.StatusCode.INVALID_ARGUMENT
    das.close()


def test_registrations_survive_restart_and_builtins(env, das):
    srv = env[0]
    das_id = register(das, SHOP)
    assert register(das, SHOP) != das_id  # no id: a new registration
    assert das.register({"database": SHOP, "api_key": ADMIN_KEY}, das_id=das_id) == das_id  # same: no-op
    srv.restart()
    again = Das(srv, das_id)
    assert len(again.execute("in_c_shop__orders", columns=["id"])) == 3
    builtin = Das(srv, "files")  # --das-builtin files:database=...
    assert builtin.execute("out_c_report__daily", columns=["n"]) == [{"n": 7}]
    admin = key_metadata(ADMIN_KEY)
    assert status_of(lambda: builtin.registration.Unregister(builtin.das_id, metadata=admin)) == \
        grpc.StatusCode.INVALID_ARGUMENT
    again.registration.Unregister(again.das_id, metadata=admin)
    assert status_of(lambda: again.definitions()) == grpc.StatusCode.NOT_FOUND
    again.close()
    builtin.close()
