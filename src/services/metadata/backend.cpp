#include "duckstore/services/metadata/backend.hpp"

#include <fstream>

#include "duckstore/common/error.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore {

void BackendService::Check() {
  std::vector<std::string> problems;
  auto check = [&](const std::string& what, const std::function<void()>& probe) {
    try {
      probe();
    } catch (const std::exception& e) {
      problems.push_back(what + ": " + e.what());
    }
  };
  check("catalog", [&] { catalog_.GetSetting("schema"); });
  check("data directory", [&] {
    const auto& dir = engine_.projects_dir();
    if (!std::filesystem::is_directory(dir)) throw Internal(dir.string() + " is not a directory");
    // A probe file proves the directory is writable by this process (permissions, read-only mounts).
    auto probe = dir / (".init-probe-" + RandomHex(8));
    {
      std::ofstream out(probe);
      out << "duckstore";
      if (!out.flush()) throw Internal("cannot write to " + dir.string());
    }
    std::filesystem::remove(probe);
    auto space = std::filesystem::space(dir);
    if (space.available == 0) throw Internal("no free space left in " + dir.string());
  });
  check("engine", [&] { engine_.Probe(); });
  if (!problems.empty()) {
    throw InvalidArgument("backend_init_failed", "the backend cannot serve projects: " + problems.front(),
                          {{"problems", problems}});
  }
}

}  // namespace duckstore
