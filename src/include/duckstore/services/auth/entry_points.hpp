// Authorization as a declared property of every entry point, one model for every door: REST routes, storage
// driver commands, S3 operations, DAS RPCs and the PostgreSQL wire messages. An entry point declares
//  - which credentials it reads (how its door authenticates the caller),
//  - the access it needs (Access, auth.hpp), and
//  - where its target comes from: the project and branch that access is checked on.
// A door registers each entry point WITH its declaration, resolves the target as declared, and calls
// AuthorizeEntry, the one authorization path; handlers receive the authorized caller and never authorize by
// hand. A rule that depends on data (the branch of a stored job, the bucket an import reads) is resolved by
// the handler and checked through the same service (AuthorizeEntry, or FileAccess for object buckets).
// Every door lists its declarations (http::Router::EntryPoints, CommandRegistry::EntryPoints, S3EntryPoints,
// DasEntryPoints, pgwire::PgEntryPoints), so a coverage test catches an undeclared entry point and an
// authorization matrix test can drive every entry point with every kind of bad credential.
// docs/design/auth.md, "Declared access".
#pragma once

#include <string>
#include <vector>

#include "duckstore/services/auth/auth.hpp"
#include "duckstore/services/model/table_model.hpp"

namespace duckstore {

// How an entry point authenticates its caller.
enum class Credentials {
  kNone,          // unauthenticated by design: liveness, readiness, the OpenAPI document
  kApiKey,        // an API key: "Authorization: Bearer" / X-Api-Key, GenericBackendCredentials.principal,
                  // a DAS definition's api_key option
  kSigV4,         // an S3 signature: the key id signs as access key id, the key's token is the secret
  kRegistration,  // DAS: the key stored with the registration, re-authenticated on every call
  kMetricsToken,  // GET /metrics: the admin API key, or the scraper token of --metrics-token when one is set
  kDelegated,     // a route carrying another door's requests, which declare their own (POST /driver/execute
                  // -> the driver commands; the S3 prefix and host routes -> the S3 operations)
  kWorkspaceLogin,  // PostgreSQL wire: a workspace user's SCRAM login (user, database = the workspace id),
                    // proved against the user's stored verifier; later messages act as that login
  kCancelKey,       // PostgreSQL wire CancelRequest: the process id and secret a session was given
};

// Where an entry point's target (the project and branch its access is checked on) comes from.
enum class TargetFrom {
  kNone,     // nothing to check: kNone or kDelegated credentials, a command refused as unsupported, or a
             // route any valid key may call about itself (GET /whoami)
  kServer,   // the server itself: the admin key only (access kServerAdmin)
  kProject,  // the project the request names (path {project_id}, credentials.host), default branch
  kProjectAnyBranch,  // the project the request names, on whichever branch the caller's key is bound to
  kBranch,            // the project and branch the request names (path {project_id} and {branch_id}, or the
                      // branch of the command's bucket path)
  kRecord,            // the branch of a stored record the request names (a job): looked up after
                      // authentication, then checked
  kCallerProject,     // the caller's own project, default branch (S3 CreateBucket); the admin key acts
                      // server-wide
  kCallerItems,       // nothing up front: a listing shows only the items the caller may use (S3 ListBuckets)
  kObjectBucket,      // the object-store bucket the request names: FileAccess (services/files/file_access)
  kRegistration,      // the project and branch of a DAS registration (or its definition, for Register)
  kWorkspace,         // the workspace a PostgreSQL login names, which must be the user's own; statements stay
                      // in its scope. Authorized by services/workspaces/sql_session (SqlSessionService), not
                      // through AuthorizeEntry (std::logic_error there)
};

const char* ToString(Credentials credentials);
const char* ToString(TargetFrom target);

// One entry point of one door.
struct EntryPoint {
  std::string door;       // "rest", "driver", "s3", "das", "pg"
  std::string operation;  // "POST /projects/{project_id}/branches", a command's full type name, "PutObject"
  Credentials credentials = Credentials::kApiKey;
  Access access = Access::kRead;
  TargetFrom target = TargetFrom::kBranch;
};

// The one authorization path: throws kPermissionDenied unless `principal` (already authenticated by the
// door) may call `entry` on `target`, the project and branch the door resolved as the entry declares (an
// empty project id for kServer and kCallerProject, whose target is the server or the caller's own project).
// Entry points without credentials or target pass; kCallerItems and kObjectBucket are checked per item
// through FileAccess and kWorkspace by the workspace login, so reaching here with them is a programming
// error (std::logic_error).
void AuthorizeEntry(const AuthService& auth, const Principal& principal, const EntryPoint& entry,
                    const BranchRef& target);

}  // namespace duckstore
