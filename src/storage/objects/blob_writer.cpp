#include "duckstore/storage/objects/blob_writer.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "duckstore/common/error.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore {
namespace {

constexpr size_t kIdBytes = 16;

std::string SystemError(const std::string& what, const std::string& path) {
  return what + " '" + path + "': " + std::strerror(errno);
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
  if (fd < 0) throw Internal(SystemError("cannot open directory", dir));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw Internal(SystemError("cannot fsync directory", dir));
}

}  // namespace

struct BlobWriter::Digests {
  EvpContext md5 = NewDigest(EVP_md5());
  EvpContext sha256 = NewDigest(EVP_sha256());
};

BlobWriter::BlobWriter(const std::filesystem::path& dir, int64_t max_size)
    : dir_(dir), max_size_(max_size), digests_(std::make_unique<Digests>()) {
  std::error_code error;
  std::filesystem::create_directories(dir_ / ".tmp", error);
  if (error) throw Internal("cannot create '" + (dir_ / ".tmp").string() + "': " + error.message());
  temp_path_ = (dir_ / ".tmp" / RandomHex(kIdBytes)).string();
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) throw Internal(SystemError("cannot create", temp_path_));
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

void BlobWriter::Append(const char* data, size_t size) {
  if (done_) throw Internal("blob writer already committed or failed");
  if (static_cast<uint64_t>(size) > static_cast<uint64_t>(max_size_ - size_)) {
    Fail();
    throw Error(ErrorKind::kPayloadTooLarge, "entity_too_large",
                "the content exceeds the maximum size of " + std::to_string(max_size_) + " bytes",
                {{"max_size", max_size_}});
  }
  if (EVP_DigestUpdate(digests_->md5.get(), data, size) != 1 ||
      EVP_DigestUpdate(digests_->sha256.get(), data, size) != 1) {
    Fail();
    throw Internal("digest failed");
  }
  size_t written = 0;
  while (written < size) {
    ssize_t n = ::write(fd_, data + written, size - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string message = SystemError("cannot write", temp_path_);
      Fail();
      throw Internal(message);
    }
    written += static_cast<size_t>(n);
  }
  size_ += static_cast<int64_t>(size);
}

BlobInfo BlobWriter::Commit() {
  if (done_) throw Internal("blob writer already committed or failed");
  BlobInfo info;
  try {
    if (::fsync(fd_) != 0) throw Internal(SystemError("cannot fsync", temp_path_));
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) throw Internal(SystemError("cannot close", temp_path_));
    info.path = (dir_ / RandomHex(kIdBytes)).string();
    info.size = size_;
    info.md5 = FinalHex(digests_->md5.get());
    info.sha256 = FinalHex(digests_->sha256.get());
    // 128 random bits: the final name is never taken.
    if (::rename(temp_path_.c_str(), info.path.c_str()) != 0) {
      throw Internal(SystemError("cannot rename to", info.path));
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
