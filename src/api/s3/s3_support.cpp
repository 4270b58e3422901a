#include <boost/url/pct_string_view.hpp>
#include <ctime>

#include "duckstore/api/s3/handlers.hpp"
#include "duckstore/api/s3/header_text.hpp"
#include "duckstore/api/s3/text.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/random.hpp"
#include "duckstore/services/files/file_access.hpp"

namespace duckstore::s3 {
namespace {

constexpr size_t kStreamBytes = 1 << 20;

std::optional<std::string> Base64Md5ToHex(const std::string& encoded) {
  auto raw = Base64Decode(encoded);
  if (!raw || raw->size() != 16) return std::nullopt;
  return HexEncode(*raw);
}

std::optional<int64_t> ParseHttpDate(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

bool EtagMatches(const std::string& header, const std::string& etag) {
  size_t start = 0;
  while (start <= header.size()) {
    size_t comma = header.find(',', start);
    std::string candidate = UnquoteEtag(std::string_view(header).substr(
        start, comma == std::string::npos ? std::string::npos : comma - start));
    if (candidate == "*" || candidate == etag) return true;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return false;
}

// "/bucket/key" or "bucket/key", percent-encoded, optionally "?versionId=...".
std::pair<std::string, std::string> ParseCopySource(const std::string& header) {
  std::string source = header.substr(0, header.find('?'));
  auto encoded = boost::urls::make_pct_string_view(source);
  if (!encoded) throw InvalidArgument("invalid_argument", "x-amz-copy-source is not valid percent-encoding");
  std::string decoded = encoded->decode();
  if (decoded.starts_with("/")) decoded.erase(0, 1);
  size_t slash = decoded.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == decoded.size()) {
    throw InvalidArgument("invalid_argument", "x-amz-copy-source must be <bucket>/<key>",
                          {{"ArgumentName", "x-amz-copy-source"}});
  }
  return {decoded.substr(0, slash), decoded.substr(slash + 1)};
}

}  // namespace

Precondition EvaluatePreconditions(const http::Request& request, const StoredObject& object,
                                   std::string_view header_prefix) {
  int64_t modified = TimestampToUnixSeconds(object.created_at);
  auto header = [&](const char* name) { return request.headers.Find(std::string(header_prefix) + name); };
  auto failed = [&](const char* name) {
    return Error(ErrorKind::kPreconditionFailed, "precondition_failed",
                 "at least one of the preconditions you specified did not hold",
                 {{"Condition", std::string(header_prefix) + name}});
  };
  const std::string* if_match = header("if-match");
  if (if_match && !EtagMatches(*if_match, object.etag)) throw failed("if-match");
  if (!if_match) {
    if (const std::string* since = header("if-unmodified-since")) {
      auto at = ParseHttpDate(*since);
      if (at && modified > *at) throw failed("if-unmodified-since");
    }
  }
  const std::string* if_none_match = header("if-none-match");
  if (if_none_match && EtagMatches(*if_none_match, object.etag)) return Precondition::kNotModified;
  if (!if_none_match) {
    if (const std::string* since = header("if-modified-since")) {
      auto at = ParseHttpDate(*since);
      if (at && modified <= *at) return Precondition::kNotModified;
    }
  }
  return Precondition::kHolds;
}

WriteCondition WriteConditionOf(const S3Call& call) {
  WriteCondition condition;
  if (const std::string* none_match = call.http.headers.Find("if-none-match")) {
    if (UnquoteEtag(*none_match) != "*") {
      throw Error(ErrorKind::kUnimplemented, "not_implemented", "If-None-Match on a write supports only '*'",
                  {{"Header", "If-None-Match"}});
    }
    condition.if_none_match = true;
  }
  if (const std::string* match = call.http.headers.Find("if-match")) condition.if_match = UnquoteEtag(*match);
  return condition;
}

std::pair<std::string, std::string> AuthorizedCopySource(S3Services& s3, const S3Call& call) {
  auto source = ParseCopySource(call.http.headers.Get("x-amz-copy-source"));
  FileAccess(s3.auth, s3.store).Bucket(call.principal, source.first, Access::kRead);
  return source;
}

void CheckCopySourceConditions(const S3Call& call, const StoredObject& source) {
  // A copy has nothing to answer "not modified" with: S3 fails those conditions with 412 too.
  if (EvaluatePreconditions(call.http, source, "x-amz-copy-source-") == Precondition::kNotModified) {
    throw Error(ErrorKind::kPreconditionFailed, "precondition_failed",
                "at least one of the preconditions you specified did not hold",
                {{"Condition", "x-amz-copy-source-if-none-match"}});
  }
}

std::optional<std::string> SecretOf(S3Services& s3, const std::string& access_key_id) {
  const std::string& admin_key = s3.auth.admin_key();
  size_t dot = admin_key.find('.');
  if (dot != std::string::npos && dot > 0 && admin_key.compare(0, dot, access_key_id) == 0 &&
      access_key_id.size() == dot) {
    return admin_key;
  }
  return s3.auth.TokenOf(access_key_id);
}

Principal PrincipalOf(S3Services& s3, const std::string& access_key_id) {
  std::optional<std::string> secret = SecretOf(s3, access_key_id);
  if (!secret) throw Internal("a verified signature of an unknown key");
  Principal principal = s3.auth.Authenticate(*secret);
  if (!principal.admin && !principal.key) throw Internal("principal without a key");
  return principal;
}

void CheckVersionId(const std::string& version_id) {
  if (version_id != kNullVersion) {
    throw InvalidArgument("invalid_argument", "Invalid version id specified",
                          {{"ArgumentName", "versionId"}, {"ArgumentValue", version_id}});
  }
}

std::string S3Call::Query(std::string_view name, const std::string& fallback) const {
  const std::string* value = http.QueryParam(name);
  return value ? *value : fallback;
}

std::optional<Checksum> StreamPayload(S3Call& call, BlobWriter& writer,
                                      std::optional<ChecksumAlgorithm> required) {
  // The claim is checked before the body is read: a malformed one is refused before any upload.
  std::optional<ChecksumClaim> claim = ChecksumClaimOf(call.http);
  if (claim && required && claim->algorithm != *required) {
    throw InvalidArgument(
        "invalid_request",
        "Checksum Type mismatch occurred, expected checksum Type: " + ChecksumHeaderSuffix(*required) +
            ", actual checksum Type: " + ChecksumHeaderSuffix(claim->algorithm));
  }
  std::optional<Checksummer> checksummer;
  if (claim || required) checksummer.emplace(claim ? claim->algorithm : *required);
  Payload payload(call.http, call.signature);
  std::vector<char> buffer(kStreamBytes);
  for (;;) {
    size_t got = payload.Read(buffer.data(), buffer.size());
    if (got == 0) break;
    if (checksummer) checksummer->Update(buffer.data(), got);
    writer.Append(buffer.data(), got);
  }
  if (!checksummer) return std::nullopt;
  Checksum checksum{checksummer->algorithm(), checksummer->Finish()};
  if (claim) VerifyChecksum(*claim, checksum.value, payload.trailers());
  return checksum;
}

StoredChecksum StoredChecksumOf(const Checksum& checksum, std::optional<ChecksumType> type) {
  return {std::string(ChecksumName(checksum.algorithm)), type ? std::string(ChecksumTypeName(*type)) : "",
          Base64Encode(checksum.value)};
}

void SetChecksumHeaders(http::Response& response, const StoredChecksum& checksum) {
  auto algorithm = ParseChecksumAlgorithm(checksum.algorithm);
  if (!algorithm) return;
  response.headers.Set("x-amz-checksum-" + ChecksumHeaderSuffix(*algorithm), checksum.value);
  if (!checksum.type.empty()) response.headers.Set("x-amz-checksum-type", checksum.type);
}

std::string ReadSmallPayload(S3Call& call, size_t limit, bool claim_is_body) {
  std::optional<ChecksumClaim> claim;
  if (claim_is_body) claim = ChecksumClaimOf(call.http);
  Payload payload(call.http, call.signature);
  std::string body;
  char buffer[64 * 1024];
  for (;;) {
    size_t got = payload.Read(buffer, sizeof(buffer));
    if (got == 0) break;
    body.append(buffer, got);
    if (body.size() > limit) {
      throw InvalidArgument("invalid_request",
                            "the request body exceeds " + std::to_string(limit) + " bytes");
    }
  }
  if (call.signature.payload == PayloadMode::kSha256 && Sha256Hex(body) != call.signature.payload_sha256) {
    throw InvalidArgument("content_sha256_mismatch",
                          "the provided x-amz-content-sha256 header does not match what was computed");
  }
  if (claim) VerifyChecksum(*claim, ComputeChecksum(claim->algorithm, body), payload.trailers());
  return body;
}

nlohmann::json StandardHeadersOf(const std::function<const std::string*(const std::string&)>& value_of) {
  nlohmann::json headers = nlohmann::json::object();
  for (const char* name : kObjectHeaderNames) {
    const std::string* value = value_of(name);
    if (!value) continue;
    std::string kept = *value;
    if (std::string_view(name) == "content-encoding") {
      // "aws-chunked" describes how this request's body travels, not the object: S3 drops it.
      kept.clear();
      std::string_view list(*value);
      while (!list.empty()) {
        size_t comma = list.find(',');
        std::string_view item = TrimBlanks(list.substr(0, comma));
        if (!item.empty() && AsciiLower(item) != "aws-chunked")
          kept += (kept.empty() ? "" : ",") + std::string(item);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    }
    if (!kept.empty()) headers[name] = HeaderValueToUtf8(kept);
  }
  return headers;
}

ObjectAttributes AttributesFromRequest(const S3Call& call) {
  ObjectAttributes attributes;
  attributes.headers =
      StandardHeadersOf([&](const std::string& name) { return call.http.headers.Find(name); });
  if (const std::string* type = call.http.headers.Find("content-type"); type && !type->empty()) {
    attributes.content_type = *type;
  }
  for (const auto& [name, value] : call.http.headers.all()) {
    if (name.starts_with("x-amz-meta-") && name.size() > 11) {
      attributes.metadata[name.substr(11)] = HeaderValueToUtf8(value);
    }
  }
  if (const std::string* md5 = call.http.headers.Find("content-md5")) {
    attributes.expected_md5 = Base64Md5ToHex(*md5);
    if (!attributes.expected_md5)
      throw InvalidArgument("invalid_digest", "the Content-MD5 you specified is not valid");
  }
  if (call.signature.payload == PayloadMode::kSha256)
    attributes.expected_sha256 = call.signature.payload_sha256;
  return attributes;
}

std::string HttpDate(const std::string& timestamp) {
  std::time_t seconds = static_cast<std::time_t>(TimestampToUnixSeconds(timestamp));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return buffer;
}

std::string QuotedEtag(const std::string& etag) {
  return '"' + etag + '"';
}

std::string UnquoteEtag(std::string_view etag) {
  while (!etag.empty() && (etag.front() == ' ' || etag.front() == '\t' || etag.front() == '\n'))
    etag.remove_prefix(1);
  while (!etag.empty() && (etag.back() == ' ' || etag.back() == '\t' || etag.back() == '\n'))
    etag.remove_suffix(1);
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

int64_t PartNumberOf(const std::string& text) {
  try {
    size_t used = 0;
    int64_t number = std::stoll(text, &used);
    if (used == text.size()) {
      MultipartService::CheckPartNumber(number);
      return number;
    }
  } catch (const std::invalid_argument&) {
  } catch (const std::out_of_range&) {
  }
  throw InvalidArgument("invalid_argument", "part numbers must be integers between 1 and 10000",
                        {{"ArgumentName", "partNumber"}, {"ArgumentValue", text}});
}

int64_t IntegerParam(const S3Call& call, std::string_view name, int64_t fallback, int64_t max) {
  const std::string* text = call.http.QueryParam(name);
  if (!text) return fallback;
  try {
    size_t used = 0;
    int64_t value = std::stoll(*text, &used);
    if (used == text->size() && value >= 0) return std::min(value, max);
  } catch (const std::exception&) {
  }
  throw InvalidArgument("invalid_argument", std::string(name) + " must be a non-negative integer",
                        {{"ArgumentName", std::string(name)}, {"ArgumentValue", *text}});
}

http::Response XmlResponse(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.headers.Set("content-type", "application/xml");
  response.body = std::move(body);
  return response;
}

}  // namespace duckstore::s3
