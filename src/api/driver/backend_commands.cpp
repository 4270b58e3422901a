// InitBackend, RemoveBackend: the admin key only.
#include "duckstore/api/driver/commands.hpp"
#include "keboola/storage_driver/backend.pb.h"

namespace duckstore::driver {

namespace backend = keboola::storageDriver::command::backend;

void AddBackendCommands(CommandRegistry& registry) {
  registry.Add<backend::InitBackendCommand>(Access::kServerAdmin,
                                            [](const backend::InitBackendCommand&, CommandContext& context) {
                                              context.services.backend.Check();
                                              return backend::InitBackendResponse();
                                            });
  // Nothing is provisioned per stack, so there is nothing to remove (like the reference driver).
  registry.Add<backend::RemoveBackendCommand>(Access::kServerAdmin,
                                              [](const backend::RemoveBackendCommand&, CommandContext&) {});
}

}  // namespace duckstore::driver
