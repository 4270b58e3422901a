"""The authorization matrix (issue 15), driver, DAS and PostgreSQL: every entry point, called with every kind
of wrong credential (authz_support.py), is denied with the door's own code, names none of the victim
project's objects, and changes nothing. test_authorization_matrix.py does the same for REST and S3.

Entry points are enumerated, not listed by hand: every driver command registered in src/api/driver/*.cpp
(`registry.Add<...>` / `AddUnsupported<...>`, sent over gRPC, and for one command of each access over the
JSON and binary forms of POST /driver/execute), every RPC of the DAS proto services (the generated
descriptors), the PostgreSQL login and a workspace user's statements on storage it was not granted. The
rules of how to fill a command or request are small and generic; `test_*_matrix_covers_every_entry_point`
fails when an entry point cannot be called.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
from pathlib import Path

import grpc
import pytest

import das_support
from das_support import Das, key_metadata
from driver_client import Driver, DriverError
from harness import unique_id

from authz_support import (AUTHENTICATION_KINDS, KINDS, MARKER, ROOT, World, assert_no_leak,  # noqa: F401
                           unchanged, world)  # (the last two are fixtures)


# -------------------------------------------------------------------------------------------------- driver

DRIVER_SOURCES = ROOT / "src" / "api" / "driver"
DRIVER_PACKAGE = "keboola.storageDriver.command."


@functools.cache
def driver_declared() -> dict[str, str]:
    """Command message name -> declared access ('Unsupported' for AddUnsupported)."""
    out = {}
    for source in sorted(DRIVER_SOURCES.glob("*.cpp")):
        text = source.read_text()
        for match in re.finditer(r"registry\.Add(Unsupported)?<\w+::(\w+)>\(\s*(?:Access::k(\w+))?", text):
            unsupported, name, access = match.groups()
            out[name] = "Unsupported" if unsupported else access
    assert out, "no driver commands found"
    assert all(out.values()), f"commands whose access the matrix could not read: {out}"
    return out


def driver_message(name: str):
    """An empty command message of that name, from the generated stubs (the driver contract's protos)."""
    from google.protobuf import symbol_database
    pool = symbol_database.Default().pool
    for package in ("backend", "bucket", "executeQuery", "info", "project", "table", "workspace"):
        try:
            return symbol_database.Default().GetPrototype(pool.FindMessageTypeByName(
                f"{DRIVER_PACKAGE}{package}.{name}"))()
        except KeyError:
            continue
    raise AssertionError(f"driver command {name} is not in the driver protos")


# Fields to fill so that a command names A's objects (the rest stay empty: authorization comes first).
def driver_command(name: str, world: World):
    command = driver_message(name)
    fields = {f.name for f in command.DESCRIPTOR.fields}
    if "path" in fields:
        command.path.extend(["in.c-mx"])
    if "tableName" in fields:
        command.tableName = "t"
    if "bucketId" in fields:
        command.bucketId = "in.c-mx"
    return command


def driver_expectation(access: str, kind: str) -> tuple[str, str] | None:
    """(gRPC status, duckstore error code or '' for any) of the refusal."""
    if kind in AUTHENTICATION_KINDS:
        return "UNAUTHENTICATED", ""
    if access == "Unsupported":
        return "UNIMPLEMENTED", "command_not_supported"  # refused after authentication, touches nothing
    if kind == "read_only" and access == "Read":
        return None
    return "PERMISSION_DENIED", ""


# The other wire forms (POST /driver/execute, JSON and binary protobuf) reach the same dispatcher: each kind of
# credential is tried on them with one command of each access.
OTHER_TRANSPORT_COMMANDS = ("PreviewTableCommand", "DropTableCommand", "CreateProjectCommand",
                            "CreateDevBranchCommand")


def driver_cases():
    declared = driver_declared()
    for name, access in declared.items():
        for kind in KINDS:
            expected = driver_expectation(access, kind)
            if not expected:
                continue
            transports = ["grpc"]
            if name in OTHER_TRANSPORT_COMMANDS:
                transports += ["json", "binary"]
            for transport in transports:
                yield pytest.param(name, kind, transport, expected, id=f"{name} [{kind}] {transport}")


def test_driver_matrix_covers_every_entry_point(world):
    declared = driver_declared()
    for name in declared:
        driver_message(name)  # every command has a message to send
    assert set(OTHER_TRANSPORT_COMMANDS) <= set(declared)


@pytest.mark.parametrize("name,kind,transport,expected", list(driver_cases()))
def test_driver_denied(world, name, kind, transport, expected):
    driver = Driver(world.server, transport, world.token(kind), world.a.id)
    request = driver.request(driver_command(name, world), credentials=kind != "none")
    with pytest.raises(DriverError) as refused:
        driver.send(request)
    status, reason = expected
    assert refused.value.status == status, refused.value
    if reason:
        assert refused.value.reason == reason, refused.value
    assert_no_leak(str(refused.value) + json.dumps(refused.value.details), world)
    if driver_declared()[name] != "Read":
        world.assert_unchanged()


# ----------------------------------------------------------------------------------------------------- DAS

# Per RPC: the request, filled from A's registration. Register and the health check are tested apart.
DAS_WRITES = {"InsertTable", "BulkInsertTable", "UpdateTable", "DeleteTable", "Unregister"}


@functools.cache
def das_methods() -> list[tuple[str, object]]:
    """(Service/Method, method descriptor) of every RPC of the DAS proto services."""
    from com.rawlabs.protocol.das.v1.services import (functions_service_pb2, health_service_pb2,
                                                       registration_service_pb2, tables_service_pb2)
    out = []
    for module in (functions_service_pb2, health_service_pb2, registration_service_pb2, tables_service_pb2):
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                out.append((f"{service.name}/{method.name}", method))
    return out


def das_request(method, world: World):
    from google.protobuf import symbol_database
    message = symbol_database.Default().GetPrototype(method.input_type)()
    fields = {f.name for f in message.DESCRIPTOR.fields}
    if method.input_type.full_name.endswith(".DASId"):
        message.id = world.das_id
    if "das_id" in fields:
        message.das_id.id = world.das_id
    if "table_id" in fields:
        message.table_id.name = world.das_table
    if "row" in fields:
        message.row.CopyFrom(das_support.das_row({"id": 99, "name": "pwned"}))
    if "rows" in fields:
        message.rows.append(das_support.das_row({"id": 98, "name": "pwned"}))
    if "row_id" in fields:
        message.row_id.CopyFrom(das_support.value(1))
    if "new_row" in fields:
        message.new_row.CopyFrom(das_support.das_row({"id": 1, "name": "pwned"}))
    if "query" in fields:
        message.query.columns.extend(["id", "name"])
    if "function_id" in fields:
        message.function_id.name = "none"
    return message


def das_call(world: World, method, request, metadata):
    channel = grpc.insecure_channel(world.server.grpc_address)
    try:
        path = f"/{method.containing_service.full_name}/{method.name}"
        from google.protobuf import symbol_database
        response_type = symbol_database.Default().GetPrototype(method.output_type)
        if method.server_streaming:
            call = channel.unary_stream(path, request_serializer=type(request).SerializeToString,
                                        response_deserializer=response_type.FromString)
            return list(call(request, metadata=metadata, timeout=30))
        call = channel.unary_unary(path, request_serializer=type(request).SerializeToString,
                                   response_deserializer=response_type.FromString)
        return call(request, metadata=metadata, timeout=30)
    finally:
        channel.close()


def das_expectation(rpc: str, kind: str) -> grpc.StatusCode | None:
    if kind in AUTHENTICATION_KINDS:
        return grpc.StatusCode.UNAUTHENTICATED
    if kind == "read_only" and rpc.split("/")[1] not in DAS_WRITES:
        return None
    return grpc.StatusCode.PERMISSION_DENIED


DAS_SPECIAL = {"HealthCheckService/Check", "RegistrationService/Register"}


def das_cases():
    for rpc, _ in das_methods():
        if rpc in DAS_SPECIAL:
            continue
        for kind in KINDS:
            expected = das_expectation(rpc, kind)
            if expected:
                yield pytest.param(rpc, kind, expected, id=f"{rpc} [{kind}]")


def test_das_matrix_covers_every_entry_point(world):
    from google.protobuf import symbol_database
    declared_fields = {"das_id", "table_id", "row", "rows", "row_id", "new_row", "query", "function_id",
                       "sort_keys", "quals", "columns", "plan_id", "max_batch_size_bytes", "env", "args",
                       "definition", "id"}
    for rpc, method in das_methods():
        fields = {f.name for f in symbol_database.Default().GetPrototype(method.input_type).DESCRIPTOR.fields}
        assert fields <= declared_fields, f"{rpc} has request fields the matrix does not fill: {fields - declared_fields}"
        if rpc not in DAS_SPECIAL:
            assert "das_id" in fields or method.input_type.full_name.endswith(".DASId"), rpc


@pytest.mark.parametrize("rpc,kind,expected", list(das_cases()))
def test_das_denied(world, rpc, kind, expected):
    method = dict(das_methods())[rpc]
    token = world.token(kind)
    metadata = key_metadata(token) if token else None
    with pytest.raises(grpc.RpcError) as refused:
        das_call(world, method, das_request(method, world), metadata)
    assert refused.value.code() == expected, refused.value
    assert_no_leak(refused.value.details() or "", world)
    if rpc.split("/")[1] in DAS_WRITES:
        world.assert_unchanged()


# A branch_read key may register: Register needs read access.
@pytest.mark.parametrize("kind", [k for k in KINDS if k != "read_only"])
def test_das_register_with_a_wrong_key_is_denied(world, unchanged, kind):
    """Register's credential is the definition's api_key; it must be allowed to read A's default branch."""
    options = {"project_id": world.a.id, "api_key": world.token(kind) or ""}
    das = Das(world.server)
    try:
        with pytest.raises(grpc.RpcError) as refused:
            das.register(options, das_id=unique_id("mx-reg"))
        expected = {"none": grpc.StatusCode.INVALID_ARGUMENT}.get(
            kind, grpc.StatusCode.UNAUTHENTICATED if kind in AUTHENTICATION_KINDS else grpc.StatusCode.PERMISSION_DENIED)
        assert refused.value.code() == expected, refused.value
        assert_no_leak(refused.value.details() or "", world)
    finally:
        das.close()


def test_das_health_needs_no_key(world):
    assert Das(world.server).check() is not None


# ---------------------------------------------------------------------------------------------- PostgreSQL

JAR = Path("/usr/share/java/postgresql.jar")
PG_CHECK = Path(__file__).parent / "java" / "PgLoginCheck.java"


@pytest.fixture(scope="module")
def pg_logins(world, tmp_path_factory):
    """Runs every refused login of the matrix once through pgjdbc (which reports the SQLSTATE; libpq does
    not): kind -> (user, "SQLSTATE message"). Fewer than the 10 failures per minute that turn 28P01 into
    28000 for the source address."""
    a, b = world.a, world.b
    ws = b.client.call("POST", b.path + "/branches/default/workspaces", 201, json={"id": "wsb"})
    base = a.path + "/branches/default/workspaces/ws1/users"
    dropped = a.client.call("POST", base, 201)
    a.client.call("DELETE", f"{base}/{dropped['user']}", 204)
    logins = {
        "malformed": ("not-a-user", "x"),
        "wrong_secret": (world.ws_user, "0" * 32),
        "revoked": (dropped["user"], dropped["password"]),  # a dropped workspace user
        "other_project": (ws["credentials"]["user"], ws["credentials"]["password"]),  # B's user, A's workspace
    }
    classes = tmp_path_factory.mktemp("pgjdbc")
    subprocess.run(["javac", "-cp", str(JAR), "-d", str(classes), str(PG_CHECK)], check=True, timeout=300)
    url = f"jdbc:postgresql://{world.server.pg_host}:{world.server.pg_port}/ws1?sslmode=disable"
    args = [x for pair in logins.values() for x in pair]
    out = subprocess.run(["java", "-cp", f"{classes}:{JAR}", "PgLoginCheck", url, *args],
                         capture_output=True, text=True, timeout=300)
    lines = out.stdout.strip().splitlines()
    assert out.returncode == 0 and len(lines) == len(logins), out.stdout + out.stderr
    world.baseline = world.state()  # B's workspace is new
    return {kind: (user, line) for (kind, (user, _)), line in zip(logins.items(), lines)}


# "none" is not sendable: libpq and pgjdbc refuse an empty password for SCRAM before sending anything.
@pytest.mark.parametrize("kind", ["malformed", "wrong_secret", "revoked", "other_project"])
def test_pg_login_denied(world, pg_logins, unchanged, kind):
    user, answer = pg_logins[kind]
    assert answer.startswith("28P01 "), answer
    assert f'password authentication failed for user "{user}"' in answer, answer
    assert world.ws_password not in answer
    assert_no_leak(answer, world, sent=user)  # the user name sent is echoed, nothing else



# A workspace user reaches its workspace only: the project's storage (its own project's, not granted to it),
# the instance's catalog functions and the filesystem are refused, reads and writes alike.
OUT_OF_SCOPE_SQL = {
    "storage read": 'SELECT * FROM project."in.c-mx".t',
    "storage read, unqualified": 'SELECT * FROM "in.c-mx".t',
    "secret bucket": f'SELECT * FROM project."in.c-{MARKER}"."{MARKER}-table"',
    "storage write": "INSERT INTO project.\"in.c-mx\".t VALUES (99, 'pwned')",
    "storage DDL": 'DROP TABLE project."in.c-mx".t',
    "instance catalog": "SELECT * FROM duckdb_tables()",
    "attach": "ATTACH '/etc/hostname' AS stolen",
    "copy to a path": "COPY (SELECT 1) TO '/tmp/pwned.csv'",
}


@pytest.mark.parametrize("what", sorted(OUT_OF_SCOPE_SQL))
def test_pg_workspace_user_cannot_reach_storage_it_was_not_granted(world, what):
    import psycopg2
    conn = psycopg2.connect(host=world.server.pg_host, port=world.server.pg_port, user=world.ws_user,
                            password=world.ws_password, dbname="ws1", connect_timeout=10, sslmode="disable")
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM t")  # its own workspace answers
            assert cursor.fetchone() == (2,)
        conn.rollback()
        with pytest.raises(psycopg2.Error) as refused, conn.cursor() as cursor:
            cursor.execute(OUT_OF_SCOPE_SQL[what])
        assert refused.value.pgcode == "42501", (refused.value.pgcode, str(refused.value))
        assert_no_leak(str(refused.value), world, sent=OUT_OF_SCOPE_SQL[what])
    finally:
        conn.close()
    world.assert_unchanged()


from authz_support import test_nothing_changed_at_the_end  # noqa: E402,F401  (runs last)
