"""Keys declared in SQL: a table created through the driver's ExecuteQuery with PRIMARY KEY / UNIQUE has that
key wherever duckstore reports or uses one (ObjectInfo, the REST table description, DAS unique column, path
keys and writes, import dedup), unless the table holds an explicit Keboola primary key. The DAS writes are
replayed as the PostgreSQL client (multicorn-das) sends them."""

from __future__ import annotations

import grpc
import pytest

from das_support import Op, simple, status_of
from driver_client import Driver, expect_driver_error
from harness import table_path, unique_id
from keboola.storage_driver import bucket_pb2, execute_query_pb2, info_pb2, project_pb2, table_pb2
from test_das_client_replay import ForeignServer

Shared = table_pb2.ImportExportShared
Options = Shared.ImportOptions
Mapping = table_pb2.TableImportFromTableCommand.SourceTableMapping
B = "in.c-keys"


class KeysProject:
    def __init__(self, server):
        self.admin = Driver(server, "grpc", server.admin_key)
        self.id = unique_id("keys")
        created = self.admin.execute(project_pb2.CreateProjectCommand(projectId=self.id)).response
        self.key = created.projectPassword
        self.drv = self.admin.as_project(self.id, self.key)
        self.rest = server.client(self.key)
        self.drv.execute(bucket_pb2.CreateBucketCommand(bucketId=B))

    def sql(self, sql):
        response = self.drv.execute(execute_query_pb2.ExecuteQueryCommand(pathRestriction=[B], query=sql)).response
        assert response.status == execute_query_pb2.ExecuteQueryResponse.Success, response.message
        return [dict(r.fields) for r in response.data.rows]

    def key_of(self, table):
        info = self.drv.execute(info_pb2.ObjectInfoCommand(path=[B, table],
                                                          expectedObjectType=info_pb2.TABLE)).response
        return list(info.tableInfo.primaryKeysNames)


@pytest.fixture
def keys(server):
    project = KeysProject(server)
    project.sql("""CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR, email VARCHAR UNIQUE);
                   CREATE TABLE tags (tag VARCHAR UNIQUE, n INTEGER);
                   CREATE TABLE pair (a INTEGER NOT NULL, b INTEGER NOT NULL, UNIQUE (b, a));
                   CREATE TABLE loose (x INTEGER);
                   INSERT INTO people VALUES (1, 'Ann', 'ann@x'), (2, 'Bob', 'bob@x'), (3, 'Cid', 'cid@x')""")
    yield project
    project.admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=project.id))


def test_reported_by_object_info_and_rest(keys):
    # The PRIMARY KEY wins over a UNIQUE constraint; without one, the first UNIQUE constraint is the key.
    assert keys.key_of("people") == ["id"]
    assert keys.key_of("tags") == ["tag"]
    assert keys.key_of("pair") == ["b", "a"]
    assert keys.key_of("loose") == []
    described = keys.rest.call("GET", table_path(keys.id, B, "people"))
    assert described["primary_key"] == ["id"]
    assert keys.rest.call("GET", table_path(keys.id, B, "loose"))["primary_key"] == []


def test_an_explicit_keboola_key_wins(keys):
    add = table_pb2.AddPrimaryKeyCommand(path=[B], tableName="pair", primaryKeysNames=["a"])
    keys.drv.execute(add)
    assert keys.key_of("pair") == ["a"]
    expect_driver_error(lambda: keys.drv.execute(add), "FAILED_PRECONDITION", 3000, "primary_key_exists")
    drop = table_pb2.DropPrimaryKeyCommand(path=[B], tableName="pair")
    keys.drv.execute(drop)
    assert keys.key_of("pair") == ["b", "a"]  # DuckDB's key again
    # DuckDB cannot drop a constraint: the declared key stays, and saying so is an error.
    expect_driver_error(lambda: keys.drv.execute(drop), "INVALID_ARGUMENT", 3000, "primary_key_enforced")
    assert keys.key_of("pair") == ["b", "a"]


def test_das_writes_replayed_as_postgresql_sends_them(keys, server):
    pg = ForeignServer(server, {"project_id": keys.id, "api_key": keys.key})
    people = "in_c_keys__people"
    assert people in pg.import_foreign_schema()
    assert pg.das.unique_column(people) == "id"
    assert [list(k.key_columns) for k in pg.das.path_keys(people)] == [["id"]]
    assert "primary key (id)" in pg.das.definitions()[people].description
    # INSERT INTO people (id, name) VALUES (4, 'Dan'), (5, 'Eve')
    returned = pg.insert(people, [{"id": 4, "name": "Dan"}, {"id": 5, "name": "Eve"}])
    assert [(r["id"], r["name"], r["email"]) for r in returned] == [(4, "Dan", None), (5, "Eve", None)]
    # UPDATE people SET email = NULL WHERE name LIKE '%n'  (Ann, Dan)
    assert pg.update(people, [simple("name", Op.LIKE, "%n")], {"email": None}) == 2
    # DELETE FROM people WHERE id >= 4
    assert pg.delete(people, [simple("id", Op.GREATER_THAN_OR_EQUAL, 4)]) == 2
    rows, _ = pg.select(people, ["id", "name", "email"])
    assert sorted((r["id"], r["name"], r["email"]) for r in rows) == [
        (1, "Ann", None), (2, "Bob", "bob@x"), (3, "Cid", "cid@x")]
    # DuckDB enforces the key: a duplicate is refused and nothing changes.
    assert status_of(lambda: pg.das.insert(people, {"id": 1, "name": "Dup", "email": None})) != grpc.StatusCode.OK
    assert keys.sql("SELECT count(*) AS n FROM people") == [{"n": "3"}]
    # A table without any key stays read-only through DAS.
    assert status_of(lambda: pg.das.unique_column("in_c_keys__loose")) == grpc.StatusCode.UNIMPLEMENTED


def test_import_dedups_on_the_declared_key(keys):
    keys.sql("""CREATE TABLE staging (id INTEGER, name VARCHAR, email VARCHAR);
                INSERT INTO staging VALUES (2, 'Bobby', 'bobby@x'), (4, 'Dan', 'dan@x')""")
    result = keys.drv.execute(table_pb2.TableImportFromTableCommand(
        source=Mapping(path=[B], tableName="staging"), destination=Shared.Table(path=[B], tableName="people"),
        importOptions=Options(importType=Options.INCREMENTAL, dedupType=Options.UPDATE_DUPLICATES))).response
    assert (result.importedRowsCount, result.tableRowsCount) == (2, 4)
    assert keys.sql("SELECT id, name, email FROM people ORDER BY id") == [
        {"id": "1", "name": "Ann", "email": "ann@x"}, {"id": "2", "name": "Bobby", "email": "bobby@x"},
        {"id": "3", "name": "Cid", "email": "cid@x"}, {"id": "4", "name": "Dan", "email": "dan@x"}]
