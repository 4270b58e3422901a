// Commands answered with UNIMPLEMENTED / driver code 900: those that only make sense on BigQuery (Analytics
// Hub listings and their subscribers). Commands of a family that make no sense here are registered as
// unsupported in that family's file (workspace access grants: workspace_commands.cpp).
#include "duckstore/api/driver/commands.hpp"
#include "keboola/storage_driver/bucket.pb.h"

namespace duckstore::driver {

namespace bucket = keboola::storageDriver::command::bucket;

void AddUnsupportedCommands(CommandRegistry& registry) {
  constexpr const char* kBigQueryOnly = "BigQuery Analytics Hub only; duckstore has no listings";
  registry.AddUnsupported<bucket::BigQueryExternalBucketSharingStatusCommand>(kBigQueryOnly);
  registry.AddUnsupported<bucket::GrantExternalBucketSubscriberCommand>(kBigQueryOnly);
  registry.AddUnsupported<bucket::RevokeExternalBucketSubscriberCommand>(kBigQueryOnly);
}

}  // namespace duckstore::driver
