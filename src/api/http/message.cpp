#include "duckstore/api/http/message.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "duckstore/common/error.hpp"

namespace duckstore::http {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool EqualsLower(std::string_view stored_lower, std::string_view name) {
  return stored_lower.size() == name.size() &&
         std::equal(name.begin(), name.end(), stored_lower.begin(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

}  // namespace

void Headers::Set(std::string name, std::string value) {
  name = Lower(std::move(name));
  std::erase_if(entries_, [&](const auto& entry) { return entry.first == name; });
  entries_.emplace_back(std::move(name), std::move(value));
}

void Headers::Add(std::string name, std::string value) {
  entries_.emplace_back(Lower(std::move(name)), std::move(value));
}

const std::string* Headers::Find(std::string_view name) const {
  for (const auto& [key, value] : entries_) {
    if (EqualsLower(key, name)) return &value;
  }
  return nullptr;
}

std::string Headers::Get(std::string_view name, const std::string& fallback) const {
  const std::string* value = Find(name);
  return value ? *value : fallback;
}

const std::string* Request::QueryParam(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return &value;
  }
  return nullptr;
}

const std::string& Request::PathParam(const std::string& name) const {
  auto it = path_params.find(name);
  if (it == path_params.end()) throw Internal("route has no parameter '" + name + "'");
  return it->second;
}

Response Response::Json(int status, const std::string& json_text) {
  Response response;
  response.status = status;
  response.headers.Set("content-type", "application/json");
  response.body = json_text;
  return response;
}

Response Response::Empty(int status) {
  Response response;
  response.status = status;
  return response;
}

OpenFile::~OpenFile() {
  ::close(fd_);
}

void FileBody::Append(const std::filesystem::path& path, uint64_t offset, uint64_t length) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw NotFound("blob_missing",
                   "the content of this object is missing: " + std::string(std::strerror(errno)));
  }
  pieces.push_back({std::make_shared<const OpenFile>(fd), offset, length});
  this->length += length;
}

}  // namespace duckstore::http
