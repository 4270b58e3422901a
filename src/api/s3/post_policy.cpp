#include "duckstore/api/s3/post_policy.hpp"

#include "duckstore/api/s3/sigv2.hpp"

#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "duckstore/common/checksum.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore::s3 {
namespace {

// Form fields a policy need not name.
bool Exempt(const std::string& name) {
  return name == "policy" || name == "x-amz-signature" || name == "signature" || name == "awsaccesskeyid" ||
         name == "file" || name.starts_with("x-ignore-");
}

Error PolicyDenied(const std::string& reason) {
  return Error(ErrorKind::kPermissionDenied, "access_denied", "Invalid according to Policy: " + reason);
}

Error InvalidPolicy(const std::string& message) {
  return InvalidArgument("invalid_policy_document", "Invalid Policy: " + message);
}

const std::string& Required(const PostForm& form, std::string_view name) {
  const std::string* value = form.Field(name);
  if (!value) {
    throw Error(ErrorKind::kPermissionDenied, "access_denied",
                "the form lacks the field '" + std::string(name) + "' that a signed POST upload needs");
  }
  return *value;
}

// "2007-12-01T12:00:00.000Z" or without the fraction.
std::optional<std::chrono::system_clock::time_point> ParseExpiration(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end) return std::nullopt;
  if (*end == '.') {
    ++end;
    while (*end >= '0' && *end <= '9') ++end;
  }
  if (std::string_view(end) != "Z") return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// Checks the signature of the base64 policy; returns the access key id that made it.
std::string VerifyPolicySignature(const PostForm& form, const std::string& policy,
                                  const SecretLookup& secrets) {
  auto secret_of = [&](const std::string& id) {
    std::optional<std::string> secret = secrets(id);
    if (!secret) {
      throw Error(ErrorKind::kPermissionDenied, "invalid_access_key_id",
                  "the access key id does not exist in our records");
    }
    return *secret;
  };
  std::string id, expected, provided;
  if (form.Field("x-amz-signature")) {
    if (Required(form, "x-amz-algorithm") != "AWS4-HMAC-SHA256") {
      throw InvalidArgument("invalid_request", "x-amz-algorithm must be AWS4-HMAC-SHA256");
    }
    const std::string& credential = Required(form, "x-amz-credential");
    // <key id>/<yyyymmdd>/<region>/s3/aws4_request
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
      size_t slash = credential.find('/', start);
      parts.push_back(
          credential.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    if (parts.size() != 5 || parts[4] != "aws4_request" || parts[3] != "s3") {
      throw InvalidArgument("authorization_header_malformed",
                            "x-amz-credential must be <access key id>/<date>/<region>/s3/aws4_request");
    }
    id = parts[0];
    expected = HexEncode(HmacSha256(DeriveSigningKey(secret_of(id), parts[1], parts[2], parts[3]), policy));
    provided = *form.Field("x-amz-signature");
  } else {
    id = Required(form, "AWSAccessKeyId");
    provided = Required(form, "signature");
    expected = HmacSha1Base64(secret_of(id), policy);
  }
  if (!ConstantTimeEquals(expected, provided)) {
    throw Error(ErrorKind::kPermissionDenied, "signature_does_not_match",
                "the request signature we calculated does not match the signature you provided");
  }
  return id;
}

std::string FieldName(const nlohmann::json& value) {
  if (!value.is_string()) throw InvalidPolicy("condition field names must be strings");
  std::string name = value.get<std::string>();
  if (name.starts_with('$')) name.erase(0, 1);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string ConditionValue(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  throw InvalidPolicy("condition values must be strings");
}

}  // namespace

PostPolicy VerifyPostPolicy(const PostForm& form, std::string_view bucket, const SecretLookup& secrets,
                            std::chrono::system_clock::time_point now) {
  const std::string& encoded = Required(form, "policy");
  PostPolicy result;
  result.access_key_id = VerifyPolicySignature(form, encoded, secrets);
  auto decoded = Base64Decode(encoded);
  if (!decoded) throw InvalidPolicy("the policy is not base64");
  nlohmann::json policy = nlohmann::json::parse(*decoded, nullptr, /*allow_exceptions=*/false);
  if (!policy.is_object() || !policy.contains("expiration") || !policy["expiration"].is_string() ||
      !policy.contains("conditions") || !policy["conditions"].is_array()) {
    throw InvalidPolicy("the policy must be a JSON object with expiration and conditions");
  }
  auto expiration = ParseExpiration(policy["expiration"].get<std::string>());
  if (!expiration) throw InvalidPolicy("Invalid 'expiration' value: " + policy["expiration"].dump());
  if (now > *expiration) throw PolicyDenied("Policy expired.");

  auto value_of = [&](const std::string& name) -> std::string {
    if (name == "bucket") return std::string(bucket);
    const std::string* field = form.Field(name);
    return field ? *field : "";
  };
  std::set<std::string> named;
  for (const auto& condition : policy["conditions"]) {
    if (condition.is_object()) {
      for (const auto& [name, value] : condition.items()) {
        std::string field = FieldName(name);
        named.insert(field);
        if (value_of(field) != ConditionValue(value)) {
          throw PolicyDenied("Policy Condition failed: [\"eq\", \"$" + field + "\", " + value.dump() + "]");
        }
      }
      continue;
    }
    if (!condition.is_array() || condition.size() != 3 || !condition[0].is_string()) {
      throw InvalidPolicy("Invalid Condition: " + condition.dump());
    }
    std::string op = condition[0].get<std::string>();
    if (op == "content-length-range") {
      if (!condition[1].is_number_integer() || !condition[2].is_number_integer()) {
        throw InvalidPolicy("content-length-range takes two integers");
      }
      result.min_length = condition[1].get<int64_t>();
      result.max_length = condition[2].get<int64_t>();
      continue;
    }
    std::string field = FieldName(condition[1]);
    std::string expected = ConditionValue(condition[2]);
    named.insert(field);
    bool holds = op == "eq" ? value_of(field) == expected
                 : op == "starts-with"
                     ? value_of(field).starts_with(expected)
                     : throw InvalidPolicy("Invalid Condition: unknown operation '" + op + "'");
    if (!holds) throw PolicyDenied("Policy Condition failed: " + condition.dump());
  }
  for (const auto& [name, value] : form.fields()) {
    if (!Exempt(name) && !named.contains(name)) throw PolicyDenied("Extra input fields: " + name);
  }
  return result;
}

void CheckPostLength(const PostPolicy& policy, int64_t size) {
  if (policy.min_length && size < *policy.min_length) {
    throw InvalidArgument("entity_too_small",
                          "Your proposed upload is smaller than the minimum allowed size");
  }
  if (policy.max_length && size > *policy.max_length) {
    throw InvalidArgument("entity_too_large", "Your proposed upload exceeds the maximum allowed size");
  }
}

}  // namespace duckstore::s3
