#include "duckstore/api/driver/registry.hpp"

#include <stdexcept>

#include "duckstore/common/error.hpp"

namespace duckstore::driver {

void CommandRegistry::Insert(const std::string& full_name, CommandSpec spec) {
  if (specs_.count(full_name) || unsupported_.count(full_name))
    throw std::logic_error("storage driver command registered twice: " + full_name);
  spec.entry = EntryPoint{"driver", full_name, Credentials::kApiKey, spec.access,
                          spec.access == Access::kServerAdmin ? TargetFrom::kServer : TargetFrom::kBranch};
  specs_.emplace(full_name, std::move(spec));
}

void CommandRegistry::InsertUnsupported(const std::string& full_name, std::string reason) {
  if (specs_.count(full_name) || unsupported_.count(full_name))
    throw std::logic_error("storage driver command registered twice: " + full_name);
  unsupported_.emplace(full_name, std::move(reason));
}

std::vector<EntryPoint> CommandRegistry::EntryPoints() const {
  std::vector<EntryPoint> out;
  out.reserve(specs_.size() + unsupported_.size());
  for (const auto& [name, spec] : specs_) out.push_back(spec.entry);
  for (const auto& [name, reason] : unsupported_) {
    out.push_back(EntryPoint{"driver", name, Credentials::kApiKey, Access::kRead, TargetFrom::kNone});
  }
  return out;
}

const CommandSpec* CommandRegistry::Find(std::string_view full_name) const {
  if (auto found = specs_.find(full_name); found != specs_.end()) return &found->second;
  if (auto found = unsupported_.find(full_name); found != unsupported_.end()) {
    throw Error(ErrorKind::kUnimplemented, "command_not_supported",
                "Command \"" + std::string(full_name) + "\" not supported: " + found->second,
                {{"command", full_name}});
  }
  return nullptr;
}

}  // namespace duckstore::driver
