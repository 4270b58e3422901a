#include "duckstore/storage/objects/blob_writer.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <vector>

#include "duckstore/common/disk_full.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/random.hpp"
#include "duckstore/common/scope_exit.hpp"

namespace duckstore {
namespace {

constexpr size_t kIdBytes = 16;
constexpr size_t kCopyChunk = 1 << 20;

// The failure of the system call that just set errno: a full disk is DiskFull, anything else Internal.
Error SystemError(const std::string& what, const std::string& path) {
  int err = errno;
  return SystemFailure(err, what + " '" + path + "': " + std::strerror(err));
}

struct EvpContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using EvpContext = std::unique_ptr<EVP_MD_CTX, EvpContextFree>;

EvpContext NewDigest(const EVP_MD* md) {
  EvpContext context(EVP_MD_CTX_new());
  if (!context || EVP_DigestInit_ex(context.get(), md, nullptr) != 1) throw Internal("digest init failed");
  return context;
}

std::string FinalHex(EVP_MD_CTX* context) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context, digest, &length) != 1) throw Internal("digest failed");
  return HexEncode(std::string_view(reinterpret_cast<char*>(digest), length));
}

// Makes a rename in `dir` durable.
void SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw SystemError("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw SystemError("cannot fsync directory", dir);
}

}  // namespace

// A digest the writer was asked for, or null.
struct BlobWriter::Digests {
  EvpContext md5;
  EvpContext sha256;

  explicit Digests(BlobDigests wanted)
      : md5(wanted.md5 ? NewDigest(EVP_md5()) : nullptr),
        sha256(wanted.sha256 ? NewDigest(EVP_sha256()) : nullptr) {}
  bool any() const { return md5 || sha256; }
  bool Update(const char* data, size_t size) {
    return (!md5 || EVP_DigestUpdate(md5.get(), data, size) == 1) &&
           (!sha256 || EVP_DigestUpdate(sha256.get(), data, size) == 1);
  }
};

BlobWriter::BlobWriter(const std::filesystem::path& dir, int64_t max_size, BlobDigests digests)
    : dir_(dir), max_size_(max_size), digests_(std::make_unique<Digests>(digests)) {
  std::error_code error;
  std::filesystem::create_directories(dir_ / ".tmp", error);
  if (error)
    throw SystemFailure(error.value(),
                        "cannot create '" + (dir_ / ".tmp").string() + "': " + error.message());
  temp_path_ = (dir_ / ".tmp" / RandomHex(kIdBytes)).string();
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) throw SystemError("cannot create", temp_path_);
}

BlobWriter::~BlobWriter() {
  if (!done_) Fail();
}

void BlobWriter::Fail() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(temp_path_.c_str());
  done_ = true;
}

void BlobWriter::CheckSpace(uint64_t size) {
  if (done_) throw Internal("blob writer already committed or failed");
  if (size > static_cast<uint64_t>(max_size_ - size_)) {
    Fail();
    throw Error(ErrorKind::kPayloadTooLarge, "entity_too_large",
                "the content exceeds the maximum size of " + std::to_string(max_size_) + " bytes",
                {{"max_size", max_size_}});
  }
}

void BlobWriter::StartWriteback() {
  if (size_ - writeback_from_ < kWritebackBytes) return;
  // Only a hint: a failure here (a filesystem without it) leaves the work to Commit's fsync.
  ::sync_file_range(fd_, writeback_from_, size_ - writeback_from_, SYNC_FILE_RANGE_WRITE);
  writeback_from_ = size_;
}

void BlobWriter::Append(const char* data, size_t size) {
  CheckSpace(size);
  if (!digests_->Update(data, size)) {
    Fail();
    throw Internal("digest failed");
  }
  size_t written = 0;
  while (written < size) {
    ssize_t n = ::write(fd_, data + written, size - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error failure = SystemError("cannot write", temp_path_);
      Fail();
      throw failure;
    }
    written += static_cast<size_t>(n);
  }
  size_ += static_cast<int64_t>(size);
  StartWriteback();
}

void BlobWriter::AppendFile(const std::string& path, uint64_t offset, uint64_t length) {
  CheckSpace(length);
  int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    bool missing = errno == ENOENT;
    Error failure = SystemError("cannot open", path);
    Fail();
    if (missing) throw NotFound("blob_missing", failure.what());
    throw failure;
  }
  ScopeExit close_in([in] { ::close(in); });
  ::posix_fadvise(in, static_cast<off_t>(offset), static_cast<off_t>(length), POSIX_FADV_SEQUENTIAL);
  auto fail = [&](const std::string& what) {
    Error failure = SystemError(what, path);
    Fail();
    throw failure;
  };
  uint64_t copied = 0;
  if (!digests_->any()) {
    // The kernel copies (and may share extents); filesystems or kernels that cannot fall back to the loop.
    auto from = static_cast<loff_t>(offset);
    while (copied < length) {
      ssize_t n =
          ::copy_file_range(in, &from, fd_, nullptr, std::min<uint64_t>(length - copied, 1ull << 30), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EXDEV || errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL)) break;
      if (n < 0) fail("cannot copy from");
      if (n == 0) fail("unexpected end of");
      copied += static_cast<uint64_t>(n);
      size_ += n;
      StartWriteback();
    }
  }
  if (copied == length) return;
  std::vector<char> buffer(std::min<uint64_t>(length - copied, kCopyChunk));
  for (uint64_t at = offset + copied, end = offset + length; at < end;) {
    ssize_t n =
        ::pread(in, buffer.data(), std::min<uint64_t>(end - at, buffer.size()), static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot read");
    if (n == 0) fail("unexpected end of");
    // The range was reserved above; Append checks it again, harmlessly.
    Append(buffer.data(), static_cast<size_t>(n));
    at += static_cast<uint64_t>(n);
  }
}

void BlobWriter::AdoptFile(const std::string& path) {
  if (done_ || size_ != 0) throw Internal("a blob writer adopts a file only before anything is appended");
  // Renamed over the (empty) temp file; the descriptor of that file is replaced below.
  if (::rename(path.c_str(), temp_path_.c_str()) != 0) {
    if (errno == EXDEV) {  // another filesystem: copy it after all
      std::error_code error;
      auto size = std::filesystem::file_size(path, error);
      if (error) throw Internal("cannot adopt '" + path + "': " + error.message());
      AppendFile(path, 0, size);
      std::filesystem::remove(path, error);
      return;
    }
    Error failure = SystemError("cannot adopt", path);
    Fail();
    throw failure;
  }
  ::close(fd_);
  fd_ = ::open(temp_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    Error failure = SystemError("cannot open", temp_path_);
    Fail();
    throw failure;
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    Error failure = SystemError("cannot stat", temp_path_);
    Fail();
    throw failure;
  }
  CheckSpace(static_cast<uint64_t>(st.st_size));
  // The writer of the file left it in the page cache: the disk writes it while the digests read it, so
  // Commit's fsync mostly finds it written already (a hint; Commit still syncs).
  ::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
  if (digests_->any()) {
    ::posix_fadvise(fd_, 0, st.st_size, POSIX_FADV_SEQUENTIAL);
    std::vector<char> buffer(kCopyChunk);
    for (off_t at = 0; at < st.st_size;) {
      ssize_t n = ::pread(fd_, buffer.data(), buffer.size(), at);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || !digests_->Update(buffer.data(), static_cast<size_t>(n))) {
        Error failure = SystemError("cannot read", temp_path_);
        Fail();
        throw failure;
      }
      at += n;
    }
  }
  size_ = st.st_size;
}

BlobInfo BlobWriter::Commit() {
  if (done_) throw Internal("blob writer already committed or failed");
  BlobInfo info;
  try {
    if (::fsync(fd_) != 0) throw SystemError("cannot fsync", temp_path_);
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) throw SystemError("cannot close", temp_path_);
    info.path = (dir_ / RandomHex(kIdBytes)).string();
    info.size = size_;
    if (digests_->md5) info.md5 = FinalHex(digests_->md5.get());
    if (digests_->sha256) info.sha256 = FinalHex(digests_->sha256.get());
    // 128 random bits: the final name is never taken.
    if (::rename(temp_path_.c_str(), info.path.c_str()) != 0) {
      throw SystemError("cannot rename to", info.path);
    }
  } catch (...) {
    Fail();
    throw;
  }
  done_ = true;
  try {
    SyncDirectory(dir_.string());
  } catch (...) {
    ::unlink(info.path.c_str());  // not durable, so not committed
    throw;
  }
  return info;
}

}  // namespace duckstore
