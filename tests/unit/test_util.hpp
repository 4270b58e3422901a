// Helpers shared by the unit tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string>
#include <system_error>

#include "duckstore/common/error.hpp"

namespace duckstore {

// Lets GoogleTest print error kinds by name-ish (their HTTP status) instead of as raw bytes.
inline void PrintTo(ErrorKind kind, std::ostream* out) {
  *out << "ErrorKind(http " << HttpStatusOf(kind) << ")";
}

}  // namespace duckstore

namespace duckstore::testing {

// A fresh directory under the system temp dir, removed (with its contents) when the object goes away.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "duckstore-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Runs `body` and returns the duckstore::Error it throws; fails the test when it throws nothing or
// something else.
template <typename Body>
Error CaptureError(Body&& body) {
  try {
    body();
  } catch (const Error& error) {
    return error;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected duckstore::Error, got std::exception: " << e.what();
    return Error(ErrorKind::kInternal, "unexpected_exception", e.what());
  }
  ADD_FAILURE() << "expected duckstore::Error, nothing was thrown";
  return Error(ErrorKind::kInternal, "nothing_thrown", "nothing was thrown");
}

// What an assertion compares of an error: kind and code (the message is shown on failure only).
struct ErrorSummary {
  ErrorKind kind;
  std::string code;
  std::string message;

  explicit ErrorSummary(const Error& error) : kind(error.kind()), code(error.code()), message(error.what()) {}
  ErrorSummary(ErrorKind kind, std::string code) : kind(kind), code(std::move(code)) {}
  bool operator==(const ErrorSummary& other) const { return kind == other.kind && code == other.code; }
  friend std::ostream& operator<<(std::ostream& out, const ErrorSummary& e) {
    out << "Error(http " << HttpStatusOf(e.kind) << ", " << e.code << ")";
    if (!e.message.empty()) out << ": " << e.message;
    return out;
  }
};

}  // namespace duckstore::testing

// Expects `statement` to throw duckstore::Error of the given kind and code; accepts `<< message`.
#define EXPECT_DUCKSTORE_ERROR(statement, expected_kind, expected_code)                                   \
  EXPECT_EQ(                                                                                              \
      ::duckstore::testing::ErrorSummary(::duckstore::testing::CaptureError([&] { (void)(statement); })), \
      ::duckstore::testing::ErrorSummary((expected_kind), (expected_code)))
