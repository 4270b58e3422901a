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
  CommandContext(Services& services, Principal principal, std::string project_id, std::string command_name,
                 Access access)
      : services(services),
        principal(std::move(principal)),
        project_id(std::move(project_id)),
        command_name(std::move(command_name)),
        access(access) {}

  Services& services;
  Principal principal;
  // GenericBackendCredentials.host: the project the command works on ("" for backend-level commands).
  std::string project_id;
  // The command's full type name, e.g. "keboola.storageDriver.command.table.CreateTableCommand".
  std::string command_name;
  // The access the command's registration declares (checked for every branch the command touches).
  Access access;
  std::vector<std::string> features;
  std::string run_id;
  std::map<std::string, std::string> query_tags;
  // User-facing messages for DriverResponse.messages (warnings of partial failures, notices).
  std::vector<common::LogMessage> messages;

  bool HasFeature(std::string_view feature) const;
  void AddMessage(common::LogMessage::Level level, std::string message);
  // A branch of the credentials' project the command works on. Every branch a handler touches comes from
  // here (directly or through the bucket helpers of support.hpp, which read it from bucket object names),
  // so the caller is authorized for each one with the command's access: a key bound to another branch is
  // refused (kPermissionDenied) even when the dispatcher's up-front check named a different branch.
  BranchRef BranchNamed(const std::string& branch_id) const;
  // The default branch of the credentials' project.
  BranchRef Branch() const { return BranchNamed(kDefaultBranch); }
};

}  // namespace duckstore::driver
