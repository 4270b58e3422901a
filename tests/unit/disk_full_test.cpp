// common/disk_full: how a full filesystem is recognised and reported, whichever layer meets it.
#include "duckstore/common/disk_full.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "duckstore/common/error_codes.hpp"

namespace duckstore {
namespace {

TEST(DiskFullTest, FullFilesystemErrnosAreRecognised) {
  EXPECT_TRUE(IsDiskFullErrno(ENOSPC));
  EXPECT_TRUE(IsDiskFullErrno(EDQUOT));
  EXPECT_FALSE(IsDiskFullErrno(EIO));
  EXPECT_FALSE(IsDiskFullErrno(0));
}

TEST(DiskFullTest, LibraryMessagesQuotingTheSystemTextAreRecognised) {
  EXPECT_TRUE(MentionsDiskFull(std::string("Could not write file \"wal\": ") + std::strerror(ENOSPC)));
  EXPECT_TRUE(MentionsDiskFull(std::string("IO Error: ") + std::strerror(EDQUOT)));
  EXPECT_FALSE(MentionsDiskFull("Constraint Error: duplicate key"));
}

TEST(DiskFullTest, ReportedAsInsufficientStorage) {
  Error full = DiskFull("cannot write 'blob'");
  EXPECT_EQ(full.kind(), ErrorKind::kInsufficientStorage);
  EXPECT_EQ(full.code(), error_code::kInsufficientStorage);
  EXPECT_NE(std::string(full.what()).find("cannot write 'blob'"), std::string::npos);
  EXPECT_EQ(HttpStatusOf(full.kind()), 507);
  EXPECT_EQ(SystemFailure(ENOSPC, "x").kind(), ErrorKind::kInsufficientStorage);
  EXPECT_EQ(SystemFailure(EACCES, "x").kind(), ErrorKind::kInternal);
}

}  // namespace
}  // namespace duckstore
