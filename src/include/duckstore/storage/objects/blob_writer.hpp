// Writes one object's content into a blob file atomically, hashing it on the way (see docs/design/files.md).
//
// The bytes stream into `<dir>/.tmp/<random id>`; Commit() fsyncs that file, renames it to
// `<dir>/<random id>` and returns where it is and what it holds. The blob is named by a random id, never by
// an object key. A writer that is destroyed without a successful Commit() (an error, an aborted upload)
// removes its temp file, so a failed write leaves nothing behind but, after a crash, a file in .tmp for the
// start-up sweep.
//
// Durability without a long stall at the end: every kWritebackBytes of appended content the writer asks the
// kernel to start writing that range back (sync_file_range, no waiting), so by Commit() most of the file is
// on its way to disk and the fsync only waits for the tail. Dirty page cache per writer stays bounded too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace duckstore {

// Which digests a writer computes while writing. Hashing is the main CPU cost of an upload, so callers ask
// only for what they use: MD5 is an object's (or part's) ETag; SHA-256 only verifies a signed payload or a
// client's checksum. A digest that was not asked for is empty in BlobInfo.
struct BlobDigests {
  bool md5 = true;
  bool sha256 = false;
};

// A committed blob.
struct BlobInfo {
  std::string path;  // <dir>/<random id>
  int64_t size = 0;
  std::string md5;     // lowercase hex (the object's ETag); empty unless computed
  std::string sha256;  // lowercase hex (checks SigV4 signed payloads); empty unless computed
};

class BlobWriter {
 public:
  static constexpr int64_t kWritebackBytes = 8 << 20;

  // Creates `dir` and `dir`/.tmp when missing and opens a new temp file. `max_size` bounds the content in
  // bytes. Throws kInternal when the file cannot be created.
  BlobWriter(const std::filesystem::path& dir, int64_t max_size, BlobDigests digests = {});
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  // Appends `size` bytes. Throws kPayloadTooLarge("entity_too_large") when the content would exceed
  // max_size, kInternal when writing fails; after a throw the writer is unusable (Append and Commit throw
  // kInternal) and its destructor removes the temp file.
  void Append(const char* data, size_t size);

  // Appends `length` bytes of the file at `path` from `offset` (multipart completion, part copies). Without
  // digests the kernel copies the range (copy_file_range: no trip through user space); with digests the
  // bytes are read, hashed and written in 1 MiB chunks. kNotFound("blob_missing") when there is no such
  // file (a blob unlinked by a concurrent overwrite), kInternal when it is shorter or unreadable; errors
  // leave the writer unusable as for Append.
  void AppendFile(const std::string& path, uint64_t offset, uint64_t length);

  // Takes the file at `path` as the whole content instead of copying it (a finished export output): it is
  // renamed into the temp location (copied when it is on another filesystem) and read once for the digests.
  // Only on a writer nothing was appended to. Errors (kInternal; size limit as for Append) leave the
  // writer unusable and remove the file.
  void AdoptFile(const std::string& path);

  // Makes the content durable under its final name and returns it. Throws kInternal on failure, or when
  // the writer already committed or failed.
  BlobInfo Commit();

  int64_t size() const { return size_; }
  const std::string& temp_path() const { return temp_path_; }

 private:
  struct Digests;
  void CheckSpace(uint64_t size);
  void StartWriteback();
  void Fail();  // closes and removes the temp file; the writer is unusable afterwards

  std::filesystem::path dir_;
  std::string temp_path_;
  int64_t max_size_;
  int64_t size_ = 0;
  int64_t writeback_from_ = 0;  // content before this offset has been handed to writeback
  int fd_ = -1;
  bool done_ = false;  // committed or failed: the temp file is no longer ours to write
  std::unique_ptr<Digests> digests_;
};

}  // namespace duckstore
