// Browser uploads with a signed POST policy (S3 POST Object, docs/design/s3.md "POST uploads"): the form
// carries a base64 JSON policy and its signature, made with the same keys as a request signature:
// - SigV4: x-amz-algorithm = AWS4-HMAC-SHA256, x-amz-credential = <key id>/<date>/<region>/s3/aws4_request,
//   x-amz-date, x-amz-signature = hex(HMAC-SHA256(signing key of the credential, policy));
// - SigV2: AWSAccessKeyId, signature = base64(HMAC-SHA1(secret, policy)).
// The policy {"expiration": "<ISO 8601>", "conditions": [...]} must not have expired, and every condition
// must hold: {"field": "value"} and ["eq", "$field", "value"] (exact), ["starts-with", "$field", "prefix"],
// ["content-length-range", min, max] (checked on the file's size once it is read). "bucket" is the
// addressed bucket; every form field but policy, the signature fields, file and x-ignore-* must be named
// by a condition. Failures are access_denied ("Invalid according to Policy: ..."), like S3.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "duckstore/api/s3/post_form.hpp"
#include "duckstore/api/s3/sigv4.hpp"

namespace duckstore::s3 {

struct PostPolicy {
  std::string access_key_id;          // the key that signed it
  std::optional<int64_t> min_length;  // content-length-range
  std::optional<int64_t> max_length;
};

// Verifies the form's policy signature and conditions for an upload into `bucket` at `now` (conditions
// see the fields as sent, "${filename}" unexpanded, as S3 evaluates them).
PostPolicy VerifyPostPolicy(const PostForm& form, std::string_view bucket, const SecretLookup& secrets,
                            std::chrono::system_clock::time_point now);

// Throws entity_too_small / entity_too_large when `size` is outside the policy's content-length-range.
void CheckPostLength(const PostPolicy& policy, int64_t size);

}  // namespace duckstore::s3
