// The transport-neutral core of the storage driver: checks a DriverRequest's credentials, finds the
// command's handler, runs it with the runtime options recorded, and returns the DriverResponse. Both the
// gRPC service and POST /driver/execute call Execute(); they only differ in how they carry errors.
#pragma once

#include "duckstore/api/driver/registry.hpp"
#include "duckstore/services/services.hpp"
#include "keboola/storage_driver/common.pb.h"

namespace duckstore::driver {

class Dispatcher {
 public:
  // Registers every command (commands.hpp).
  explicit Dispatcher(Services& services);

  // Throws duckstore::Error (map with FailureOf): kUnauthenticated for missing or bad credentials,
  // kPermissionDenied for a key of another project or too small a scope, kUnimplemented ("unknown_command",
  // driver code 900) for command types without a handler, kInvalidArgument for malformed envelopes; and
  // whatever the handler throws. Each call is counted in the request metrics (door "driver", the command as
  // the operation): this is the driver door's one recording place, for both transports.
  common::DriverResponse Execute(const common::DriverRequest& request);

  const CommandRegistry& registry() const { return registry_; }

 private:
  // Execute without the metrics; sets `operation` to the command's name once it is known to the registry.
  common::DriverResponse Run(const common::DriverRequest& request, std::string& operation);

  Services& services_;
  CommandRegistry registry_;
};

}  // namespace duckstore::driver
