// The operations log (audit trail of mutations), one of the catalog's small interfaces (catalog.hpp
// aggregates them). A project's entries go away with the project (ProjectCatalog::DeleteProject). Every
// method is safe to call from any thread. Failures throw duckstore::Error (kInternal for the backend).
#pragma once

#include <string>

#include "duckstore/storage/catalog/entities.hpp"

namespace duckstore {

class OperationCatalog {
 public:
  virtual ~OperationCatalog() = default;

  // Operation::id is assigned by the catalog (ascending).
  virtual void AppendOperation(const Operation& operation) = 0;
  // Newest first.
  virtual Page<Operation> ListOperations(const std::string& project_id, const PageRequest& page) = 0;
};

}  // namespace duckstore
