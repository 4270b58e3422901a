"""A client of duckstore's Keboola storage driver over its three wire forms, with one interface:

- "grpc":   keboola.storageDriver.service.StorageDriverService/Execute on the gRPC port;
- "json":   POST /driver/execute with the DriverRequest in the protobuf JSON mapping;
- "binary": POST /driver/execute with a serialized DriverRequest (Content-Type application/x-protobuf).

`Driver.execute(command, ...)` packs the command and credentials into a DriverRequest and returns a
`Result` (the unpacked response message, or None, and the user-facing messages); failures raise
`DriverError` with the gRPC status name, the numeric driver code, the duckstore error code and the retryable
flag, decoded from the status details (gRPC trailer grpc-status-details-bin, or the HTTP error body).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import grpc
import requests

import protos  # noqa: F401  (puts the generated stubs on sys.path)
from duckstore.rpc import error_details_pb2, status_pb2
from google.protobuf import any_pb2, json_format, symbol_database
from keboola.storage_driver import (backend_pb2, bucket_pb2, common_pb2, credentials_pb2,  # noqa: F401
                                    execute_query_pb2, info_pb2, project_pb2, service_pb2_grpc, table_pb2,
                                    workspace_pb2)

TRANSPORTS = ("grpc", "json", "binary")
TYPE_PREFIX = "type.googleapis.com/"
ERROR_DOMAIN = "storage-driver.duckstore"


@dataclass
class Result:
    response: object | None
    messages: list = field(default_factory=list)
    type_url: str = ""


class DriverError(Exception):
    def __init__(self, status: str, message: str, driver_code: int, reason: str, retryable: bool,
                 details: dict | None = None):
        super().__init__(f"{status} {reason} ({driver_code}): {message}")
        self.status = status
        self.message = message
        self.driver_code = driver_code
        self.reason = reason
        self.retryable = retryable
        self.details = details or {}


def pack(message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def _unpack(packed: any_pb2.Any):
    if not packed.type_url:
        return None
    name = packed.type_url.split("/", 1)[1]
    message = symbol_database.Default().GetSymbol(name)()
    assert packed.Unpack(message), packed.type_url
    return message


def _error_from_status(status: status_pb2.Status, status_name: str) -> DriverError:
    assert len(status.details) == 1, status
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info), status.details[0].type_url
    assert info.domain == ERROR_DOMAIN, info
    return DriverError(status_name, status.message, int(info.metadata["driverCode"]), info.reason,
                       info.metadata["retryable"] == "true", json.loads(info.metadata["details"]))


class Driver:
    def __init__(self, server, transport: str, key: str | None, project_id: str = ""):
        assert transport in TRANSPORTS, transport
        self.server = server
        self.transport = transport
        self.key = key
        self.project_id = project_id

    def as_project(self, project_id: str, key: str) -> "Driver":
        return Driver(self.server, self.transport, key, project_id)

    def request(self, command, *, features=(), run_id: str = "", query_tags: dict | None = None,
                credentials: bool = True) -> common_pb2.DriverRequest:
        request = common_pb2.DriverRequest()
        if credentials:
            request.credentials.Pack(credentials_pb2.GenericBackendCredentials(
                host=self.project_id, principal=self.key or ""))
        request.command.Pack(command)
        request.features.extend(features)
        request.runtimeOptions.runId = run_id
        for key, value in (query_tags or {}).items():
            request.runtimeOptions.queryTags[key] = value
        return request

    def execute(self, command, **options) -> Result:
        return self.send(self.request(command, **options))

    def send(self, request: common_pb2.DriverRequest) -> Result:
        response = getattr(self, "_send_" + self.transport)(request)
        return Result(_unpack(response.commandResponse), list(response.messages), response.commandResponse.type_url)

    def _send_grpc(self, request):
        with grpc.insecure_channel(self.server.grpc_address) as channel:
            stub = service_pb2_grpc.StorageDriverServiceStub(channel)
            try:
                return stub.Execute(request, timeout=120)
            except grpc.RpcError as error:
                trailers = dict(error.trailing_metadata() or ())
                status = status_pb2.Status()
                status.ParseFromString(trailers["grpc-status-details-bin"])
                assert status.code == error.code().value[0] and status.message == error.details(), status
                failure = _error_from_status(status, error.code().name)
                # The trailers repeat the essentials for clients that do not decode status details.
                assert trailers["x-driver-error-code"] == str(failure.driver_code), trailers
                assert trailers["x-driver-retryable"] == str(failure.retryable).lower(), trailers
                assert trailers["x-duckstore-error-code"] == failure.reason, trailers
                raise failure from None

    def _send_json(self, request):
        body = json_format.MessageToJson(request)
        response = requests.post(self.server.http_url + "/driver/execute", data=body,
                                 headers={"Content-Type": "application/json"}, timeout=120,
                                 verify=self.server.ca_cert)
        if response.status_code != 200:
            raise self._http_error(response, json.loads(response.text))
        assert response.headers["Content-Type"].startswith("application/json"), response.headers
        return json_format.Parse(response.text, common_pb2.DriverResponse())

    def _send_binary(self, request):
        response = requests.post(self.server.http_url + "/driver/execute", data=request.SerializeToString(),
                                 headers={"Content-Type": "application/x-protobuf"}, timeout=120,
                                 verify=self.server.ca_cert)
        assert response.headers["Content-Type"] == "application/x-protobuf", response.headers
        if response.status_code != 200:
            status = status_pb2.Status()
            status.ParseFromString(response.content)
            failure = _error_from_status(status, next(c for c in grpc.StatusCode if c.value[0] == status.code).name)
            assert response.headers["X-Driver-Error-Code"] == str(failure.driver_code)
            expected = HTTP_STATUS_OF.get(failure.status)
            assert expected is None or response.status_code == expected, (response.status_code, failure)
            raise failure
        out = common_pb2.DriverResponse()
        out.ParseFromString(response.content)
        return out

    @staticmethod
    def _http_error(response, body) -> DriverError:
        assert set(body) == {"error", "request_id"}, body
        error = body["error"]
        details = dict(error["details"])
        status = details.pop("grpcStatus")
        failure = DriverError(status, error["message"], details.pop("driverCode"), error["code"],
                              details.pop("retryable"), details)
        expected = HTTP_STATUS_OF.get(status)
        assert expected is None or response.status_code == expected, (response.status_code, body)
        assert response.headers["X-Driver-Error-Code"] == str(failure.driver_code)
        return failure


# The HTTP status each gRPC status travels with over /driver/execute (where it is one-to-one).
HTTP_STATUS_OF = {
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "INVALID_ARGUMENT": 400,
    "UNIMPLEMENTED": 501,
}


def expect_driver_error(call, status: str, driver_code: int, reason: str | None = None) -> DriverError:
    """Runs `call()` and asserts it fails with the given gRPC status name and driver code."""
    try:
        call()
    except DriverError as error:
        assert (error.status, error.driver_code) == (status, driver_code), error
        if reason is not None:
            assert error.reason == reason, error
        assert error.message, error
        return error
    raise AssertionError(f"expected {status} / {driver_code}")
