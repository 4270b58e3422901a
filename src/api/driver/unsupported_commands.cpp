// Commands answered with UNIMPLEMENTED / driver code 900: those that only make sense on BigQuery (Analytics
// Hub listings and subscribers), and the import/export commands until the import engine is wired in.
#include "duckstore/api/driver/commands.hpp"
#include "keboola/storage_driver/bucket.pb.h"
#include "keboola/storage_driver/table.pb.h"

namespace duckstore::driver {

namespace bucket = keboola::storageDriver::command::bucket;

void AddUnsupportedCommands(CommandRegistry& registry) {
  constexpr const char* kBigQueryOnly = "BigQuery Analytics Hub only; duckstore has no listings";
  registry.AddUnsupported<bucket::BigQueryExternalBucketSharingStatusCommand>(kBigQueryOnly);
  registry.AddUnsupported<bucket::GrantExternalBucketSubscriberCommand>(kBigQueryOnly);
  registry.AddUnsupported<bucket::RevokeExternalBucketSubscriberCommand>(kBigQueryOnly);

  namespace table = keboola::storageDriver::command::table;
  constexpr const char* kImportPending =
      "not supported yet: the import/export engine is not wired to the driver";
  registry.AddUnsupported<table::TableImportFromFileCommand>(kImportPending);
  registry.AddUnsupported<table::TableImportFromTableCommand>(kImportPending);
  registry.AddUnsupported<table::TableExportToFileCommand>(kImportPending);
}

}  // namespace duckstore::driver
