"""Storage driver errors on every transport: credentials and scopes, unknown and unsupported commands, and
the documented mapping of failures to gRPC status + numeric driver code + retryable flag (carried in a
google.rpc.Status with an ErrorInfo, in trailers / headers, and in the HTTP error envelope)."""

from __future__ import annotations

import grpc
import pytest
import requests

from driver_client import TRANSPORTS, Driver, expect_driver_error
from harness import unique_id
from keboola.storage_driver import (backend_pb2, bucket_pb2, common_pb2, info_pb2, project_pb2,
                                    table_pb2, workspace_pb2)


@pytest.fixture(params=TRANSPORTS)
def drv(request, server):
    """A project created through the driver, with a driver client holding its admin key."""
    admin = Driver(server, request.param, server.admin_key)
    project_id = unique_id("drverr")
    created = admin.execute(project_pb2.CreateProjectCommand(projectId=project_id)).response
    client = admin.as_project(project_id, created.projectPassword)
    client.execute(bucket_pb2.CreateBucketCommand(bucketId="in.c-main"))
    yield client
    admin.execute(project_pb2.DropProjectCommand(projectDatabaseName=project_id))


def test_missing_and_bad_credentials_are_unauthenticated(drv):
    error = expect_driver_error(lambda: drv.execute(info_pb2.ListSchemasCommand(), credentials=False),
                                "UNAUTHENTICATED", 1002, "unauthorized")
    assert error.retryable is False
    bad = Driver(drv.server, drv.transport, "nokey.nosecret", drv.project_id)
    expect_driver_error(lambda: bad.execute(info_pb2.ListSchemasCommand()), "UNAUTHENTICATED", 1002)
    # Unauthenticated callers do not learn which commands exist.
    expect_driver_error(lambda: bad.execute(info_pb2.ObjectInfo()), "UNAUTHENTICATED", 1002)


def test_keys_of_other_projects_and_small_scopes_are_denied(drv, project):
    other = drv.as_project(drv.project_id, project.key)
    expect_driver_error(lambda: other.execute(info_pb2.ListSchemasCommand()), "PERMISSION_DENIED", 2007,
                        "forbidden")
    reader_key = drv.server.client(drv.key).call(
        "POST", f"/projects/{drv.project_id}/api-keys", 201,
        json={"scope": "branch_read", "branch_id": "default", "description": "reader"})["api_key"]
    reader = drv.as_project(drv.project_id, reader_key)
    assert reader.execute(info_pb2.ListSchemasCommand()).response.schemas == ["in.c-main"]
    expect_driver_error(lambda: reader.execute(bucket_pb2.CreateBucketCommand(bucketId="in.c-x")),
                        "PERMISSION_DENIED", 2007)
    # Backend and project commands need the admin key.
    expect_driver_error(lambda: drv.execute(backend_pb2.InitBackendCommand()), "PERMISSION_DENIED", 2007)
    expect_driver_error(lambda: drv.execute(project_pb2.CreateProjectCommand(projectId=unique_id("x"))),
                        "PERMISSION_DENIED", 2007)


def test_unknown_and_unsupported_commands_are_unimplemented_900(drv):
    error = expect_driver_error(lambda: drv.execute(info_pb2.ObjectInfo(objectName="x")), "UNIMPLEMENTED", 900,
                                "unknown_command")
    assert "keboola.storageDriver.command.info.ObjectInfo" in error.message
    expect_driver_error(lambda: drv.execute(bucket_pb2.GrantExternalBucketSubscriberCommand(listingName="l")),
                        "UNIMPLEMENTED", 900, "command_not_supported")
    expect_driver_error(lambda: drv.execute(bucket_pb2.RevokeExternalBucketSubscriberCommand(listingName="l")),
                        "UNIMPLEMENTED", 900, "command_not_supported")
    expect_driver_error(lambda: drv.execute(bucket_pb2.BigQueryExternalBucketSharingStatusCommand(
        destinationDatasetName="d")), "UNIMPLEMENTED", 900, "command_not_supported")


def test_remove_backend_is_an_admin_no_op(drv):
    expect_driver_error(lambda: drv.execute(backend_pb2.RemoveBackendCommand()), "PERMISSION_DENIED", 2007)
    admin = Driver(drv.server, drv.transport, drv.server.admin_key)
    result = admin.execute(backend_pb2.RemoveBackendCommand())
    assert (result.response, result.type_url) == (None, "")
    # Nothing was removed: the project still answers.
    assert drv.execute(info_pb2.ListSchemasCommand()).response.schemas == ["in.c-main"]


def test_object_errors_carry_driver_codes(drv):
    error = expect_driver_error(lambda: drv.execute(info_pb2.ObjectInfoCommand(
        path=["in.c-main", "nope"], expectedObjectType=info_pb2.TABLE)), "NOT_FOUND", 2004, "table_not_found")
    assert error.retryable is False
    expect_driver_error(lambda: drv.execute(info_pb2.ObjectInfoCommand(
        path=["in.c-nope"], expectedObjectType=info_pb2.SCHEMA)), "NOT_FOUND", 2003, "bucket_not_found")
    expect_driver_error(lambda: drv.execute(bucket_pb2.CreateBucketCommand(bucketId="in.c-main")),
                        "ALREADY_EXISTS", 2006, "bucket_exists")
    expect_driver_error(lambda: drv.execute(info_pb2.ObjectInfoCommand(
        path=["other-db"], expectedObjectType=info_pb2.DATABASE)), "INVALID_ARGUMENT", 1003, "database_mismatch")
    expect_driver_error(lambda: drv.execute(table_pb2.CreateTableCommand(tableName="t")), "INVALID_ARGUMENT",
                        3000, "invalid_request")
    expect_driver_error(lambda: drv.execute(bucket_pb2.DropBucketCommand(bucketObjectName="in.c-gone")),
                        "NOT_FOUND", 2003)
    drv.execute(bucket_pb2.DropBucketCommand(bucketObjectName="in.c-gone", ignoreErrors=True))


def test_non_empty_bucket_needs_cascade(drv):
    drv.execute(table_pb2.CreateTableCommand(path=["in.c-main"], tableName="t",
                                             columns=[table_pb2.TableColumnShared(name="a", type="INTEGER")]))
    error = expect_driver_error(lambda: drv.execute(bucket_pb2.DropBucketCommand(bucketObjectName="in.c-main")),
                                "FAILED_PRECONDITION", 3000, "bucket_not_empty")
    assert error.details["table_count"] == 1
    drv.execute(bucket_pb2.DropBucketCommand(bucketObjectName="in.c-main", isCascade=True))


def test_http_errors_use_the_error_envelope_and_statuses(server, project):
    request = common_pb2.DriverRequest()
    request.command.Pack(info_pb2.ListSchemasCommand())
    url = server.http_url + "/driver/execute"
    response = requests.post(url, data="{not json", headers={"Content-Type": "application/json"}, timeout=30)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json"
    response = requests.post(url, data=b"\xff\xff", headers={"Content-Type": "application/x-protobuf"}, timeout=30)
    assert response.status_code == 400 and response.headers["X-Duckstore-Error-Code"] == "invalid_request"
    response = requests.post(url, json={}, timeout=30)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    body = response.json()
    assert body["error"]["details"] == {"driverCode": 1002, "retryable": False, "grpcStatus": "UNAUTHENTICATED"}
    assert body["request_id"] == response.headers["X-Request-Id"]


def test_grpc_path_and_request_id(server, project):
    from keboola.storage_driver import service_pb2_grpc
    request = Driver(server, "grpc", project.key, project.id).request(info_pb2.ListSchemasCommand())
    with grpc.insecure_channel(server.grpc_address) as channel:
        stub = service_pb2_grpc.StorageDriverServiceStub(channel)
        response, call = stub.Execute.with_call(request, metadata=[("x-request-id", "driver-test-1")], timeout=30)
    assert dict(call.initial_metadata())["x-request-id"] == "driver-test-1"
    assert response.commandResponse.type_url == (
        "type.googleapis.com/keboola.storageDriver.command.info.ListSchemasResponse")
