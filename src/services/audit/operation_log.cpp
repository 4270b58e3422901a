#include "duckstore/services/audit/operation_log.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/log.hpp"

namespace duckstore {
namespace {

thread_local nlohmann::json current_context = nlohmann::json::object();

}  // namespace

ScopedOperationContext::ScopedOperationContext(nlohmann::json details)
    : previous_(std::exchange(current_context, std::move(details))) {}

ScopedOperationContext::~ScopedOperationContext() {
  current_context = std::move(previous_);
}

const nlohmann::json& ScopedOperationContext::Current() {
  return current_context;
}

void OperationLog::Record(const std::string& project_id, const std::string& operation,
                          const std::string& resource, std::chrono::steady_clock::time_point started,
                          const std::string& status) {
  auto elapsed = std::chrono::steady_clock::now() - started;
  Operation op;
  op.at = NowTimestamp();
  op.request_id = log::CurrentRequestId();
  op.project_id = project_id;
  op.operation = operation;
  op.resource = resource;
  op.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  op.status = status;
  op.details = ScopedOperationContext::Current();
  try {
    catalog_.AppendOperation(op);
  } catch (const std::exception& e) {
    spdlog::warn("cannot record operation {} on {}: {}", operation, resource, e.what());
  }
}

std::string OperationLog::CodeOf(const std::exception& e) {
  if (const auto* error = dynamic_cast<const Error*>(&e)) return error->code();
  return "internal_error";
}

}  // namespace duckstore
