"""The gRPC port answers grpc.health.v1.Health and server reflection.

Both services are standard; rather than vendoring their .proto files the test speaks their (tiny) wire
format directly: HealthCheckRequest{service=1} and HealthCheckResponse{status=1}, SERVING = 1.
"""

import grpc

SERVING = b"\x08\x01"


def _health(server, service_name: str = ""):
    encoded = service_name.encode()
    request = (b"\x0a" + bytes([len(encoded)]) + encoded) if encoded else b""
    with grpc.insecure_channel(server.grpc_address) as channel:
        check = channel.unary_unary("/grpc.health.v1.Health/Check")
        return check(request, timeout=10)


def test_health_reports_serving(server):
    assert _health(server) == SERVING


def test_health_of_unknown_service_is_not_found(server):
    try:
        _health(server, "no.such.Service")
    except grpc.RpcError as error:
        assert error.code() == grpc.StatusCode.NOT_FOUND
    else:
        raise AssertionError("expected NOT_FOUND for an unknown service")


def test_reflection_lists_health_service(server):
    # ServerReflectionRequest{list_services = 7: ""}; the answer lists service names as plain strings.
    with grpc.insecure_channel(server.grpc_address) as channel:
        reflect = channel.stream_stream("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
        responses = list(reflect(iter([b"\x3a\x00"]), timeout=10))
    assert responses, "reflection answered nothing"
    assert b"grpc.health.v1.Health" in responses[0]
