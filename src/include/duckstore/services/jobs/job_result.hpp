// What a finished job produced, as the services' own result types, and how the job service persists it.
//
// A job's work returns a JobResult: the ImportResult or ExportResult of the import or export it ran (the
// same values the synchronous calls return). Each transport renders it in its own format; the services
// layer never holds a transport's rendering. The catalog stores a result as an opaque JSON document; that
// document's shape is defined here (EncodeJobResult) and belongs to the job service, not to any door:
// {"type": "import" | "export", ...the result's fields by their C++ names}.
#pragma once

#include <nlohmann/json.hpp>
#include <variant>

#include "duckstore/services/import/import_request.hpp"

namespace duckstore {

// std::monostate: no result (the job has not succeeded).
using JobResult = std::variant<std::monostate, ImportResult, ExportResult>;

// The stored document of `result` (null for no result).
nlohmann::json EncodeJobResult(const JobResult& result);
// The result a stored document holds; null decodes to no result. Documents written before results were
// typed (an import or export result without "type") are read by their fields. Throws
// kInternal("invalid_job_result") for a document that is neither.
JobResult DecodeJobResult(const nlohmann::json& document);

}  // namespace duckstore
