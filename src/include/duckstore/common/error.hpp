// Error values shared by every layer.
//
// Convention (see docs/design/errors.md): the storage and services layers report failures by throwing
// duckstore::Error; nothing below a transport returns error codes. Each transport catches Error at its
// boundary and translates it once: REST into {"error":{code,message,details}} with the HTTP status of the
// kind, S3 into its XML error document, gRPC into a status code with details.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace duckstore {

// The class of a failure; each transport maps a kind to its own status (HTTP status shown).
enum class ErrorKind {
  kInvalidArgument,      // 400: malformed or semantically invalid input
  kUnauthenticated,      // 401: no or bad credentials
  kPermissionDenied,     // 403: valid credentials, not allowed
  kNotFound,             // 404
  kConflict,             // 409: already exists, duplicate keys, state conflict
  kPreconditionFailed,   // 412
  kPayloadTooLarge,      // 413
  kRangeNotSatisfiable,  // 416
  kUnprocessable,        // 422: well-formed input the data cannot satisfy (cast failures, duplicates in data)
  kCancelled,            // 499: the caller went away or cancelled
  kInternal,             // 500
  kUnimplemented,        // 501
  kUnavailable,          // 503: transient; retrying may succeed
  kTimeout,              // 504: a configured time limit ran out
  kInsufficientStorage,  // 507: the data directory's filesystem is full (ENOSPC); frees up as space does
};

int HttpStatusOf(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  // `code` is a stable machine-readable identifier (snake_case, e.g. "table_not_found"); `message` is for
  // humans; `details` carries structured context (offending row, column, limits...).
  Error(ErrorKind kind, std::string code, const std::string& message, nlohmann::json details = nullptr);

  ErrorKind kind() const { return kind_; }
  const std::string& code() const { return code_; }
  const nlohmann::json& details() const { return details_; }

 private:
  ErrorKind kind_;
  std::string code_;
  nlohmann::json details_;
};

// Shorthands for the common kinds; each returns the error so call sites read `throw NotFound(...)`.
Error InvalidArgument(std::string code, const std::string& message, nlohmann::json details = nullptr);
Error NotFound(std::string code, const std::string& message, nlohmann::json details = nullptr);
Error Conflict(std::string code, const std::string& message, nlohmann::json details = nullptr);
Error PermissionDenied(const std::string& message);
Error Unauthenticated(const std::string& message);
Error Internal(const std::string& message);

}  // namespace duckstore
