#include "duckstore/api/s3/operations.hpp"

#include <stdexcept>

#include "duckstore/services/files/file_access.hpp"

namespace duckstore::s3 {
namespace {

S3Operation Declare(S3Op op, const char* name, Access access, TargetFrom target, S3Handler handler,
                    Credentials credentials = Credentials::kSigV4) {
  return S3Operation{op, EntryPoint{"s3", name, credentials, access, target}, handler};
}

// The table, in S3Op order.
const std::vector<S3Operation>& Table() {
  constexpr auto kBucket = TargetFrom::kObjectBucket;
  static const std::vector<S3Operation> table = {
      Declare(S3Op::kListBuckets, "ListBuckets", Access::kRead, TargetFrom::kCallerItems, ListBuckets),
      Declare(S3Op::kCreateBucket, "CreateBucket", Access::kWrite, TargetFrom::kCallerProject, CreateBucket),
      Declare(S3Op::kHeadBucket, "HeadBucket", Access::kRead, kBucket, HeadBucket),
      Declare(S3Op::kDeleteBucket, "DeleteBucket", Access::kWrite, kBucket, DeleteBucket),
      Declare(S3Op::kGetBucketLocation, "GetBucketLocation", Access::kRead, kBucket, GetBucketLocation),
      Declare(S3Op::kGetBucketVersioning, "GetBucketVersioning", Access::kRead, kBucket, GetBucketVersioning),
      Declare(S3Op::kListObjectVersions, "ListObjectVersions", Access::kRead, kBucket, ListObjectVersions),
      Declare(S3Op::kListObjects, "ListObjects", Access::kRead, kBucket,
              [](S3Services& s3, S3Call& call) { return ListObjects(s3, call, /*v2=*/false); }),
      Declare(S3Op::kListObjectsV2, "ListObjectsV2", Access::kRead, kBucket,
              [](S3Services& s3, S3Call& call) { return ListObjects(s3, call, /*v2=*/true); }),
      Declare(S3Op::kDeleteObjects, "DeleteObjects", Access::kWrite, kBucket, DeleteObjects),
      Declare(S3Op::kPutObject, "PutObject", Access::kWrite, kBucket, PutObject),
      Declare(S3Op::kCopyObject, "CopyObject", Access::kWrite, kBucket, CopyObject),
      Declare(S3Op::kGetObject, "GetObject", Access::kRead, kBucket, GetObject),
      Declare(S3Op::kHeadObject, "HeadObject", Access::kRead, kBucket, GetObject),
      Declare(S3Op::kGetObjectAttributes, "GetObjectAttributes", Access::kRead, kBucket, GetObjectAttributes),
      Declare(S3Op::kDeleteObject, "DeleteObject", Access::kWrite, kBucket, DeleteObject),
      Declare(S3Op::kPostObject, "PostObject", Access::kWrite, kBucket, PostObject),
      Declare(S3Op::kCreateMultipartUpload, "CreateMultipartUpload", Access::kWrite, kBucket,
              CreateMultipartUpload),
      Declare(S3Op::kUploadPart, "UploadPart", Access::kWrite, kBucket, UploadPart),
      Declare(S3Op::kUploadPartCopy, "UploadPartCopy", Access::kWrite, kBucket, UploadPartCopy),
      Declare(S3Op::kCompleteMultipartUpload, "CompleteMultipartUpload", Access::kWrite, kBucket,
              CompleteMultipartUpload),
      Declare(S3Op::kAbortMultipartUpload, "AbortMultipartUpload", Access::kWrite, kBucket,
              AbortMultipartUpload),
      Declare(S3Op::kListParts, "ListParts", Access::kRead, kBucket, ListParts),
      Declare(S3Op::kListMultipartUploads, "ListMultipartUploads", Access::kRead, kBucket,
              ListMultipartUploads),
      Declare(S3Op::kPutBucketCors, "PutBucketCors", Access::kWrite, kBucket, PutBucketCors),
      Declare(S3Op::kGetBucketCors, "GetBucketCors", Access::kRead, kBucket, GetBucketCors),
      Declare(S3Op::kDeleteBucketCors, "DeleteBucketCors", Access::kWrite, kBucket, DeleteBucketCors),
      // A browser sends the preflight without credentials; it only reads the bucket's public CORS rules.
      Declare(S3Op::kPreflightCors, "PreflightCors", Access::kRead, TargetFrom::kNone, PreflightCors,
              Credentials::kNone),
  };
  return table;
}

}  // namespace

const S3Operation& S3OperationOf(S3Op op) {
  const auto& table = Table();
  auto index = static_cast<size_t>(op);
  if (index >= table.size() || table[index].op != op) {
    throw std::logic_error("S3 operation " + std::to_string(index) + " has no access declaration");
  }
  return table[index];
}

std::vector<EntryPoint> S3EntryPoints() {
  std::vector<EntryPoint> out;
  for (const auto& operation : Table()) out.push_back(operation.entry);
  return out;
}

http::Response RunAuthorized(S3Services& s3, const S3Operation& operation, S3Call& call) {
  switch (operation.entry.target) {
    case TargetFrom::kObjectBucket:
      call.target_bucket =
          FileAccess(s3.auth, s3.store).Bucket(call.principal, call.bucket, operation.entry.access);
      break;
    case TargetFrom::kCallerItems:
    case TargetFrom::kNone:
      break;
    default:
      AuthorizeEntry(s3.auth, call.principal, operation.entry, BranchRef{"", kDefaultBranch});
  }
  return operation.handler(s3, call);
}

}  // namespace duckstore::s3
