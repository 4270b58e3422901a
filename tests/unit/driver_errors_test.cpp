#include <gtest/gtest.h>

#include "duckstore/api/driver/errors.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/rpc/error_details.pb.h"
#include "duckstore/rpc/status.pb.h"

namespace duckstore::driver {
namespace {

DriverFailure Of(const Error& error) {
  return FailureOf(error);
}

TEST(DriverErrors, SpecificCodesWinOverKinds) {
  auto table = Of(NotFound("table_not_found", "gone"));
  EXPECT_EQ(table.driver_code, kCodeTableNotFound);
  EXPECT_EQ(table.grpc_code, grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(table.http_status, 404);
  EXPECT_FALSE(table.retryable);
  EXPECT_EQ(Of(NotFound("something_else_not_found", "x")).driver_code, kCodeNotFound);
  auto exists = Of(Conflict("bucket_exists", "x"));
  EXPECT_EQ(exists.driver_code, kCodeObjectAlreadyExists);
  EXPECT_EQ(exists.grpc_code, grpc::StatusCode::ALREADY_EXISTS);
  auto state = Of(Conflict("duplicate_primary_key", "x"));
  EXPECT_EQ(state.driver_code, kCodeValidation);
  EXPECT_EQ(state.grpc_code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Of(InvalidArgument("database_mismatch", "x")).driver_code, kCodeDatabaseMismatch);
}

TEST(DriverErrors, KindsMapToStatusesAndRetryability) {
  EXPECT_EQ(Of(InvalidArgument("bad", "x")).driver_code, kCodeValidation);
  EXPECT_EQ(Of(Unauthenticated("x")).grpc_code, grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Of(Unauthenticated("x")).driver_code, kCodeAuth);
  EXPECT_EQ(Of(PermissionDenied("x")).grpc_code, grpc::StatusCode::PERMISSION_DENIED);
  auto unimplemented = Of(Error(ErrorKind::kUnimplemented, "unknown_command", "x"));
  EXPECT_EQ(unimplemented.driver_code, kCodeCommandNotSupported);
  EXPECT_EQ(unimplemented.grpc_code, grpc::StatusCode::UNIMPLEMENTED);
  auto busy = Of(Error(ErrorKind::kUnavailable, "out_of_memory", "x"));
  EXPECT_TRUE(busy.retryable);
  EXPECT_EQ(busy.grpc_code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(Of(Error(ErrorKind::kTimeout, "timeout", "x")).retryable);
}

TEST(DriverErrors, UnexpectedExceptionsHideTheirMessage) {
  auto failure = FailureOf(std::runtime_error("secret path /var/x"));
  EXPECT_EQ(failure.grpc_code, grpc::StatusCode::INTERNAL);
  EXPECT_EQ(failure.driver_code, kCodeUnknown);
  EXPECT_EQ(failure.message.find("secret"), std::string::npos);
}

TEST(DriverErrors, StatusDetailsCarryErrorInfo) {
  auto failure = Of(NotFound("table_not_found", "table 'x' does not exist", {{"table", "x"}}));
  grpc::Status status = ToGrpcStatus(failure);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(status.error_details()));
  EXPECT_EQ(rpc.code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(rpc.message(), "table 'x' does not exist");
  ASSERT_EQ(rpc.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rpc.details(0).UnpackTo(&info));
  EXPECT_EQ(rpc.details(0).type_url(), "type.googleapis.com/google.rpc.ErrorInfo");
  EXPECT_EQ(info.reason(), "table_not_found");
  EXPECT_EQ(info.domain(), kErrorDomain);
  EXPECT_EQ(info.metadata().at("driverCode"), "2004");
  EXPECT_EQ(info.metadata().at("retryable"), "false");
  EXPECT_EQ(nlohmann::json::parse(info.metadata().at("details")), nlohmann::json({{"table", "x"}}));

  auto json = FailureJson(failure);
  EXPECT_EQ(json["error"]["code"], "table_not_found");
  EXPECT_EQ(json["error"]["details"]["driverCode"], 2004);
  EXPECT_EQ(json["error"]["details"]["grpcStatus"], "NOT_FOUND");
  EXPECT_EQ(json["error"]["details"]["table"], "x");
}

}  // namespace
}  // namespace duckstore::driver
