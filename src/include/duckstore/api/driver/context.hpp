// What a storage driver command handler sees of its call: the services, the authenticated caller, the
// project named by the credentials, the request's features and runtime options, and the user-facing
// messages it may add to DriverResponse.messages.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "duckstore/services/services.hpp"
#include "keboola/storage_driver/common.pb.h"

namespace duckstore::driver {

namespace common = keboola::storageDriver::command::common;

struct CommandContext {
  CommandContext(Services& services, Principal principal, std::string project_id, std::string command_name)
      : services(services),
        principal(std::move(principal)),
        project_id(std::move(project_id)),
        command_name(std::move(command_name)) {}

  Services& services;
  Principal principal;
  // GenericBackendCredentials.host: the project the command works on ("" for backend-level commands).
  std::string project_id;
  // The command's full type name, e.g. "keboola.storageDriver.command.table.CreateTableCommand".
  std::string command_name;
  std::vector<std::string> features;
  std::string run_id;
  std::map<std::string, std::string> query_tags;
  // User-facing messages for DriverResponse.messages (warnings of partial failures, notices).
  std::vector<common::LogMessage> messages;

  bool HasFeature(std::string_view feature) const;
  void AddMessage(common::LogMessage::Level level, std::string message);
  // The default branch of the credentials' project.
  BranchRef Branch() const { return BranchRef{project_id, kDefaultBranch}; }
};

}  // namespace duckstore::driver
