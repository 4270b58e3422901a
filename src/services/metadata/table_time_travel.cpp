// TableService: creating a table from another's past state (time travel), which duckstore cannot serve.
#include "duckstore/services/metadata/tables.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/metadata/change_window.hpp"
#include "duckstore/services/metadata/table_access.hpp"
#include "duckstore/storage/engine/project_metadata.hpp"

namespace duckstore {

TableInfo TableService::CreateFromTimeTravel(const TableRef& source, const TableRef& destination,
                                             int64_t unix_seconds) {
  return ops_.Run(
      destination.branch.project_id, "table.create_from_time_travel", destination.Qualified(),
      [&]() -> TableInfo {
        auto open = OpenForRead(branches_, source);
        ValidateObjectName(destination.bucket, "bucket name");
        ValidateObjectName(destination.table, "table name");
        auto target = branches_.View(destination.branch);
        auto bucket = target->RequireBucket(destination.bucket);
        RefuseLinked(bucket);
        if (target->FindTable(bucket, destination.table)) {
          throw Conflict("table_exists",
                         "table '" + destination.table + "' already exists in bucket '" + bucket.name + "'");
        }
        std::string as_of = UtcText(unix_seconds);
        auto created = TableCreatedAt(*open.conn, open.schema, open.info.name);
        if (created && as_of < *created) {
          throw NotFound("table_not_found",
                         "table '" + source.Qualified() + "' did not exist at " + as_of + " UTC",
                         {{"created_at", *created}});
        }
        throw InvalidArgument("time_travel_data_not_retained",
                              "the data of table '" + source.Qualified() + "' as of " + as_of +
                                  " UTC is not retained: duckstore keeps no history of table data",
                              {{"timestamp", unix_seconds}});
      });
}

}  // namespace duckstore
