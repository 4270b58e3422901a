// One failure of a driver command in every form the driver's transports need: the Keboola numeric driver
// code (ranges of the upstream contract: 900 driver, 1xxx connection, 2xxx objects, 3xxx validation,
// 4xxx import, 5xxx export, 6xxx SQL), whether retrying may succeed, the gRPC status code and the HTTP
// status. docs/design/driver.md has the mapping table.
#pragma once

#include <grpcpp/support/status.h>

#include <exception>
#include <nlohmann/json.hpp>
#include <string>

namespace duckstore::driver {

// Upstream driver codes used by duckstore.
enum DriverCode : int {
  kCodeUnknown = 0,
  kCodeCommandNotSupported = 900,
  kCodeTimeout = 1000,
  kCodeConnection = 1001,
  kCodeAuth = 1002,
  kCodeDatabaseMismatch = 1003,
  kCodeNotFound = 2000,
  kCodeUnknownObject = 2001,
  kCodeDatabaseNotFound = 2002,
  kCodeSchemaNotFound = 2003,
  kCodeTableNotFound = 2004,
  kCodeColumnNotFound = 2005,
  kCodeObjectAlreadyExists = 2006,
  kCodeResourceFull = 2006,  // the contract's ERR_RESOURCE_FULL shares ERR_OBJECT_ALREADY_EXISTS's number
  kCodeObjectPermissionDenied = 2007,
  kCodeViewNotFound = 2008,
  kCodeValidation = 3000,
  kCodeUnknownImport = 4000,
  kCodeUnknownExport = 5000,
  kCodeUnknownSql = 6000,
  kCodeInvalidSql = 6001,
  kCodeQueryTimeout = 6002,
  kCodeValueConversion = 6004,
};

struct DriverFailure {
  int driver_code = kCodeUnknown;
  bool retryable = false;
  grpc::StatusCode grpc_code = grpc::StatusCode::INTERNAL;
  int http_status = 500;
  std::string reason;  // duckstore error code, e.g. "table_not_found"
  std::string message;
  nlohmann::json details = nlohmann::json::object();
};

// Classifies any exception thrown by a handler (duckstore::Error by its code, then by its kind; anything
// else is an internal error whose message is not shown to the caller).
DriverFailure FailureOf(const std::exception& error);

// The gRPC status carrying the failure: code + message, and as binary details a google.rpc.Status with
// one google.rpc.ErrorInfo {reason, domain = kErrorDomain, metadata {driverCode, retryable, details}}.
grpc::Status ToGrpcStatus(const DriverFailure& failure);
// The same facts as trailing metadata (for clients that do not decode status details).
inline constexpr const char* kDriverCodeTrailer = "x-driver-error-code";
inline constexpr const char* kRetryableTrailer = "x-driver-retryable";
inline constexpr const char* kReasonTrailer = "x-duckstore-error-code";
inline constexpr const char* kErrorDomain = "storage-driver.duckstore";

// The serialized google.rpc.Status (for HTTP clients that asked for application/x-protobuf).
std::string SerializedRpcStatus(const DriverFailure& failure);

// The HTTP/JSON error body, the REST error envelope: {"error":{code, message, details}} where details
// holds the error's own details plus driverCode, retryable and grpcStatus.
nlohmann::json FailureJson(const DriverFailure& failure);

}  // namespace duckstore::driver
