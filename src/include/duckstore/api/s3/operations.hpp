// The S3 operations duckstore serves, each declared with its access (services/auth/entry_points.hpp): the
// dispatcher (s3_api.cpp) picks an operation from the method, the query and the addressed bucket and key,
// authorizes the caller as the operation declares, and only then calls its handler (handlers.hpp):
//  - kObjectBucket: the addressed bucket with the declared access, through FileAccess; the handler finds it
//    in S3Call::target_bucket;
//  - kCallerProject: the caller's own project (CreateBucket creates a bucket of it);
//  - kCallerItems: nothing up front; the handler lists only what the caller may use (ListBuckets).
// Data-dependent buckets (a copy's source) are checked by the handler through FileAccess too.
#pragma once

#include <vector>

#include "duckstore/api/s3/handlers.hpp"
#include "duckstore/services/auth/entry_points.hpp"

namespace duckstore::s3 {

// Every operation the dispatcher can select. A new one needs a row in the table (operations.cpp); the
// access declaration test fails for a value without one.
enum class S3Op {
  kListBuckets,
  kCreateBucket,
  kHeadBucket,
  kDeleteBucket,
  kGetBucketLocation,
  kGetBucketVersioning,
  kListObjectVersions,
  kListObjects,
  kListObjectsV2,
  kDeleteObjects,
  kPutObject,
  kCopyObject,
  kGetObject,
  kHeadObject,
  kGetObjectAttributes,
  kDeleteObject,
  kPostObject,
  kCreateMultipartUpload,
  kUploadPart,
  kUploadPartCopy,
  kCompleteMultipartUpload,
  kAbortMultipartUpload,
  kListParts,
  kListMultipartUploads,
  kPutBucketCors,
  kGetBucketCors,
  kDeleteBucketCors,
  kPreflightCors,  // OPTIONS: unauthenticated (Credentials::kNone), answered from the bucket's CORS rules
  kCount,          // not an operation: the number of them
};

using S3Handler = http::Response (*)(S3Services& s3, S3Call& call);

struct S3Operation {
  S3Op op;
  // door "s3", operation = the S3 action name, credentials kSigV4: a signature made with the key id and the
  // key's token, whether SigV4, SigV2 (sigv2.hpp) or a signed POST policy (post_policy.hpp)
  EntryPoint entry;
  S3Handler handler;
};

// The declared operation `op`; std::logic_error when it has no declaration.
const S3Operation& S3OperationOf(S3Op op);
// Every declared operation's entry point.
std::vector<EntryPoint> S3EntryPoints();

// Authorizes `call` for `operation` as declared (filling call.target_bucket for kObjectBucket) and runs it.
http::Response RunAuthorized(S3Services& s3, const S3Operation& operation, S3Call& call);

}  // namespace duckstore::s3
