// DAS registrations (docs/design/das.md), one of the catalog's small interfaces (catalog.hpp aggregates
// them). A registration goes away with its project. Every method is safe to call from any thread.
// Failures throw duckstore::Error: kConflict for a taken id, kInternal for the backend.
#pragma once

#include <optional>
#include <string>

#include "duckstore/storage/catalog/entities.hpp"

namespace duckstore {

class DasCatalog {
 public:
  virtual ~DasCatalog() = default;

  // Throws kConflict("das_exists") for a taken id.
  virtual void CreateDasRegistration(const DasRegistration& registration) = 0;
  virtual std::optional<DasRegistration> GetDasRegistration(const std::string& id) = 0;
  // Returns whether a registration was removed.
  virtual bool DeleteDasRegistration(const std::string& id) = 0;
};

}  // namespace duckstore
