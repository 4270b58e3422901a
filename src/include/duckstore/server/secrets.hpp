// Server secrets kept in <data>/secrets/ with mode 0600: the admin key and the master key.
#pragma once

#include <filesystem>
#include <string>

namespace duckstore {

struct LoadedSecret {
  std::string value;
  bool generated = false;  // created by this call (first start)
};

// Returns `configured` when non-empty; else the content of `file`, creating it with a new random value.
LoadedSecret LoadOrCreateSecret(const std::filesystem::path& file, const std::string& configured,
                                const std::string& prefix);

}  // namespace duckstore
