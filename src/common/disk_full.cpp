#include "duckstore/common/disk_full.hpp"

#include <cerrno>
#include <cstring>

#include "duckstore/common/error_codes.hpp"

namespace duckstore {

bool IsDiskFullErrno(int err) {
  return err == ENOSPC || err == EDQUOT;
}

bool MentionsDiskFull(std::string_view message) {
  for (int err : {ENOSPC, EDQUOT}) {
    if (message.find(std::strerror(err)) != std::string_view::npos) return true;
  }
  return false;
}

Error DiskFull(const std::string& message) {
  return Error(ErrorKind::kInsufficientStorage, error_code::kInsufficientStorage,
               message + " (the data directory's filesystem is full; free space and retry)");
}

Error SystemFailure(int err, const std::string& message) {
  return IsDiskFullErrno(err) ? DiskFull(message) : Internal(message);
}

}  // namespace duckstore
