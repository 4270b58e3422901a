#include "duckstore/services/auth/entry_points.hpp"

#include <stdexcept>

namespace duckstore {

const char* ToString(Credentials credentials) {
  switch (credentials) {
    case Credentials::kNone:
      return "none";
    case Credentials::kApiKey:
      return "api_key";
    case Credentials::kSigV4:
      return "sigv4";
    case Credentials::kRegistration:
      return "registration";
    case Credentials::kMetricsToken:
      return "metrics_token";
    case Credentials::kDelegated:
      return "delegated";
    case Credentials::kWorkspaceLogin:
      return "workspace_login";
    case Credentials::kCancelKey:
      return "cancel_key";
  }
  return "unknown";
}

const char* ToString(TargetFrom target) {
  switch (target) {
    case TargetFrom::kNone:
      return "none";
    case TargetFrom::kServer:
      return "server";
    case TargetFrom::kProject:
      return "project";
    case TargetFrom::kProjectAnyBranch:
      return "project_any_branch";
    case TargetFrom::kBranch:
      return "branch";
    case TargetFrom::kRecord:
      return "record";
    case TargetFrom::kCallerProject:
      return "caller_project";
    case TargetFrom::kCallerItems:
      return "caller_items";
    case TargetFrom::kObjectBucket:
      return "object_bucket";
    case TargetFrom::kRegistration:
      return "registration";
    case TargetFrom::kWorkspace:
      return "workspace";
  }
  return "unknown";
}

void AuthorizeEntry(const AuthService& auth, const Principal& principal, const EntryPoint& entry,
                    const BranchRef& target) {
  switch (entry.target) {
    case TargetFrom::kNone:
      return;
    case TargetFrom::kServer:
      auth.Authorize(principal, Access::kServerAdmin);
      return;
    case TargetFrom::kProjectAnyBranch:
      // Any key of the project: checked on the branch the key is bound to.
      if (principal.admin) return;
      auth.Authorize(principal, entry.access, target.project_id,
                     principal.key ? principal.key->branch_id.value_or(kDefaultBranch) : kDefaultBranch);
      return;
    case TargetFrom::kCallerProject:
      if (principal.admin) return;
      auth.Authorize(principal, entry.access, principal.key ? principal.key->project_id : "", kDefaultBranch);
      return;
    case TargetFrom::kProject:
    case TargetFrom::kBranch:
    case TargetFrom::kRecord:
    case TargetFrom::kRegistration:
      auth.Authorize(principal, entry.access, target.project_id,
                     target.branch_id.empty() ? kDefaultBranch : target.branch_id);
      return;
    case TargetFrom::kCallerItems:
    case TargetFrom::kObjectBucket:
    case TargetFrom::kWorkspace:
      break;
  }
  throw std::logic_error("entry point " + entry.door + " " + entry.operation + " is authorized per item (" +
                         ToString(entry.target) + "), not through AuthorizeEntry");
}

}  // namespace duckstore
