"""A small DAS v1 client for the e2e suites: stubs from proto/ (via protos.py), value builders and readers,
and a `Das` object bound to one registration."""

from __future__ import annotations

import datetime
import decimal

import grpc

import protos  # noqa: F401  (puts the generated stubs on sys.path)
from com.rawlabs.protocol.das.v1.common import das_pb2, environment_pb2  # noqa: F401
from com.rawlabs.protocol.das.v1.functions import functions_pb2  # noqa: F401
from com.rawlabs.protocol.das.v1.query import operators_pb2, quals_pb2, query_pb2
from com.rawlabs.protocol.das.v1.services import (
    functions_service_pb2,
    functions_service_pb2_grpc,
    health_service_pb2,
    health_service_pb2_grpc,
    registration_service_pb2,
    registration_service_pb2_grpc,
    tables_service_pb2 as ts,
    tables_service_pb2_grpc,
)
from com.rawlabs.protocol.das.v1.tables import tables_pb2
from com.rawlabs.protocol.das.v1.types import values_pb2

Op = operators_pb2.Operator
CLIENT_MAX_MESSAGE = 4 * 1024 * 1024  # multicorn-das' channel limit


def value(v) -> values_pb2.Value:
    """A DAS value as the PostgreSQL client builds it (ints as ValueInt unless they need 64 bits)."""
    out = values_pb2.Value()
    if v is None:
        out.null.SetInParent()
    elif isinstance(v, bool):
        out.bool.v = v
    elif isinstance(v, int):
        if -(2**31) <= v < 2**31:
            out.int.v = v
        else:
            out.long.v = v
    elif isinstance(v, float):
        out.double.v = v
    elif isinstance(v, decimal.Decimal):
        out.decimal.v = str(v)
    elif isinstance(v, str):
        out.string.v = v
    elif isinstance(v, bytes):
        out.binary.v = v
    elif isinstance(v, datetime.datetime):
        out.timestamp.CopyFrom(values_pb2.ValueTimestamp(year=v.year, month=v.month, day=v.day, hour=v.hour,
                                                         minute=v.minute, second=v.second, nano=v.microsecond * 1000))
    elif isinstance(v, datetime.date):
        out.date.CopyFrom(values_pb2.ValueDate(year=v.year, month=v.month, day=v.day))
    elif isinstance(v, datetime.time):
        out.time.CopyFrom(values_pb2.ValueTime(hour=v.hour, minute=v.minute, second=v.second, nano=v.microsecond * 1000))
    elif isinstance(v, list):
        out.list.values.extend(value(x) for x in v)
    elif isinstance(v, dict):
        for k, x in v.items():
            out.record.atts.add(name=k, value=value(x))
    else:
        raise TypeError(type(v))
    return out


def py(v: values_pb2.Value):
    """A DAS value as a Python value (what the client hands PostgreSQL)."""
    kind = v.WhichOneof("value")
    if kind in (None, "null"):
        return None
    if kind in ("byte", "short", "int", "long", "float", "double", "bool", "string", "binary"):
        return getattr(v, kind).v
    if kind == "decimal":
        return decimal.Decimal(v.decimal.v)
    if kind == "date":
        return datetime.date(v.date.year, v.date.month, v.date.day)
    if kind == "time":
        return datetime.time(v.time.hour, v.time.minute, v.time.second, v.time.nano // 1000)
    if kind == "timestamp":
        t = v.timestamp
        return datetime.datetime(t.year, t.month, t.day, t.hour, t.minute, t.second, t.nano // 1000)
    if kind == "interval":
        i = v.interval
        return (i.years, i.months, i.days, i.hours, i.minutes, i.seconds, i.micros)
    if kind == "list":
        return [py(x) for x in v.list.values]
    if kind == "record":
        return {a.name: py(a.value) for a in v.record.atts}
    raise TypeError(kind)


def row_dict(row: tables_pb2.Row) -> dict:
    return {c.name: py(c.data) for c in row.columns}


def das_row(values: dict) -> tables_pb2.Row:
    return tables_pb2.Row(columns=[tables_pb2.Column(name=k, data=value(v)) for k, v in values.items()])


def simple(column: str, op, v) -> quals_pb2.Qual:
    return quals_pb2.Qual(name=column, simple_qual=quals_pb2.SimpleQual(operator=op, value=value(v)))


def is_all(column: str, op, values: list) -> quals_pb2.Qual:
    return quals_pb2.Qual(name=column, is_all_qual=quals_pb2.IsAllQual(operator=op, values=[value(v) for v in values]))


def is_any(column: str, op, values: list) -> quals_pb2.Qual:
    return quals_pb2.Qual(name=column, is_any_qual=quals_pb2.IsAnyQual(operator=op, values=[value(v) for v in values]))


def sort_key(name: str, pos: int = 1, desc: bool = False, nulls_first: bool | None = None, collate: str = ""):
    if nulls_first is None:
        nulls_first = desc  # PostgreSQL's default
    return query_pb2.SortKey(name=name, pos=pos, is_reversed=desc, nulls_first=nulls_first, collate=collate)


def options_for(project, key: str | None = None, **extra) -> dict:
    return {"project_id": project.id, "api_key": key or project.key, **extra}


def key_metadata(key: str) -> tuple:
    """The caller's API key as gRPC metadata (what a registration under a readable id requires)."""
    return (("authorization", f"Bearer {key}"),)


class _CallerKey(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Sends the caller's API key with every call of a channel."""

    def __init__(self, key: str):
        self.metadata = key_metadata(key)

    def _with_key(self, details):
        return details._replace(metadata=tuple(details.metadata or ()) + self.metadata)

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._with_key(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._with_key(details), request)


class Das:
    """Stubs on one channel, bound to a DAS id once registered; with `key`, every call carries that API key."""

    def __init__(self, server, das_id: str | None = None, key: str | None = None):
        self.channel = grpc.insecure_channel(
            server.grpc_address, options=[("grpc.max_receive_message_length", CLIENT_MAX_MESSAGE)])
        channel = grpc.intercept_channel(self.channel, _CallerKey(key)) if key else self.channel
        self.health = health_service_pb2_grpc.HealthCheckServiceStub(channel)
        self.registration = registration_service_pb2_grpc.RegistrationServiceStub(channel)
        self.tables = tables_service_pb2_grpc.TablesServiceStub(channel)
        self.functions = functions_service_pb2_grpc.FunctionsServiceStub(channel)
        self.id = das_id

    def close(self):
        self.channel.close()

    def register(self, options: dict, das_id: str | None = None, das_type: str = "duckdb") -> str:
        request = registration_service_pb2.RegisterRequest(
            definition=das_pb2.DASDefinition(type=das_type, options=options))
        if das_id is not None:
            request.id.id = das_id
        response = self.registration.Register(request, timeout=30)
        assert response.WhichOneof("response") == "id", response
        self.id = response.id.id
        return self.id

    @property
    def das_id(self) -> das_pb2.DASId:
        return das_pb2.DASId(id=self.id)

    def tid(self, table: str) -> tables_pb2.TableId:
        return tables_pb2.TableId(name=table)

    def definitions(self) -> dict:
        response = self.tables.GetTableDefinitions(ts.GetTableDefinitionsRequest(das_id=self.das_id), timeout=30)
        return {d.table_id.name: d for d in response.definitions}

    def execute_stream(self, table: str, columns=(), quals=(), sort_keys=(), limit=None, max_batch=4194304,
                       timeout=120):
        query = query_pb2.Query(columns=list(columns), quals=list(quals), sort_keys=list(sort_keys))
        if limit is not None:
            query.limit = limit
        request = ts.ExecuteTableRequest(das_id=self.das_id, table_id=self.tid(table), query=query, plan_id="1-1",
                                         max_batch_size_bytes=max_batch, env=environment_pb2.Environment())
        return self.tables.ExecuteTable(request, timeout=timeout)

    def execute(self, table: str, **kwargs) -> list[dict]:
        return [row_dict(r) for batch in self.execute_stream(table, **kwargs) for r in batch.rows]

    def estimate(self, table: str, quals=(), columns=()):
        return self.tables.GetTableEstimate(ts.GetTableEstimateRequest(
            das_id=self.das_id, table_id=self.tid(table), quals=list(quals), columns=list(columns)), timeout=30)

    def path_keys(self, table: str):
        return list(self.tables.GetTablePathKeys(
            ts.GetTablePathKeysRequest(das_id=self.das_id, table_id=self.tid(table)), timeout=30).path_keys)

    def sort_orders(self, table: str, keys):
        return list(self.tables.GetTableSortOrders(ts.GetTableSortOrdersRequest(
            das_id=self.das_id, table_id=self.tid(table), sort_keys=list(keys)), timeout=30).sort_keys)

    def explain(self, table: str, columns=(), quals=(), sort_keys=(), limit=None) -> list[str]:
        query = query_pb2.Query(columns=list(columns), quals=list(quals), sort_keys=list(sort_keys))
        if limit is not None:
            query.limit = limit
        return list(self.tables.ExplainTable(ts.ExplainTableRequest(
            das_id=self.das_id, table_id=self.tid(table), query=query), timeout=30).stmts)

    def unique_column(self, table: str) -> str:
        return self.tables.GetTableUniqueColumn(
            ts.GetTableUniqueColumnRequest(das_id=self.das_id, table_id=self.tid(table)), timeout=30).column

    def bulk_size(self, table: str) -> int:
        return self.tables.GetBulkInsertTableSize(
            ts.GetBulkInsertTableSizeRequest(das_id=self.das_id, table_id=self.tid(table)), timeout=30).size

    def insert(self, table: str, row: dict) -> dict:
        return row_dict(self.tables.InsertTable(
            ts.InsertTableRequest(das_id=self.das_id, table_id=self.tid(table), row=das_row(row)), timeout=30).row)

    def bulk_insert(self, table: str, rows: list[dict]) -> list[dict]:
        response = self.tables.BulkInsertTable(ts.BulkInsertTableRequest(
            das_id=self.das_id, table_id=self.tid(table), rows=[das_row(r) for r in rows]), timeout=120)
        return [row_dict(r) for r in response.rows]

    def update(self, table: str, row_id, new_row: dict) -> dict:
        return row_dict(self.tables.UpdateTable(ts.UpdateTableRequest(
            das_id=self.das_id, table_id=self.tid(table), row_id=value(row_id), new_row=das_row(new_row)),
            timeout=30).row)

    def delete(self, table: str, row_id) -> None:
        self.tables.DeleteTable(ts.DeleteTableRequest(das_id=self.das_id, table_id=self.tid(table),
                                                      row_id=value(row_id)), timeout=30)

    def function_definitions(self):
        return list(self.functions.GetFunctionDefinitions(
            functions_service_pb2.GetFunctionDefinitionsRequest(das_id=self.das_id), timeout=30).definitions)

    def call(self, name: str, **args):
        request = functions_service_pb2.ExecuteFunctionRequest(
            das_id=self.das_id, function_id=functions_pb2.FunctionId(name=name),
            args=[functions_service_pb2.Argument(named_arg=functions_service_pb2.NamedArgument(name=k, value=value(v)))
                  for k, v in args.items()])
        return py(self.functions.ExecuteFunction(request, timeout=30).output)

    def check(self):
        return self.health.Check(health_service_pb2.HealthCheckRequest(), timeout=10)


def status_of(call) -> grpc.StatusCode:
    """Runs `call` (a zero-argument callable) and returns the gRPC status code it failed with."""
    try:
        result = call()
        if hasattr(result, "__iter__") and not isinstance(result, (dict, list, str)):
            list(result)
    except grpc.RpcError as error:
        return error.code()
    raise AssertionError("the call succeeded")
