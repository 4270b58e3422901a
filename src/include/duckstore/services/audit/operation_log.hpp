// Records mutations in the catalog's operations log (the audit trail), with the request id, duration and
// outcome. A failure to write the log is logged, never surfaced: the audit trail must not fail a request.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "duckstore/storage/catalog/catalog.hpp"

namespace duckstore {

// Context recorded in the `details` of every operation logged on this thread while it is alive: e.g. the
// storage driver's runId and queryTags. Scopes nest; the innermost one wins.
class ScopedOperationContext {
 public:
  explicit ScopedOperationContext(nlohmann::json details);
  ~ScopedOperationContext();
  ScopedOperationContext(const ScopedOperationContext&) = delete;
  ScopedOperationContext& operator=(const ScopedOperationContext&) = delete;

  // The current thread's context ({} outside any scope).
  static const nlohmann::json& Current();

 private:
  nlohmann::json previous_;
};

class OperationLog {
 public:
  explicit OperationLog(Catalog& catalog) : catalog_(catalog) {}

  // Runs `body` and records it as `operation` on `resource` of `project_id`; the outcome is "ok" or the
  // error code; the exception, if any, propagates.
  template <typename Body>
  auto Run(const std::string& project_id, const std::string& operation, const std::string& resource,
           Body&& body) {
    auto started = std::chrono::steady_clock::now();
    try {
      if constexpr (std::is_void_v<decltype(body())>) {
        body();
        Record(project_id, operation, resource, started, "ok");
      } else {
        auto result = body();
        Record(project_id, operation, resource, started, "ok");
        return result;
      }
    } catch (const std::exception& e) {
      Record(project_id, operation, resource, started, CodeOf(e));
      throw;
    }
  }

  Page<Operation> List(const std::string& project_id, const PageRequest& page) {
    return catalog_.ListOperations(project_id, page);
  }

 private:
  void Record(const std::string& project_id, const std::string& operation, const std::string& resource,
              std::chrono::steady_clock::time_point started, const std::string& status);
  static std::string CodeOf(const std::exception& e);

  Catalog& catalog_;
};

}  // namespace duckstore
