#include "duckstore/api/driver/transport.hpp"

#include <google/protobuf/util/json_util.h>

#include <spdlog/spdlog.h>
#include <algorithm>
#include <cctype>

#include "duckstore/api/driver/errors.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/log.hpp"

namespace duckstore::driver {
namespace {

constexpr const char* kProtobufType = "application/x-protobuf";

bool IsProtobuf(const http::Request& request) {
  std::string type = request.headers.Get("content-type");
  return type.rfind(kProtobufType, 0) == 0;
}

std::string RequestIdOf(const grpc::ServerContext& context) {
  auto found = context.client_metadata().find("x-request-id");
  if (found != context.client_metadata().end() && !found->second.empty() && found->second.size() <= 64) {
    std::string id(found->second.data(), found->second.size());
    bool safe = std::all_of(id.begin(), id.end(),
                            [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
    if (safe) return id;
  }
  return log::NewRequestId();
}

void LogFailure(const DriverFailure& failure) {
  if (failure.grpc_code == grpc::StatusCode::INTERNAL) {
    spdlog::error("driver command failed: {} ({})", failure.message, failure.reason);
  } else {
    spdlog::info("driver command failed: {} ({}, driver code {})", failure.message, failure.reason,
                 failure.driver_code);
  }
}

}  // namespace

grpc::Status GrpcDriverService::Execute(grpc::ServerContext* context, const common::DriverRequest* request,
                                        common::DriverResponse* response) {
  log::ScopedRequestId scoped(RequestIdOf(*context));
  context->AddInitialMetadata("x-request-id", log::CurrentRequestId());
  try {
    *response = dispatcher_.Execute(*request);
    return grpc::Status::OK;
  } catch (const std::exception& e) {
    DriverFailure failure = FailureOf(e);
    LogFailure(failure);
    context->AddTrailingMetadata(kDriverCodeTrailer, std::to_string(failure.driver_code));
    context->AddTrailingMetadata(kRetryableTrailer, failure.retryable ? "true" : "false");
    context->AddTrailingMetadata(kReasonTrailer, failure.reason);
    return ToGrpcStatus(failure);
  }
}

void AddDriverRoute(http::Router& router, Dispatcher& dispatcher) {
  // The route carries driver requests: each command is authorized as its registration declares.
  EntryPoint entry{"driver", "POST /driver/execute", Credentials::kDelegated, Access::kRead,
                   TargetFrom::kNone};
  router.Add("POST", "/driver/execute", std::move(entry), [&dispatcher](http::Request& request) {
    bool binary = IsProtobuf(request);
    http::Response response;
    try {
      common::DriverRequest driver_request;
      if (binary) {
        if (!driver_request.ParseFromString(request.body))
          throw InvalidArgument("invalid_request", "the body is not a serialized DriverRequest");
      } else if (!request.body.empty()) {
        auto parsed = google::protobuf::util::JsonStringToMessage(request.body, &driver_request);
        if (!parsed.ok()) {
          throw InvalidArgument("invalid_json",
                                "the body is not a DriverRequest in protobuf JSON: " + parsed.ToString());
        }
      }
      common::DriverResponse driver_response = dispatcher.Execute(driver_request);
      response.status = 200;
      if (binary) {
        response.body = driver_response.SerializeAsString();
        response.headers.Set("content-type", kProtobufType);
      } else {
        google::protobuf::util::JsonPrintOptions options;
        options.always_print_primitive_fields = true;
        auto printed = google::protobuf::util::MessageToJsonString(driver_response, &response.body, options);
        if (!printed.ok()) throw Internal("cannot print the driver response as JSON: " + printed.ToString());
        response.headers.Set("content-type", "application/json");
      }
    } catch (const std::exception& e) {
      DriverFailure failure = FailureOf(e);
      LogFailure(failure);
      response.status = failure.http_status;
      if (binary) {
        response.body = SerializedRpcStatus(failure);
        response.headers.Set("content-type", kProtobufType);
      } else {
        nlohmann::json body = FailureJson(failure);
        body["request_id"] = request.request_id;
        response.body = body.dump();
        response.headers.Set("content-type", "application/json");
      }
      response.headers.Set(kDriverCodeTrailer, std::to_string(failure.driver_code));
      response.headers.Set(kRetryableTrailer, failure.retryable ? "true" : "false");
      response.headers.Set(kReasonTrailer, failure.reason);
      if (failure.http_status == 401) response.headers.Set("www-authenticate", "Bearer");
    }
    return response;
  });
}

}  // namespace duckstore::driver
