"""DAS v1 over gRPC, black box: registration, table definitions, scans with every pushdown, type round trips,
streaming and cancellation, writes, auth scopes, unknown ids and tables."""

import datetime
import decimal
import time

import grpc
import pytest

from das_support import (CLIENT_MAX_MESSAGE, Das, Op, das_row, is_all, is_any, key_metadata, options_for, simple,
                         sort_key, status_of)
from das_support import ts

BUCKET = "in.c-sales"
ORDERS = "in_c_sales__orders"
ORDER_COLUMNS = [
    {"name": "id", "type": "INTEGER"},
    {"name": "customer", "type": "VARCHAR"},
    {"name": "amount", "type": "DECIMAL(12,2)"},
    {"name": "paid", "type": "BOOLEAN"},
    {"name": "day", "type": "DATE"},
    {"name": "score", "type": "DOUBLE"},
    {"name": "big", "type": "BIGINT"},
]
ORDER_ROWS = [
    {"id": 1, "customer": "acme", "amount": "10.50", "paid": True, "day": "2024-01-01", "score": 1.5, "big": 9000000000},
    {"id": 2, "customer": "Bob", "amount": "20.00", "paid": False, "day": "2024-01-02", "score": None, "big": 2},
    {"id": 3, "customer": "carol", "amount": None, "paid": True, "day": None, "score": 3.25, "big": 3},
    {"id": 4, "customer": None, "amount": "5.25", "paid": None, "day": "2024-03-01", "score": -1.0, "big": None},
    {"id": 5, "customer": "a_b%c", "amount": "7.00", "paid": False, "day": "2024-02-29", "score": 0.0, "big": 5},
]


@pytest.fixture
def sales(project):
    project.create_bucket(BUCKET)
    project.create_table(BUCKET, "orders", ORDER_COLUMNS, primary_key=["id"])
    project.insert(BUCKET, "orders", ORDER_ROWS)
    return project


@pytest.fixture
def das(server, sales):
    client = Das(server)
    client.register(options_for(sales))
    yield client
    client.close()


def ids(rows):
    return sorted(r["id"] for r in rows)


# --- health and registration -------------------------------------------------------------------------


def test_health_check_serving(server):
    das = Das(server)
    response = das.check()
    assert response.status == response.SERVING and response.description.startswith("Version: ")


def test_register_validates_definition_and_credentials(server, sales, project_factory):
    das = Das(server)
    code = lambda options, das_type="duckdb": status_of(lambda: das.register(options, das_type=das_type))
    assert code({"api_key": sales.key}) == grpc.StatusCode.INVALID_ARGUMENT
    assert code({"project_id": sales.id}) == grpc.StatusCode.INVALID_ARGUMENT
    assert code(options_for(sales), das_type="sqlite") == grpc.StatusCode.INVALID_ARGUMENT
    assert code(options_for(sales, buckets="in.c-nope")) == grpc.StatusCode.INVALID_ARGUMENT
    assert code(options_for(sales, key="DSKNOPE.secret")) == grpc.StatusCode.UNAUTHENTICATED
    other = project_factory()
    assert code(options_for(sales, key=other.key)) == grpc.StatusCode.PERMISSION_DENIED
    branch_key = sales.create_key("branch_read", branch_id="default")["api_key"]
    assert das.register(options_for(sales, key=branch_key))
    # The admin key may expose any project.
    assert das.register(options_for(sales, key=server.admin_key))


def test_register_honours_client_id_and_ignores_das_options(server, sales):
    das = Das(server)
    das_id = f"fixed-{sales.id}"
    assert das.register(options_for(sales, das_url="x:1", das_type="duckdb"), das_id=das_id) == das_id
    # The same definition again (as a client re-registering, with its table options) is a no-op.
    assert das.register(options_for(sales, das_table_name=ORDERS, das_id=das_id, das_startup_cost="1000"),
                        das_id=das_id) == das_id
    # The same id with another definition is refused.
    assert status_of(lambda: das.register(options_for(sales, buckets=BUCKET), das_id=das_id)) == \
        grpc.StatusCode.ALREADY_EXISTS
    # Without an id every registration gets a new one.
    assert das.register(options_for(sales)) != das.register(options_for(sales))


def test_unknown_das_id_is_not_found_everywhere(server, sales):
    das = Das(server, das_id="no-such-das")
    assert status_of(das.definitions) == grpc.StatusCode.NOT_FOUND
    assert status_of(lambda: das.estimate(ORDERS)) == grpc.StatusCode.NOT_FOUND
    assert status_of(lambda: das.path_keys(ORDERS)) == grpc.StatusCode.NOT_FOUND
    assert status_of(lambda: das.unique_column(ORDERS)) == grpc.StatusCode.NOT_FOUND
    assert status_of(lambda: das.execute_stream(ORDERS, columns=["id"])) == grpc.StatusCode.NOT_FOUND
    assert status_of(lambda: das.insert(ORDERS, {"id": 9})) == grpc.StatusCode.NOT_FOUND
    assert status_of(lambda: das.sort_orders(ORDERS, [sort_key("id")])) == grpc.StatusCode.NOT_FOUND
    assert status_of(lambda: das.explain(ORDERS, columns=["id"])) == grpc.StatusCode.NOT_FOUND
    assert status_of(lambda: das.bulk_size(ORDERS)) == grpc.StatusCode.NOT_FOUND
    assert status_of(lambda: das.bulk_insert(ORDERS, [{"id": 9}])) == grpc.StatusCode.NOT_FOUND
    assert status_of(lambda: das.update(ORDERS, 1, {"id": 1})) == grpc.StatusCode.NOT_FOUND
    assert status_of(lambda: das.delete(ORDERS, 1)) == grpc.StatusCode.NOT_FOUND
    assert status_of(das.function_definitions) == grpc.StatusCode.NOT_FOUND
    assert status_of(lambda: das.call("f", x=1)) == grpc.StatusCode.NOT_FOUND
    # Unregistering an unknown id is a no-op; a registration is gone once unregistered.
    das.registration.Unregister(das.das_id, metadata=key_metadata(sales.key))
    das.register(options_for(sales))
    das.registration.Unregister(das.das_id, metadata=key_metadata(sales.key))
    assert status_of(das.definitions) == grpc.StatusCode.NOT_FOUND


def test_readable_ids_need_the_callers_key(server, sales, project_factory):
    """Issue 15 item 3: knowing or guessing a DAS id gives nothing unless the id is a server-issued one."""
    unauthenticated, denied = grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED
    das_id = f"team-{sales.id}"
    assert Das(server).register(options_for(sales), das_id=das_id) == das_id
    anonymous = Das(server, das_id)
    assert status_of(anonymous.definitions) == unauthenticated
    assert status_of(lambda: anonymous.execute(ORDERS, columns=["id"])) == unauthenticated
    assert status_of(lambda: anonymous.estimate(ORDERS)) == unauthenticated
    assert status_of(lambda: anonymous.insert(ORDERS, {"id": 9})) == unauthenticated
    other = project_factory()
    assert status_of(Das(server, das_id, key=other.key).definitions) == denied
    assert status_of(Das(server, das_id, key="DSKNOPE.secret").definitions) == unauthenticated

    owner = Das(server, das_id, key=sales.key)
    assert sorted(owner.definitions()) == [ORDERS]
    assert ids(owner.execute(ORDERS, columns=["id"])) == [1, 2, 3, 4, 5]
    # A read-only caller reads through the registration but cannot write through it.
    reader = Das(server, das_id, key=sales.create_key("branch_read", branch_id="default")["api_key"])
    assert ids(reader.execute(ORDERS, columns=["id"])) == [1, 2, 3, 4, 5]
    assert status_of(lambda: reader.insert(ORDERS, {"id": 9})) == denied
    owner.insert(ORDERS, {"id": 9})
    assert ids(reader.execute(ORDERS, columns=["id"])) == [1, 2, 3, 4, 5, 9]

    # A server-issued id is the credential multicorn-das has (it sends no metadata); Unregister still needs the
    # caller's key, with write access.
    issued = Das(server)
    issued.register(options_for(sales))
    assert sorted(issued.definitions()) == [ORDERS]
    assert status_of(lambda: issued.registration.Unregister(issued.das_id)) == unauthenticated
    assert status_of(lambda: Das(server, key=other.key).registration.Unregister(issued.das_id)) == denied
    assert status_of(lambda: reader.registration.Unregister(owner.das_id)) == denied
    assert sorted(issued.definitions()) == [ORDERS] and sorted(owner.definitions()) == [ORDERS]
    owner.registration.Unregister(owner.das_id)
    Das(server, key=sales.key).registration.Unregister(issued.das_id)
    assert status_of(owner.definitions) == grpc.StatusCode.NOT_FOUND
    assert status_of(issued.definitions) == grpc.StatusCode.NOT_FOUND


def test_revoked_key_and_deleted_project_lose_access(server, das, sales):
    key = sales.create_key("project_admin")
    reader = Das(server)
    reader.register(options_for(sales, key=key["api_key"]))
    assert ORDERS in reader.definitions()
    sales.client.call("DELETE", f"{sales.path}/api-keys/{key['id']}", 204)
    assert status_of(reader.definitions) == grpc.StatusCode.UNAUTHENTICATED
    sales.delete()
    assert status_of(das.definitions) == grpc.StatusCode.NOT_FOUND


# --- table definitions -----------------------------------------------------------------------------------


def test_table_definitions_name_types_and_costs(das, sales):
    sales.create_bucket("out.c-Report 2024")
    sales.create_table("out.c-Report 2024", "Daily-Totals", [{"name": "x", "type": "INTEGER"}])
    definitions = das.definitions()
    assert set(definitions) == {ORDERS, "out_c_report_2024__daily_totals"}
    orders = definitions[ORDERS]
    assert orders.startup_cost > 0
    assert "orders" in orders.description and BUCKET in orders.description and "primary key (id)" in orders.description
    kinds = {c.name: c.type.WhichOneof("type") for c in orders.columns}
    assert kinds == {"id": "int", "customer": "string", "amount": "decimal", "paid": "bool", "day": "date",
                     "score": "double", "big": "long"}
    nullable = {c.name: getattr(c.type, c.type.WhichOneof("type")).nullable for c in orders.columns}
    assert nullable["id"] is False and nullable["customer"] is True
    # The exact form bucket/table is accepted as well.
    assert len(das.execute(f"{BUCKET}/orders", columns=["id"])) == 5


def test_colliding_names_fall_back_to_the_exact_form(das, sales):
    sales.create_bucket("in_c_sales")
    sales.create_table("in_c_sales", "orders", [{"name": "x", "type": "INTEGER"}])
    names = set(das.definitions())
    assert ORDERS not in names
    assert {f"{BUCKET}/orders", "in_c_sales/orders"} <= names


def test_buckets_option_limits_the_tables(server, sales):
    sales.create_bucket("in.c-hidden")
    sales.create_table("in.c-hidden", "secret", [{"name": "x", "type": "INTEGER"}])
    das = Das(server)
    das.register(options_for(sales, buckets=f" {BUCKET} ,"))
    assert set(das.definitions()) == {ORDERS}
    assert status_of(lambda: das.execute_stream("in_c_hidden__secret", columns=["x"])) == \
        grpc.StatusCode.INVALID_ARGUMENT


def test_unknown_table_and_column_are_invalid_argument(das):
    for call in (lambda: das.estimate("nope__nope"), lambda: das.execute_stream("nope__nope"),
                 lambda: das.unique_column("nope__nope"), lambda: das.path_keys("nope__nope"),
                 lambda: das.sort_orders("nope__nope", [sort_key("id")]), lambda: das.explain("nope__nope"),
                 lambda: das.insert("nope__nope", {"id": 1}), lambda: das.bulk_insert("nope__nope", [{"id": 1}]),
                 lambda: das.update("nope__nope", 1, {"id": 1}), lambda: das.delete("nope__nope", 1)):
        assert status_of(call) == grpc.StatusCode.INVALID_ARGUMENT
    # The bulk size is a server setting, the same for every table.
    assert das.bulk_size(ORDERS) >= 1
    assert status_of(lambda: das.execute_stream(ORDERS, columns=["nope"])) == grpc.StatusCode.INVALID_ARGUMENT


# --- scans ----------------------------------------------------------------------------------------------------


def test_projection_and_empty_projection(das):
    rows = das.execute(ORDERS, columns=["customer", "id"])
    assert all(set(r) == {"id", "customer"} for r in rows)
    assert {r["id"]: r["customer"] for r in rows}[2] == "Bob"
    # No columns (count(*)): still one row per match.
    assert das.execute(ORDERS, columns=[]) == [{}] * 5
    assert len(das.execute(ORDERS, columns=[], quals=[simple("id", Op.GREATER_THAN, 2)])) == 3


@pytest.mark.parametrize("qual, expected", [
    (simple("id", Op.EQUALS, 2), [2]),
    (simple("id", Op.NOT_EQUALS, 2), [1, 3, 4, 5]),
    (simple("id", Op.LESS_THAN, 3), [1, 2]),
    (simple("id", Op.LESS_THAN_OR_EQUAL, 3), [1, 2, 3]),
    (simple("id", Op.GREATER_THAN, 3), [4, 5]),
    (simple("id", Op.GREATER_THAN_OR_EQUAL, 3), [3, 4, 5]),
    (simple("customer", Op.LIKE, "%o%"), [2, 3]),
    (simple("customer", Op.NOT_LIKE, "%o%"), [1, 5]),
    (simple("customer", Op.ILIKE, "b%"), [2]),
    (simple("customer", Op.NOT_ILIKE, "b%"), [1, 3, 5]),
    (simple("customer", Op.LIKE, "a\\_b\\%c"), [5]),
    (simple("amount", Op.GREATER_THAN, decimal.Decimal("7.5")), [1, 2]),
    (simple("paid", Op.EQUALS, True), [1, 3]),
    (simple("day", Op.GREATER_THAN_OR_EQUAL, datetime.date(2024, 2, 1)), [4, 5]),
    (simple("score", Op.LESS_THAN, 1.0), [4, 5]),
    (simple("id", Op.LESS_THAN, 2.5), [1, 2]),
    (simple("big", Op.EQUALS, 9000000000), [1]),
    (simple("customer", Op.EQUALS, None), [4]),
    (simple("customer", Op.NOT_EQUALS, None), [1, 2, 3, 5]),
])
def test_every_operator(das, qual, expected):
    assert ids(das.execute(ORDERS, columns=["id"], quals=[qual])) == expected


@pytest.mark.parametrize("op", [Op.PLUS, Op.MINUS, Op.TIMES, Op.DIV, Op.MOD, Op.AND, Op.OR])
def test_non_comparison_operators_are_not_applied(das, op):
    # Not comparisons: skipped, so every row comes back (the client rechecks) and the limit is dropped.
    assert ids(das.execute(ORDERS, columns=["id"], quals=[simple("id", op, 1)], limit=2)) == [1, 2, 3, 4, 5]


def test_quals_are_and_ed(das):
    quals = [simple("paid", Op.EQUALS, True), simple("paid", Op.EQUALS, False)]
    assert das.execute(ORDERS, columns=["id"], quals=quals) == []
    quals = [simple("id", Op.GREATER_THAN, 1), simple("customer", Op.LIKE, "%o%")]
    assert ids(das.execute(ORDERS, columns=["id"], quals=quals)) == [2, 3]


def test_unsafe_quals_return_a_superset_and_drop_the_limit(das):
    # String ordering depends on the client's collation: not applied, so every row comes back.
    assert len(das.execute(ORDERS, columns=["id"], quals=[simple("customer", Op.LESS_THAN, "b")])) == 5
    # Comparison with NULL other than (in)equality, and values that do not convert: ignored.
    assert len(das.execute(ORDERS, columns=["id"], quals=[simple("id", Op.LESS_THAN, None)])) == 5
    assert len(das.execute(ORDERS, columns=["id"], quals=[simple("day", Op.EQUALS, "not a date")])) == 5
    # Arithmetic operators are not comparisons.
    assert len(das.execute(ORDERS, columns=["id"], quals=[simple("id", Op.PLUS, 1)], limit=1)) == 5
    # A limit with an inexact qual would drop rows the client wants: it is not applied.
    rows = das.execute(ORDERS, columns=["id", "customer"], quals=[simple("customer", Op.LESS_THAN, "b")], limit=1)
    assert len(rows) == 5
    # With exact quals it is.
    assert len(das.execute(ORDERS, columns=["id"], quals=[simple("id", Op.GREATER_THAN, 1)], limit=2)) == 2
    assert das.execute(ORDERS, columns=["id"], limit=0) == []


def test_in_lists_sent_as_is_all_mean_any(das):
    # multicorn-das sends `id IN (2, 3)` as is_all_qual EQUALS: it must not become id = 2 AND id = 3.
    assert ids(das.execute(ORDERS, columns=["id"], quals=[is_all("id", Op.EQUALS, [2, 3])])) == [2, 3]
    # ... and the limit is not applied with it (the qual is a superset in general).
    assert len(das.execute(ORDERS, columns=["id"], quals=[is_all("id", Op.EQUALS, [2, 3])], limit=1)) == 2
    # NOT IN arrives as is_all NOT_EQUALS: a superset is fine.
    rows = das.execute(ORDERS, columns=["id"], quals=[is_all("id", Op.NOT_EQUALS, [2, 3])])
    assert {1, 4, 5} <= set(ids(rows))
    # An empty ALL list is true for every row.
    assert len(das.execute(ORDERS, columns=["id"], quals=[is_all("id", Op.EQUALS, [])])) == 5


def test_is_any_quals_are_exact(das):
    assert ids(das.execute(ORDERS, columns=["id"], quals=[is_any("id", Op.EQUALS, [2, 3, None])])) == [2, 3]
    assert ids(das.execute(ORDERS, columns=["id"], quals=[is_any("id", Op.LESS_THAN, [1, 3])])) == [1, 2]
    assert das.execute(ORDERS, columns=["id"], quals=[is_any("id", Op.EQUALS, [])]) == []
    assert len(das.execute(ORDERS, columns=["id"], quals=[is_any("id", Op.EQUALS, [2, 3])], limit=1)) == 1


def test_sort_orders_and_sorted_scans(das):
    keys = [sort_key("score", 6, desc=True), sort_key("id", 1)]
    assert [k.name for k in das.sort_orders(ORDERS, keys)] == ["score", "id"]
    # Strings sort by collation: only the C collation is guaranteed.
    assert das.sort_orders(ORDERS, [sort_key("customer", 2), sort_key("id", 1)]) == []
    assert [k.name for k in das.sort_orders(ORDERS, [sort_key("id", 1), sort_key("customer", 2)])] == ["id"]
    assert len(das.sort_orders(ORDERS, [sort_key("customer", 2, collate="C")])) == 1
    rows = das.execute(ORDERS, columns=["id", "score"], sort_keys=[sort_key("score", 6, desc=True)])
    assert [r["id"] for r in rows] == [2, 3, 1, 5, 4]  # DESC puts NULLs first by default
    rows = das.execute(ORDERS, columns=["id"], sort_keys=[sort_key("score", 6, desc=True, nulls_first=False)])
    assert [r["id"] for r in rows] == [3, 1, 5, 4, 2]
    rows = das.execute(ORDERS, columns=["customer"], sort_keys=[sort_key("customer", 2, collate="C", nulls_first=True)])
    assert [r["customer"] for r in rows] == [None, "Bob", "a_b%c", "acme", "carol"]
    assert status_of(lambda: das.execute_stream(ORDERS, columns=["id"], sort_keys=[sort_key("customer", 2)])) == \
        grpc.StatusCode.INVALID_ARGUMENT


def test_path_keys_estimates_and_explain(das, sales):
    keys = das.path_keys(ORDERS)
    assert [(list(k.key_columns), k.expected_rows) for k in keys] == [(["id"], 1)]
    sales.create_table(BUCKET, "nokey", [{"name": "x", "type": "INTEGER"}])
    assert das.path_keys("in_c_sales__nokey") == []
    estimate = das.estimate(ORDERS)
    assert estimate.rows == 5 and estimate.bytes > 0
    narrow = das.estimate(ORDERS, columns=["id"])
    assert 0 < narrow.bytes < estimate.bytes
    assert das.estimate(ORDERS, quals=[simple("id", Op.EQUALS, 3)]).rows <= 5
    lines = das.explain(ORDERS, columns=["id"], quals=[simple("id", Op.EQUALS, 3), simple("customer", Op.LESS_THAN, "b")],
                        limit=3)
    assert lines[0].startswith('SELECT "id" FROM "in.c-sales"."orders" WHERE "id" = $1')
    assert any("not pushed down exactly" in line for line in lines)
    assert any("limit not pushed down" in line for line in lines)
    assert any("SEQ_SCAN" in line or "TABLE_SCAN" in line for line in lines)


# --- types --------------------------------------------------------------------------------------------------

ALL_TYPES = [
    ("id", "INTEGER", "int"),
    ("ti", "TINYINT", "byte"),
    ("si", "SMALLINT", "short"),
    ("bi", "BIGINT", "long"),
    ("hi", "HUGEINT", "decimal"),
    ("ut", "UTINYINT", "short"),
    ("us", "USMALLINT", "int"),
    ("ui", "UINTEGER", "long"),
    ("ub", "UBIGINT", "decimal"),
    ("fl", "FLOAT", "float"),
    ("db", "DOUBLE", "double"),
    ("de", "DECIMAL(38,10)", "decimal"),
    ("bo", "BOOLEAN", "bool"),
    ("vc", "VARCHAR", "string"),
    ("bl", "BLOB", "binary"),
    ("da", "DATE", "date"),
    ("tm", "TIME", "time"),
    ("tsp", "TIMESTAMP", "timestamp"),
    ("tz", "TIMESTAMPTZ", "timestamp"),
    ("ns", "TIMESTAMP_NS", "timestamp"),
    ("iv", "INTERVAL", "interval"),
    ("li", "INTEGER[]", "list"),
    ("st", "STRUCT(a INTEGER, b VARCHAR)", "record"),
    ("mp", "MAP(VARCHAR, INTEGER)", "record"),
    ("js", "JSON", "any"),
    ("uu", "UUID", "string"),
]

SAMPLE = {
    "id": 1, "ti": -7, "si": 300, "bi": 9000000000, "hi": decimal.Decimal("170141183460469231731687303715884105727"),
    "ut": 255, "us": 65535, "ui": 4294967295, "ub": decimal.Decimal("18446744073709551615"), "fl": 1.5,
    "db": 2.718281828459045, "de": decimal.Decimal("1234567890123456789.0123456789"), "bo": True, "vc": "héllo 'q'",
    "bl": b"\x00\xff\x01ab", "da": datetime.date(2024, 2, 29), "tm": datetime.time(12, 34, 56, 789000),
    "tsp": datetime.datetime(2024, 2, 29, 12, 34, 56, 123456), "tz": datetime.datetime(2024, 2, 29, 23, 0, 1),
    "ns": datetime.datetime(2001, 1, 1, 0, 0, 0, 1), "iv": "1 year 2 months 3 days 04:05:06.000007", "li": [1, None, 3],
    "st": {"a": 1, "b": "x"}, "mp": {"k": 1, "z": None}, "js": {"a": [1, 2.5, "s"], "b": {"c": None}},
    "uu": "550e8400-e29b-41d4-a716-446655440000",
}


def test_every_type_maps_and_round_trips(das, sales):
    sales.create_table(BUCKET, "types", [{"name": n, "type": t} for n, t, _ in ALL_TYPES], primary_key=["id"])
    definition = das.definitions()["in_c_sales__types"]
    assert {c.name: c.type.WhichOneof("type") for c in definition.columns} == {n: k for n, _, k in ALL_TYPES}
    li = next(c for c in definition.columns if c.name == "li")
    assert li.type.list.inner_type.WhichOneof("type") == "int"
    st = next(c for c in definition.columns if c.name == "st")
    assert [(a.name, a.tipe.WhichOneof("type")) for a in st.type.record.atts] == [("a", "int"), ("b", "string")]

    stored = das.insert("in_c_sales__types", SAMPLE)
    null_row = {n: None for n, _, _ in ALL_TYPES} | {"id": 2}
    das.insert("in_c_sales__types", null_row)
    rows = {r["id"]: r for r in das.execute("in_c_sales__types", columns=[n for n, _, _ in ALL_TYPES])}
    expected = dict(SAMPLE)
    expected["iv"] = (1, 2, 3, 4, 5, 6, 7)
    expected["fl"] = 1.5
    expected["vc"] = "héllo 'q'"
    assert rows[1] == expected
    assert stored == expected  # InsertTable answers with the row as stored
    assert rows[2] == null_row
    # Kinds as sent: each column travels as its own DAS value kind.
    batch = next(iter(das.execute_stream("in_c_sales__types", columns=[n for n, _, _ in ALL_TYPES],
                                         quals=[simple("id", Op.EQUALS, 1)])))
    kinds = {c.name: c.data.WhichOneof("value") for c in batch.rows[0].columns}
    assert kinds == {n: ("record" if k == "any" else k) for n, _, k in ALL_TYPES}
    # Nanosecond timestamps keep their nanoseconds.
    ns = next(c.data.timestamp for c in batch.rows[0].columns if c.name == "ns")
    assert ns.nano == 1000
    # Every scalar type's value also travels back as a qual and finds its row.
    for name, _, kind in ALL_TYPES:
        if kind in ("list", "record", "any", "interval"):
            continue
        found = ids(das.execute("in_c_sales__types", columns=["id"], quals=[simple(name, Op.EQUALS, SAMPLE[name])]))
        assert found == [1], name


def test_impossible_values_are_invalid_argument(das):
    assert status_of(lambda: das.insert(ORDERS, {"id": 9, "day": "not a date"})) == grpc.StatusCode.INVALID_ARGUMENT
    assert status_of(lambda: das.insert(ORDERS, {"id": 9, "amount": "abc"})) == grpc.StatusCode.INVALID_ARGUMENT
    assert status_of(lambda: das.insert(ORDERS, {"id": 9, "nope": 1})) == grpc.StatusCode.INVALID_ARGUMENT


# --- streaming and cancellation ----------------------------------------------------------------------------


@pytest.fixture
def big(das, sales):
    """25,000 rows of 1 kB: a 25 MB result."""
    sales.create_table(BUCKET, "big", [{"name": "id", "type": "INTEGER"}, {"name": "payload", "type": "VARCHAR"}],
                       primary_key=["id"])
    for start in range(0, 25_000, 2_500):
        das.bulk_insert("in_c_sales__big", [{"id": i, "payload": f"{i:08d}" + "x" * 992}
                                            for i in range(start, start + 2_500)])
    return "in_c_sales__big"


def test_large_results_stream_in_batches_under_the_client_limit(das, big):
    messages = sizes = 0
    seen = set()
    for batch in das.execute_stream(big, columns=["id", "payload"]):
        size = batch.ByteSize()
        assert size < CLIENT_MAX_MESSAGE
        messages += 1
        sizes += size
        for row in batch.rows:
            seen.add(row.columns[0].data.int.v if row.columns[0].name == "id" else row.columns[1].data.int.v)
    assert sizes > 20_000_000
    assert messages >= 10
    assert seen == set(range(25_000))
    # A client's smaller max_batch_size_bytes makes smaller messages (3/4 of it at most).
    small = [b.ByteSize() for b in das.execute_stream(big, columns=["id", "payload"], max_batch=200_000)]
    assert max(small) <= 150_000 + 2_000 and len(small) > 100


def test_cancelling_mid_stream_stops_the_scan(server, das, big):
    stream = das.execute_stream(big, columns=["id", "payload"], max_batch=100_000)
    first = next(iter(stream))
    assert len(first.rows) > 0
    stream.cancel()
    with pytest.raises(grpc.RpcError) as error:
        for _ in stream:
            pass
    assert error.value.code() == grpc.StatusCode.CANCELLED
    # The server notices and stops producing (it logs how far the scan got), and keeps serving.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "cancelled the scan of" not in server.stderr_path.read_text():
        time.sleep(0.1)
    assert "cancelled the scan of" in server.stderr_path.read_text()
    assert len(das.execute(big, columns=["id"], quals=[simple("id", Op.LESS_THAN, 10)])) == 10


# --- writes --------------------------------------------------------------------------------------------------


def test_insert_update_delete(das, sales):
    sales.create_table(BUCKET, "items", [
        {"name": "id", "type": "BIGINT"}, {"name": "name", "type": "VARCHAR"},
        {"name": "qty", "type": "INTEGER", "nullable": False, "default": "1"},
        {"name": "_timestamp", "type": "TIMESTAMP"}], primary_key=["id"])
    table = "in_c_sales__items"
    assert das.unique_column(table) == "id"
    assert das.bulk_size(table) >= 1
    # The client sends every column; omitted ones arrive as NULL: a NOT NULL column then takes its default.
    row = das.insert(table, {"id": 1, "name": "one", "qty": None, "_timestamp": None})
    assert row["id"] == 1 and row["qty"] == 1 and isinstance(row["_timestamp"], datetime.datetime)
    rows = das.bulk_insert(table, [{"id": i, "name": f"n{i}", "qty": i, "_timestamp": None} for i in range(2, 6)])
    assert [r["id"] for r in rows] == [2, 3, 4, 5]
    # Update takes the whole new row, key included.
    updated = das.update(table, 2, {"id": 20, "name": "twenty", "qty": 7, "_timestamp": None})
    assert updated["id"] == 20 and updated["name"] == "twenty" and updated["qty"] == 7
    das.delete(table, 3)
    got = {r["id"]: r["name"] for r in das.execute(table, columns=["id", "name"])}
    assert got == {1: "one", 20: "twenty", 4: "n4", 5: "n5"}
    assert status_of(lambda: das.update(table, 999, {"id": 999, "name": "x", "qty": 1})) == \
        grpc.StatusCode.INVALID_ARGUMENT
    # The primary key stays unique: an insert, a bulk insert or an update onto an existing key is refused
    # as a bad argument (PostgreSQL shows it as an error, no retry) and nothing of it is kept.
    assert status_of(lambda: das.insert(table, {"id": 1, "name": "dup", "qty": 1, "_timestamp": None})) == \
        grpc.StatusCode.INVALID_ARGUMENT
    assert status_of(lambda: das.bulk_insert(table, [{"id": 6, "name": "n6", "qty": 6, "_timestamp": None},
                                                     {"id": 4, "name": "dup", "qty": 4, "_timestamp": None}])) == \
        grpc.StatusCode.INVALID_ARGUMENT
    assert status_of(lambda: das.update(table, 5, {"id": 4, "name": "dup", "qty": 1, "_timestamp": None})) == \
        grpc.StatusCode.INVALID_ARGUMENT
    got = {r["id"]: r["name"] for r in das.execute(table, columns=["id", "name"])}
    assert got == {1: "one", 20: "twenty", 4: "n4", 5: "n5"}
    # DAS writes are ordinary table writes: row counts and the operations log see them.
    info = sales.client.call("GET", sales.table_path(BUCKET, "items"))
    assert info["row_count"] == 4
    operations = [o["operation"] for o in sales.client.call("GET", f"{sales.path}/operations")["operations"]]
    assert {"table.insert_rows", "table.update_rows", "table.delete_rows"} <= set(operations)


def test_tables_without_a_unique_column_are_read_only(das, sales):
    sales.create_table(BUCKET, "log", [{"name": "a", "type": "INTEGER"}, {"name": "b", "type": "INTEGER"}],
                       primary_key=["a", "b"])
    sales.create_table(BUCKET, "nokey", [{"name": "a", "type": "INTEGER"}])
    for table in ("in_c_sales__log", "in_c_sales__nokey"):
        assert status_of(lambda: das.unique_column(table)) == grpc.StatusCode.UNIMPLEMENTED
        assert status_of(lambda: das.insert(table, {"a": 1})) == grpc.StatusCode.UNIMPLEMENTED
        assert status_of(lambda: das.delete(table, 1)) == grpc.StatusCode.UNIMPLEMENTED


def test_read_only_key_gives_a_read_only_das(server, sales):
    reader_key = sales.create_key("branch_read", branch_id="default")["api_key"]
    das = Das(server)
    das.register(options_for(sales, key=reader_key))
    assert len(das.execute(ORDERS, columns=["id"])) == 5
    assert das.unique_column(ORDERS) == "id"
    assert status_of(lambda: das.insert(ORDERS, {"id": 10})) == grpc.StatusCode.PERMISSION_DENIED
    assert status_of(lambda: das.bulk_insert(ORDERS, [{"id": 10}])) == grpc.StatusCode.PERMISSION_DENIED
    assert status_of(lambda: das.update(ORDERS, 1, {"id": 1, "customer": "x"})) == grpc.StatusCode.PERMISSION_DENIED
    assert status_of(lambda: das.delete(ORDERS, 1)) == grpc.StatusCode.PERMISSION_DENIED
    assert len(das.execute(ORDERS, columns=["id"])) == 5


def test_functions_without_macros(das):
    assert das.function_definitions() == []
    assert status_of(lambda: das.call("nope", x=1)) == grpc.StatusCode.INVALID_ARGUMENT
