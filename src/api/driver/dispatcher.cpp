#include "duckstore/api/driver/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "duckstore/api/driver/commands.hpp"
#include "duckstore/common/error.hpp"
#include "keboola/storage_driver/credentials.pb.h"

namespace duckstore::driver {
namespace {

namespace credentials = keboola::storageDriver::credentials;

// The full message name packed in an Any ("type.googleapis.com/a.b.C" -> "a.b.C").
std::string_view TypeNameOf(const google::protobuf::Any& any) {
  std::string_view url = any.type_url();
  auto slash = url.rfind('/');
  return slash == std::string_view::npos ? url : url.substr(slash + 1);
}

credentials::GenericBackendCredentials CredentialsOf(const common::DriverRequest& request) {
  credentials::GenericBackendCredentials out;
  if (!request.has_credentials() || request.credentials().type_url().empty())
    throw Unauthenticated("DriverRequest.credentials (GenericBackendCredentials) is required");
  if (!request.credentials().UnpackTo(&out)) {
    throw Unauthenticated("DriverRequest.credentials must pack " + out.GetDescriptor()->full_name());
  }
  return out;
}

}  // namespace

bool CommandContext::HasFeature(std::string_view feature) const {
  return std::find(features.begin(), features.end(), feature) != features.end();
}

BranchRef CommandContext::BranchNamed(const std::string& branch_id) const {
  services.auth.Authorize(principal, access, project_id, branch_id);
  return BranchRef{project_id, branch_id};
}

void CommandContext::AddMessage(common::LogMessage::Level level, std::string message) {
  common::LogMessage& out = messages.emplace_back();
  out.set_level(level);
  out.set_message(std::move(message));
}

Dispatcher::Dispatcher(Services& services) : services_(services) {
  AddAllCommands(registry_);
}

common::DriverResponse Dispatcher::Execute(const common::DriverRequest& request) {
  // Credentials first: an unauthenticated caller learns nothing, not even which commands exist.
  auto creds = CredentialsOf(request);
  Principal principal = services_.auth.Authenticate(creds.principal());

  std::string command_name(TypeNameOf(request.command()));
  if (command_name.empty()) throw InvalidArgument("invalid_request", "DriverRequest.command is required");
  const CommandSpec* spec = registry_.Find(command_name);
  if (!spec) {
    throw Error(ErrorKind::kUnimplemented, "unknown_command",
                "Command \"" + command_name + "\" not supported.", {{"command", command_name}});
  }
  auto command = spec->make_command();
  if (!request.command().UnpackTo(command.get())) {
    throw InvalidArgument("invalid_request", "DriverRequest.command does not parse as " + command_name);
  }

  CommandContext context(services_, std::move(principal), creds.host(), command_name, spec->access);
  BranchRef target;  // the server, for backend-level commands
  if (spec->entry.target == TargetFrom::kBranch) {
    if (context.project_id.empty()) {
      throw InvalidArgument("invalid_credentials", "GenericBackendCredentials.host must name the project");
    }
    std::string branch = spec->branch_of ? spec->branch_of(*command) : kDefaultBranch;
    target = BranchRef{context.project_id, branch.empty() ? kDefaultBranch : branch};
  }
  AuthorizeEntry(services_.auth, context.principal, spec->entry, target);

  context.features.assign(request.features().begin(), request.features().end());
  const auto& options = request.runtimeoptions();
  context.run_id = options.runid();
  context.query_tags.insert(options.querytags().begin(), options.querytags().end());

  // Every operation the services log for this command carries its run id and query tags.
  nlohmann::json details = {{"command", command_name}};
  if (!context.run_id.empty()) details["runId"] = context.run_id;
  if (!context.query_tags.empty()) details["queryTags"] = context.query_tags;
  ScopedOperationContext operation_context(details);

  auto started = std::chrono::steady_clock::now();
  spdlog::info("driver command {} project={} run_id={} query_tags={} caller={}", command_name,
               context.project_id, context.run_id, nlohmann::json(context.query_tags).dump(),
               context.principal.Describe());
  auto result = spec->run(*command, context);
  spdlog::info(
      "driver command {} done in {} ms", command_name,
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
          .count());

  common::DriverResponse response;
  if (result) response.mutable_commandresponse()->PackFrom(*result);
  for (auto& message : context.messages) *response.add_messages() = std::move(message);
  return response;
}

}  // namespace duckstore::driver
