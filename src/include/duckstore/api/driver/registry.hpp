// The storage driver's command registry: one handler per command message, found by the command's full
// protobuf type name (the part of DriverRequest.command.type_url after "type.googleapis.com/").
//
// HOW TO ADD COMMANDS: put the handlers of one command family in their own file
// src/api/driver/<family>_commands.cpp, exposing `void Add<Family>Commands(CommandRegistry&)`, declare that
// function in commands.hpp and call it from AddAllCommands() there (the one list). A handler only
// translates: it reads the command, calls the services (where every rule lives), and builds the response:
//
//   registry.Add<bucket::DropBucketCommand>(Access::kWrite, [](const bucket::DropBucketCommand& command,
//                                                             CommandContext& context) {
//     context.services.buckets.Delete(context.Branch(), RequireSingle(command.bucketobjectname(), ...), ...);
//   });  // returns void: DriverResponse.commandResponse stays unset
//
// A handler returning a message gets it packed into DriverResponse.commandResponse with the upstream type
// URL. Errors are thrown as duckstore::Error and mapped once by errors.hpp.
#pragma once

#include <google/protobuf/any.pb.h>
#include <google/protobuf/message.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "duckstore/api/driver/context.hpp"
#include "duckstore/api/driver/object_names.hpp"
#include "duckstore/services/auth/auth.hpp"
#include "duckstore/services/auth/entry_points.hpp"

namespace duckstore::driver {

// How a command's credentials are checked before its handler runs.
//  - kServerAdmin: backend- and stack-level commands (init/remove backend, create project): the admin key.
//  - kRead / kWrite / kProjectAdmin: project commands; credentials.host names the project and the key
//    must belong to it with enough scope (the admin key passes everywhere).
// `branch_of` names the branch the command works on, for the up-front check of branch-bound keys: by
// default the branch named by the command's `path` field (object_names.hpp) when it has one, else the
// default branch. Handlers authorize again every branch they resolve (CommandContext::BranchNamed), so
// `branch_of` decides only whether a branch-bound key gets as far as the handler.
struct CommandSpec {
  Access access = Access::kWrite;
  // The command's declaration in the model every door shares (services/auth/entry_points.hpp): credentials
  // GenericBackendCredentials.principal, `access`, target the server (kServerAdmin) or the branch.
  EntryPoint entry;
  std::function<std::string(const google::protobuf::Message& command)> branch_of;
  // Creates an empty command message of the registered type (to unpack the Any into).
  std::function<std::unique_ptr<google::protobuf::Message>()> make_command;
  // Runs the command; returns the response message, or nullptr when the command has none.
  std::function<std::unique_ptr<google::protobuf::Message>(const google::protobuf::Message& command,
                                                           CommandContext& context)>
      run;
};

class CommandRegistry {
 public:
  // Registers `Command`'s handler: `handler(const Command&, CommandContext&)` returns a response message
  // (packed into DriverResponse.commandResponse) or void (no response). Registering a type twice is a
  // programming error (throws std::logic_error at startup).
  template <typename Command, typename Handler>
  void Add(Access access, Handler handler, std::function<std::string(const Command&)> branch_of = nullptr) {
    CommandSpec spec;
    spec.access = access;
    if constexpr (requires(const Command& command) { BranchOfPath(command.path()); }) {
      if (!branch_of) branch_of = [](const Command& command) { return BranchOfPath(command.path()); };
    }
    if (branch_of) {
      spec.branch_of = [branch_of = std::move(branch_of)](const google::protobuf::Message& m) {
        return branch_of(static_cast<const Command&>(m));
      };
    }
    spec.make_command = [] { return std::make_unique<Command>(); };
    spec.run = [handler = std::move(handler)](
                   const google::protobuf::Message& m,
                   CommandContext& context) -> std::unique_ptr<google::protobuf::Message> {
      const auto& command = static_cast<const Command&>(m);
      using Result = std::invoke_result_t<Handler, const Command&, CommandContext&>;
      if constexpr (std::is_void_v<Result>) {
        handler(command, context);
        return nullptr;
      } else {
        return std::make_unique<Result>(handler(command, context));
      }
    };
    Insert(Command::descriptor()->full_name(), std::move(spec));
  }

  // Registers a command this backend does not implement (BigQuery-only ones): it answers UNIMPLEMENTED
  // with driver code 900 and `reason`, like an unknown command, but is documented as known.
  template <typename Command>
  void AddUnsupported(const std::string& reason) {
    InsertUnsupported(Command::descriptor()->full_name(), reason);
  }

  // nullptr for unknown command types. Unsupported commands throw kUnimplemented.
  const CommandSpec* Find(std::string_view full_name) const;
  // Every registered command's declaration, unsupported ones included (refused after authentication).
  std::vector<EntryPoint> EntryPoints() const;
  size_t size() const { return specs_.size() + unsupported_.size(); }

 private:
  void Insert(const std::string& full_name, CommandSpec spec);
  void InsertUnsupported(const std::string& full_name, std::string reason);

  std::map<std::string, CommandSpec, std::less<>> specs_;
  std::map<std::string, std::string, std::less<>> unsupported_;
};

}  // namespace duckstore::driver
