#include "duckstore/server/grpc_metrics.hpp"

#include <google/protobuf/message_lite.h>

#include <chrono>
#include <optional>

#include "duckstore/common/metrics/requests.hpp"

namespace duckstore {
namespace {

using grpc::experimental::InterceptionHookPoints;

const GrpcDoor kOtherServices{"", "grpc", false};

// Client-side mistakes by gRPC status; the rest of the non-OK codes are the server's.
metrics::Outcome OutcomeOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return metrics::Outcome::kOk;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
      return metrics::Outcome::kClientError;
    default:
      return metrics::Outcome::kServerError;
  }
}

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(const GrpcDoor& door, std::string operation)
      : door_(door), operation_(std::move(operation)), started_(std::chrono::steady_clock::now()) {
    if (!door_.self_recorded) in_flight_.emplace(door_.door);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    // Services of a door are protobuf services, so a received message is a protobuf message; the others
    // (the built-in health service) may carry raw buffers and are not measured on the way in.
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        &door_ != &kOtherServices) {
      if (const void* message = methods->GetRecvMessage())
        received_ += static_cast<const google::protobuf::MessageLite*>(message)->ByteSizeLong();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      // Serializes the message now; gRPC then sends this buffer instead of serializing again.
      if (const grpc::ByteBuffer* buffer = methods->GetSerializedSendMessage()) sent_ += buffer->Length();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS))
      Record(methods->GetSendStatus());
    methods->Proceed();
  }

 private:
  void Record(const grpc::Status& status) {
    metrics::RecordBytes(door_.door, received_, sent_);
    if (door_.self_recorded) return;
    // DAS statuses carry the stable duckstore error code in their details (api/das/status.hpp).
    std::string code = status.error_details();
    if (code.empty() || code.size() > 64)
      code = "grpc_" + std::to_string(static_cast<int>(status.error_code()));
    metrics::RecordRequest({door_.door, operation_, OutcomeOf(status.error_code()), code,
                            std::chrono::steady_clock::now() - started_});
  }

  const GrpcDoor& door_;
  std::string operation_;
  std::chrono::steady_clock::time_point started_;
  std::optional<metrics::InFlight> in_flight_;
  uint64_t received_ = 0;
  uint64_t sent_ = 0;
};

class MetricsInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(std::vector<GrpcDoor> doors) : doors_(std::move(doors)) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    // "/<package>.<Service>/<Method>": the door of the service, "<Service>/<Method>" as the operation.
    std::string_view method = info->method() ? info->method() : "";
    if (method.starts_with('/')) method.remove_prefix(1);
    auto slash = method.find('/');
    std::string_view service = method.substr(0, slash);
    const GrpcDoor* door = &kOtherServices;
    for (const auto& candidate : doors_) {
      if (candidate.service == service) door = &candidate;
    }
    auto dot = service.rfind('.');
    std::string operation(method.substr(dot == std::string_view::npos ? 0 : dot + 1));
    // Unknown methods are answered UNIMPLEMENTED by gRPC; their names are the caller's, never a label.
    if (door == &kOtherServices && !service.starts_with("grpc.")) operation = "unknown_method";
    // gRPC takes ownership of the interceptor and deletes it when the call ends.
    return std::make_unique<MetricsInterceptor>(*door, std::move(operation)).release();
  }

 private:
  std::vector<GrpcDoor> doors_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeMetricsInterceptorFactory(
    std::vector<GrpcDoor> doors) {
  return std::make_unique<MetricsInterceptorFactory>(std::move(doors));
}

}  // namespace duckstore
