"""DAS functions end to end: macros and table macros created through the storage driver's ExecuteQuery
(the door a Keboola user has) appear in GetFunctionDefinitions with their typed parameters, and
ExecuteFunction runs them with bound arguments."""

import decimal

import grpc
import pytest

from das_support import Das, options_for, status_of
from driver_client import Driver
from keboola.storage_driver import execute_query_pb2

BUCKET = "in.c-fn"
Query = execute_query_pb2.ExecuteQueryCommand


def run_sql(drv, sql):
    response = drv.execute(Query(pathRestriction=[BUCKET], query=sql)).response
    assert response.status == execute_query_pb2.ExecuteQueryResponse.Success, response.message
    return response


@pytest.fixture
def das(server, project):
    project.create_bucket(BUCKET)
    project.create_table(BUCKET, "items", [{"name": "id", "type": "INTEGER"}, {"name": "name", "type": "VARCHAR"},
                                           {"name": "price", "type": "DECIMAL(10,2)"}], primary_key=["id"])
    project.insert(BUCKET, "items", [{"id": 1, "name": "apple", "price": "1.20"},
                                     {"id": 2, "name": "melon", "price": "3.50"},
                                     {"id": 3, "name": "kiwi", "price": "0.40"}])
    drv = Driver(server, "grpc", project.key, project.id)
    # Project databases use the 1.4 storage format, so macro parameters may be typed; untyped ones are `any`.
    run_sql(drv, "CREATE MACRO with_tax(amount DOUBLE, rate DOUBLE) AS amount * (1 + rate)")
    run_sql(drv, "CREATE MACRO greet(who) AS 'hello ' || who")
    run_sql(drv, "CREATE MACRO untyped(x) AS x * 2")
    run_sql(drv, "CREATE MACRO discounted(price, pct := 10) AS price * (100 - pct) / 100")
    # DuckDB binds a macro's body where it is called: tables in it are named with their bucket.
    run_sql(drv, "CREATE MACRO cheaper_than(limit_price) AS TABLE "
                 'SELECT id, name, price FROM "in.c-fn".items WHERE price < limit_price ORDER BY id')
    client = Das(server)
    client.register(options_for(project))
    yield client
    client.close()


def test_macros_are_listed_with_their_parameters(das):
    definitions = {d.function_id.name: d for d in das.function_definitions()}
    assert sorted(definitions) == ["in_c_fn__cheaper_than", "in_c_fn__discounted", "in_c_fn__greet",
                                   "in_c_fn__untyped", "in_c_fn__with_tax"]
    discounted = definitions["in_c_fn__discounted"].params
    assert [p.name for p in discounted] == ["price", "pct"]
    assert "default 10" in discounted[1].description and not discounted[0].description
    params = [(p.name, p.type.WhichOneof("type")) for p in definitions["in_c_fn__with_tax"].params]
    assert params == [("amount", "double"), ("rate", "double")]
    assert [p.type.WhichOneof("type") for p in definitions["in_c_fn__untyped"].params] == ["any"]
    table = definitions["in_c_fn__cheaper_than"]
    assert table.return_type.WhichOneof("type") == "list"
    assert table.return_type.list.inner_type.WhichOneof("type") == "record"
    assert definitions["in_c_fn__greet"].return_type.WhichOneof("type") == "any"


def test_functions_run_with_bound_arguments(das):
    assert das.call("in_c_fn__with_tax", amount=10.0, rate=0.5) == 15.0
    assert das.call("in_c_fn__with_tax", rate=0.1, amount=100) == pytest.approx(110.0)
    # A value is bound, never spliced: quotes and SQL stay data.
    assert das.call("in_c_fn__greet", who="x'); DROP TABLE items; --") == "hello x'); DROP TABLE items; --"
    assert das.call("in_c_fn__untyped", x=21) == 42
    # A parameter with a default may be left out.
    assert das.call("in_c_fn__discounted", price=decimal.Decimal("50.00")) == 45
    assert das.call("in_c_fn__discounted", price=decimal.Decimal("50.00"), pct=50) == 25
    rows = das.call("in_c_fn__cheaper_than", limit_price=decimal.Decimal("2.00"))
    assert rows == [{"id": 1, "name": "apple", "price": decimal.Decimal("1.20")},
                    {"id": 3, "name": "kiwi", "price": decimal.Decimal("0.40")}]
    assert das.call("in_c_fn__cheaper_than", limit_price=0) == []


def test_function_errors(server, das, project):
    assert status_of(lambda: das.call("in_c_fn__nope", x=1)) == grpc.StatusCode.INVALID_ARGUMENT
    assert status_of(lambda: das.call("in_c_fn__greet", nobody="x")) == grpc.StatusCode.INVALID_ARGUMENT
    assert status_of(lambda: das.call("in_c_fn__with_tax", amount=1)) == grpc.StatusCode.INVALID_ARGUMENT
    assert status_of(lambda: das.call("in_c_fn__with_tax", amount="not a number", rate=1.0)) == \
        grpc.StatusCode.INVALID_ARGUMENT  # DuckDB cannot add a string and a number
    # Macros created later are visible at once; dropped ones are gone.
    drv = Driver(server, "grpc", project.key, project.id)
    run_sql(drv, "DROP MACRO greet")
    assert "in_c_fn__greet" not in {d.function_id.name for d in das.function_definitions()}


def test_macro_bodies_stay_in_scope(server, project):
    project.create_bucket(BUCKET)
    project.create_bucket("in.c-other")
    drv = Driver(server, "grpc", project.key, project.id)
    for sql in ('CREATE MACRO m() AS TABLE SELECT * FROM "in.c-other".t',
                'CREATE MACRO m(x) AS (SELECT count(*) FROM _duckstore.tables) + x',
                'CREATE MACRO "in.c-other".m(x) AS x'):
        failed = None
        try:
            drv.execute(Query(pathRestriction=[BUCKET], query=sql))
        except Exception as error:  # noqa: BLE001  (DriverError carries the status)
            failed = error
        assert failed is not None and "query_out_of_scope" in str(failed), sql
