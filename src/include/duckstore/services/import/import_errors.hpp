// Errors of the import and export engines. Each carries the storage driver contract's numeric code in
// details.driver_code (4xxx import, 5000 export) so that the driver transport can report it unchanged;
// the REST API shows it as part of the details.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "duckstore/common/error.hpp"

namespace duckstore {

// The contract's import error table (ERR_* constants).
enum class DriverCode : int {
  kValidation = 3000,
  kUnknownImport = 4000,
  kColumnsCountNotMatch = 4100,
  kInvalidColumnName = 4101,
  kDuplicateColumnNames = 4102,
  kNoColumns = 4103,
  kMandatoryInvalidSourceData = 4200,
  kMandatoryFileNotFound = 4201,
  kDataTypeMismatch = 4202,
  kInvalidFileParams = 4203,
  kUnknownExport = 5000,
};

inline Error ImportError(ErrorKind kind, std::string code, const std::string& message, DriverCode driver_code,
                         nlohmann::json details = nlohmann::json::object()) {
  if (!details.is_object()) details = nlohmann::json::object();
  details["driver_code"] = static_cast<int>(driver_code);
  return Error(kind, std::move(code), message, std::move(details));
}

}  // namespace duckstore
