// The stable error codes (duckstore::Error::code()) that a transport branches on, in one typed home.
//
// A transport decides by ErrorKind wherever the kind is enough; where it must tell two errors of one kind
// apart (forgive a missing bucket but not a missing column, give "already exists" its own status), it
// compares against these constants, never against a string literal. Code that throws one of these errors
// passes the same constant (Error's `code` parameter takes it as is), so a renamed code is one edit here.
#pragma once

namespace duckstore::error_code {

inline constexpr char kMethodNotAllowed[] = "method_not_allowed";

inline constexpr char kBranchNotFound[] = "branch_not_found";
inline constexpr char kBucketNotFound[] = "bucket_not_found";
inline constexpr char kTableNotFound[] = "table_not_found";
inline constexpr char kWorkspaceNotFound[] = "workspace_not_found";
inline constexpr char kBlobMissing[] = "blob_missing";  // an object's content vanished under it

inline constexpr char kBucketExists[] = "bucket_exists";
inline constexpr char kConstraintViolation[] = "constraint_violation";
inline constexpr char kDuplicateKey[] = "duplicate_key";  // a row write repeating a primary key

// Time travel (docs/design/history.md): a time outside what the table's history can answer.
inline constexpr char kTimeTravelNotRetained[] = "time_travel_data_not_retained";
inline constexpr char kTimestampInFuture[] = "timestamp_in_future";
inline constexpr char kInvalidTimestamp[] = "invalid_timestamp";
inline constexpr char kRestoreColumnsChanged[] = "restore_columns_changed";

// A full filesystem (common/disk_full.hpp).
inline constexpr char kInsufficientStorage[] = "insufficient_storage";

inline constexpr char kDasNotFound[] = "das_not_found";
inline constexpr char kDasExists[] = "das_exists";

}  // namespace duckstore::error_code
