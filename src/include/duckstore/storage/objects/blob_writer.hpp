// Writes one object's content into a blob file atomically, hashing it on the way (see docs/design/files.md).
//
// The bytes stream into `<dir>/.tmp/<random id>`; Commit() fsyncs that file, renames it to
// `<dir>/<random id>` and returns where it is and what it holds. The blob is named by a random id, never by
// an object key. A writer that is destroyed without a successful Commit() (an error, an aborted upload)
// removes its temp file, so a failed write leaves nothing behind but, after a crash, a file in .tmp for the
// start-up sweep.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace duckstore {

// A committed blob.
struct BlobInfo {
  std::string path;  // <dir>/<random id>
  int64_t size = 0;
  std::string md5;     // lowercase hex (the object's ETag)
  std::string sha256;  // lowercase hex (checks SigV4 signed payloads)
};

class BlobWriter {
 public:
  // Creates `dir` and `dir`/.tmp when missing and opens a new temp file. `max_size` bounds the content in
  // bytes. Throws kInternal when the file cannot be created.
  BlobWriter(const std::filesystem::path& dir, int64_t max_size);
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  // Appends `size` bytes. Throws kPayloadTooLarge("entity_too_large") when the content would exceed
  // max_size, kInternal when writing fails; after a throw the writer is unusable (Append and Commit throw
  // kInternal) and its destructor removes the temp file.
  void Append(const char* data, size_t size);

  // Makes the content durable under its final name and returns it. Throws kInternal on failure, or when
  // the writer already committed or failed.
  BlobInfo Commit();

  int64_t size() const { return size_; }
  const std::string& temp_path() const { return temp_path_; }

 private:
  struct Digests;
  void Fail();  // closes and removes the temp file; the writer is unusable afterwards

  std::filesystem::path dir_;
  std::string temp_path_;
  int64_t max_size_;
  int64_t size_ = 0;
  int fd_ = -1;
  bool done_ = false;  // committed or failed: the temp file is no longer ours to write
  std::unique_ptr<Digests> digests_;
};

}  // namespace duckstore
