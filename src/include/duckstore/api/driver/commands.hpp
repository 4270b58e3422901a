// The one list of storage driver command families. Each family registers its handlers from its own file
// src/api/driver/<family>_commands.cpp (see registry.hpp for how to write a handler).
#pragma once

#include "duckstore/api/driver/registry.hpp"

namespace duckstore::driver {

void AddBackendCommands(CommandRegistry& registry);       // backend_commands.cpp
void AddProjectCommands(CommandRegistry& registry);       // project_commands.cpp
void AddBucketCommands(CommandRegistry& registry);        // bucket_commands.cpp
void AddTableCommands(CommandRegistry& registry);         // table_commands.cpp (structure)
void AddTableDataCommands(CommandRegistry& registry);     // table_data_commands.cpp (rows, views, profile)
void AddImportExportCommands(CommandRegistry& registry);  // import_export_commands.cpp (files, tables)
void AddInfoCommands(CommandRegistry& registry);          // info_commands.cpp
void AddQueryCommands(CommandRegistry& registry);         // query_commands.cpp
void AddBranchCommands(CommandRegistry& registry);        // branch_commands.cpp (dev branches, sharing)
void AddWorkspaceCommands(CommandRegistry& registry);     // workspace_commands.cpp
void AddUnsupportedCommands(CommandRegistry& registry);   // unsupported_commands.cpp (BigQuery-only)

inline void AddAllCommands(CommandRegistry& registry) {
  AddBackendCommands(registry);
  AddProjectCommands(registry);
  AddBucketCommands(registry);
  AddTableCommands(registry);
  AddTableDataCommands(registry);
  AddImportExportCommands(registry);
  AddInfoCommands(registry);
  AddQueryCommands(registry);
  AddBranchCommands(registry);
  AddWorkspaceCommands(registry);
  AddUnsupportedCommands(registry);
}

}  // namespace duckstore::driver
