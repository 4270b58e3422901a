// A full filesystem, reported the same way by every layer (docs/design/errors.md, "Disk full").
//
// Whatever ran out of space (an object blob being written, the DuckDB file or its WAL, the SQLite catalog),
// the failure is Error kInsufficientStorage with code "insufficient_storage": HTTP 507, S3
// InsufficientStorage (507), gRPC RESOURCE_EXHAUSTED, driver ERR_RESOURCE_FULL (2006), SQLSTATE 53100.
// The failed write is rolled back by its own layer; reads and deletes keep working, and the same write
// succeeds again once space is freed.
#pragma once

#include <string>
#include <string_view>

#include "duckstore/common/error.hpp"

namespace duckstore {

// True for the errno values of a full filesystem: ENOSPC, and EDQUOT (a quota counts as full).
bool IsDiskFullErrno(int err);
// True when a library's message carries the system's text of a full filesystem (DuckDB's IOException
// quotes strerror: "... No space left on device").
bool MentionsDiskFull(std::string_view message);
// The error a full filesystem is reported with; `message` says what was being written.
Error DiskFull(const std::string& message);
// DiskFull(message) when `err` is a disk-full errno, otherwise Internal(message).
Error SystemFailure(int err, const std::string& message);

}  // namespace duckstore
