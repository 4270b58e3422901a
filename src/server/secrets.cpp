#include "duckstore/server/secrets.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "duckstore/common/error.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore {

LoadedSecret LoadOrCreateSecret(const std::filesystem::path& file, const std::string& configured,
                                const std::string& prefix) {
  if (!configured.empty()) return LoadedSecret{configured, false};
  if (std::filesystem::exists(file)) {
    std::ifstream in(file);
    std::string value;
    std::getline(in, value);
    if (value.empty()) throw Internal("secret file " + file.string() + " is empty");
    return LoadedSecret{value, false};
  }
  std::filesystem::create_directories(file.parent_path());
  ::chmod(file.parent_path().c_str(), 0700);
  std::string value = prefix + RandomToken(32);
  // O_EXCL: two processes starting on one data dir cannot both write a different secret.
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw Internal("cannot create secret file " + file.string());
  std::string line = value + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw Internal("cannot write secret file " + file.string());
  return LoadedSecret{value, true};
}

}  // namespace duckstore
