#include "duckstore/api/s3/sigv2.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <boost/url/pct_string_view.hpp>
#include <ctime>
#include <map>
#include <vector>

#include "duckstore/api/s3/text.hpp"
#include "duckstore/common/checksum.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore::s3 {
namespace {

constexpr std::string_view kHeaderPrefix = "AWS ";
constexpr int64_t kMaxPresignedExpiry = int64_t{7} * 24 * 3600;

// The query parameters that name a subresource and so belong to the signed resource (as botocore's
// HmacV1 signer and S3 define them).
constexpr std::string_view kSubresources[] = {
    "accelerate",
    "acl",
    "analytics",
    "cors",
    "defaultObjectAcl",
    "delete",
    "inventory",
    "lifecycle",
    "location",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "partNumber",
    "policy",
    "replication",
    "requestPayment",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "select",
    "select-type",
    "storageClass",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
};

Error Malformed(const std::string& message) {
  return InvalidArgument("authorization_header_malformed", message);
}

Error Denied(const std::string& code, const std::string& message) {
  return Error(ErrorKind::kPermissionDenied, code, message);
}

std::string Decode(std::string_view encoded) {
  auto view = boost::urls::make_pct_string_view(encoded);
  if (!view) throw Malformed("the query string is not valid percent-encoding");
  return view->decode();
}

// The raw query, decoded without turning '+' into a space (a base64 signature may carry a raw '+'); a
// parameter without '=' has no value (nullopt), as "?uploads" and "?uploads=" sign differently.
std::vector<std::pair<std::string, std::optional<std::string>>> RawQuery(const http::Request& request) {
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  size_t mark = request.target.find('?');
  if (mark == std::string::npos) return out;
  std::string_view query = std::string_view(request.target).substr(mark + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(Decode(item), std::nullopt);
    } else {
      out.emplace_back(Decode(item.substr(0, eq)), Decode(item.substr(eq + 1)));
    }
  }
  return out;
}

std::optional<std::string> QueryValue(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& query, std::string_view name) {
  for (const auto& [key, value] : query) {
    if (key == name) return value.value_or("");
  }
  return std::nullopt;
}

// RFC 1123 dates as clients send them: "Tue, 27 Mar 2007 19:36:42 GMT" (or "+0000").
std::optional<std::chrono::system_clock::time_point> ParseHttpDate(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (!end) return std::nullopt;
  std::string_view zone = TrimBlanks(end);
  if (zone != "GMT" && zone != "+0000" && zone != "UTC" && zone != "Z") return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

void CheckPresignedExpiry(const std::string& expires, std::chrono::system_clock::time_point now) {
  int64_t at = 0;
  try {
    size_t used = 0;
    at = std::stoll(expires, &used);
    if (used != expires.size()) throw std::invalid_argument("");
  } catch (const std::exception&) {
    throw Malformed("Expires must be a Unix time in seconds");
  }
  int64_t now_seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (now_seconds > at) throw Denied("access_denied", "the presigned URL has expired");
  if (at - now_seconds > kMaxPresignedExpiry) {
    throw Malformed("a presigned URL may be valid for at most 604800 seconds");
  }
}

}  // namespace

std::string HmacSha1Base64(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length) == nullptr) {
    throw Internal("hmac-sha1 failed");
  }
  return Base64Encode(std::string_view(reinterpret_cast<char*>(digest), length));
}

bool IsSigV2(const http::Request& request) {
  if (const std::string* authorization = request.headers.Find("authorization")) {
    return authorization->starts_with(kHeaderPrefix);
  }
  return request.QueryParam("AWSAccessKeyId") != nullptr;
}

std::string StringToSignV2(const http::Request& request, std::string_view resource_path,
                           std::string_view date) {
  std::string out = request.method + '\n';
  out += request.headers.Get("content-md5") + '\n';
  out += request.headers.Get("content-type") + '\n';
  out += std::string(date) + '\n';
  std::map<std::string, std::string> amz;
  for (const auto& [name, value] : request.headers.all()) {
    if (!name.starts_with("x-amz-")) continue;
    auto [it, inserted] = amz.emplace(name, std::string(TrimBlanks(value)));
    if (!inserted) it->second += ',' + std::string(TrimBlanks(value));
  }
  for (const auto& [name, value] : amz) out += name + ':' + value + '\n';
  out += resource_path;
  std::vector<std::pair<std::string, std::optional<std::string>>> subresources;
  for (auto& parameter : RawQuery(request)) {
    if (std::find(std::begin(kSubresources), std::end(kSubresources), parameter.first) !=
        std::end(kSubresources)) {
      subresources.push_back(std::move(parameter));
    }
  }
  std::stable_sort(subresources.begin(), subresources.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  char separator = '?';
  for (const auto& [name, value] : subresources) {
    out += separator + name + (value ? '=' + *value : "");
    separator = '&';
  }
  return out;
}

SignedRequest VerifySignatureV2(const http::Request& request, const std::vector<std::string>& resource_paths,
                                const SecretLookup& secrets, std::chrono::system_clock::time_point now,
                                const SigV4Options& options) {
  std::string access_key_id, signature, date;
  if (const std::string* authorization = request.headers.Find("authorization")) {
    std::string_view credentials = std::string_view(*authorization).substr(kHeaderPrefix.size());
    size_t colon = credentials.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == credentials.size()) {
      throw Malformed("the authorization header must be 'AWS <access key id>:<signature>'");
    }
    access_key_id = std::string(TrimBlanks(credentials.substr(0, colon)));
    signature = std::string(TrimBlanks(credentials.substr(colon + 1)));
    const std::string* amz_date = request.headers.Find("x-amz-date");
    const std::string* http_date = amz_date ? amz_date : request.headers.Find("date");
    if (!http_date) {
      throw Denied("access_denied", "AWS authentication requires a valid Date or x-amz-date header");
    }
    auto signed_at = ParseHttpDate(*http_date);
    if (!signed_at)
      throw Denied("access_denied", "AWS authentication requires a valid Date or x-amz-date header");
    if (*signed_at - now > options.max_skew || now - *signed_at > options.max_skew) {
      throw Denied("request_time_too_skewed",
                   "the difference between the request time and the server's time is too large");
    }
    if (!amz_date) date = *http_date;  // with x-amz-date, the signed Date line is empty
  } else {
    auto query = RawQuery(request);
    auto id = QueryValue(query, "AWSAccessKeyId");
    auto query_signature = QueryValue(query, "Signature");
    auto expires = QueryValue(query, "Expires");
    if (!id || !query_signature || !expires) {
      throw Malformed("a presigned URL needs AWSAccessKeyId, Signature and Expires");
    }
    CheckPresignedExpiry(*expires, now);
    access_key_id = *id;
    signature = *query_signature;
    date = *expires;
  }
  std::optional<std::string> secret = secrets(access_key_id);
  if (!secret) throw Denied("invalid_access_key_id", "the access key id does not exist in our records");
  bool matched = false;
  for (const auto& path : resource_paths) {
    matched = matched ||
              ConstantTimeEquals(HmacSha1Base64(*secret, StringToSignV2(request, path, date)), signature);
  }
  if (!matched) {
    throw Denied("signature_does_not_match",
                 "the request signature we calculated does not match the signature you provided; check your "
                 "key and signing method");
  }
  SignedRequest result;
  result.access_key_id = access_key_id;
  result.payload = PayloadMode::kUnsigned;
  return result;
}

}  // namespace duckstore::s3
