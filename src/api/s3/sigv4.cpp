#include "duckstore/api/s3/sigv4.hpp"

#include <algorithm>
#include <ctime>
#include <vector>

#include "duckstore/api/s3/text.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/random.hpp"

namespace duckstore::s3 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr int64_t kMaxPresignedExpiry = int64_t{7} * 24 * 3600;
const std::string kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Error Malformed(const std::string& message) {
  return InvalidArgument("authorization_header_malformed", message);
}

Error Denied(const std::string& code, const std::string& message) {
  return Error(ErrorKind::kPermissionDenied, code, message);
}

// The parts of a signature, from the header or the query.
struct SignatureParts {
  std::string access_key_id;
  std::string date;  // yyyymmdd of the scope
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;
  std::string signature;
  std::string amz_date;
  std::optional<int64_t> expires;  // presigned only
};

std::vector<std::string> Split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t end = text.find(separator, start);
    parts.emplace_back(
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

bool IsLowerHex(std::string_view text, size_t length) {
  return text.size() == length && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// "<key id>/<yyyymmdd>/<region>/<service>/aws4_request"
void ParseCredential(std::string_view credential, SignatureParts& parts) {
  auto fields = Split(credential, '/');
  if (fields.size() != 5 || fields[0].empty() || fields[1].size() != 8 || fields[4] != "aws4_request") {
    throw Malformed("the credential must be <access key id>/<date>/<region>/s3/aws4_request");
  }
  if (fields[3] != "s3") throw Malformed("the credential's service must be 's3', not '" + fields[3] + "'");
  parts.access_key_id = fields[0];
  parts.date = fields[1];
  parts.region = fields[2];
  parts.service = fields[3];
}

void ParseSignedHeaders(std::string_view list, SignatureParts& parts) {
  parts.signed_headers = Split(list, ';');
  for (const auto& name : parts.signed_headers) {
    if (name.empty()) throw Malformed("empty name in SignedHeaders");
  }
  if (std::find(parts.signed_headers.begin(), parts.signed_headers.end(), "host") ==
      parts.signed_headers.end()) {
    throw Malformed("SignedHeaders must include host");
  }
}

SignatureParts ParseAuthorizationHeader(std::string_view header, const http::Request& request) {
  if (!header.starts_with(kAlgorithm) || header.size() == kAlgorithm.size() ||
      header[kAlgorithm.size()] != ' ') {
    throw Malformed("unsupported authorization type; only AWS4-HMAC-SHA256 is supported");
  }
  SignatureParts parts;
  bool have_credential = false, have_headers = false, have_signature = false;
  for (const auto& raw : Split(header.substr(kAlgorithm.size() + 1), ',')) {
    std::string_view field = TrimBlanks(raw);
    size_t eq = field.find('=');
    if (eq == std::string_view::npos)
      throw Malformed("malformed authorization field '" + std::string(field) + "'");
    std::string_view name = field.substr(0, eq), value = field.substr(eq + 1);
    if (name == "Credential") {
      ParseCredential(value, parts);
      have_credential = true;
    } else if (name == "SignedHeaders") {
      ParseSignedHeaders(value, parts);
      have_headers = true;
    } else if (name == "Signature") {
      parts.signature = std::string(value);
      have_signature = true;
    } else {
      throw Malformed("unknown authorization field '" + std::string(name) + "'");
    }
  }
  if (!have_credential || !have_headers || !have_signature) {
    throw Malformed("the authorization header needs Credential, SignedHeaders and Signature");
  }
  const std::string* amz_date = request.headers.Find("x-amz-date");
  if (!amz_date) throw Malformed("the x-amz-date header is required");
  parts.amz_date = *amz_date;
  return parts;
}

SignatureParts ParsePresignedQuery(const http::Request& request) {
  auto require = [&](const char* name) -> const std::string& {
    const std::string* value = request.QueryParam(name);
    if (!value) throw Malformed(std::string("the presigned URL lacks ") + name);
    return *value;
  };
  if (require("X-Amz-Algorithm") != kAlgorithm) throw Malformed("X-Amz-Algorithm must be AWS4-HMAC-SHA256");
  SignatureParts parts;
  ParseCredential(require("X-Amz-Credential"), parts);
  ParseSignedHeaders(require("X-Amz-SignedHeaders"), parts);
  parts.signature = require("X-Amz-Signature");
  parts.amz_date = require("X-Amz-Date");
  const std::string& expires = require("X-Amz-Expires");
  try {
    size_t used = 0;
    int64_t seconds = std::stoll(expires, &used);
    if (used != expires.size() || seconds < 1 || seconds > kMaxPresignedExpiry) throw std::out_of_range("");
    parts.expires = seconds;
  } catch (const std::exception&) {
    throw Malformed("X-Amz-Expires must be between 1 and 604800 seconds");
  }
  return parts;
}

std::string CanonicalQuery(const http::Request& request, bool presigned) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const auto& [name, value] : request.query) {
    if (presigned && name == "X-Amz-Signature") continue;
    encoded.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name + '=' + value;
  }
  return out;
}

// Trimmed, inner runs of spaces collapsed; repeated headers joined with ','.
std::string CanonicalHeaderValue(const http::Request& request, const std::string& name) {
  std::string joined;
  bool found = false;
  for (const auto& [header, value] : request.headers.all()) {
    if (header != name) continue;
    std::string collapsed;
    for (char c : TrimBlanks(value)) {
      if (c == ' ' && !collapsed.empty() && collapsed.back() == ' ') continue;
      collapsed += c;
    }
    joined += (found ? "," : "") + collapsed;
    found = true;
  }
  if (!found) throw Malformed("signed header '" + name + "' is missing from the request");
  return joined;
}

std::string CanonicalRequest(const http::Request& request, const SignatureParts& parts, bool presigned,
                             const std::string& payload_hash) {
  std::string out = request.method + '\n';
  out += UriEncode(request.path, true) + '\n';
  out += CanonicalQuery(request, presigned) + '\n';
  std::vector<std::string> names = parts.signed_headers;
  for (auto& name : names) std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  std::sort(names.begin(), names.end());
  std::string signed_list;
  for (const auto& name : names) {
    out += name + ':' + CanonicalHeaderValue(request, name) + '\n';
    signed_list += (signed_list.empty() ? "" : ";") + name;
  }
  out += '\n' + signed_list + '\n' + payload_hash;
  return out;
}

PayloadMode PayloadModeOf(const std::string& declared, std::string& sha256) {
  if (declared == "UNSIGNED-PAYLOAD") return PayloadMode::kUnsigned;
  if (declared == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") return PayloadMode::kStreamingSigned;
  if (declared == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER") return PayloadMode::kStreamingSignedTrailer;
  if (declared == "STREAMING-UNSIGNED-PAYLOAD-TRAILER") return PayloadMode::kStreamingUnsignedTrailer;
  if (IsLowerHex(declared, 64)) {
    sha256 = declared;
    return PayloadMode::kSha256;
  }
  std::string lower = declared;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (IsLowerHex(lower, 64)) {
    sha256 = lower;
    return PayloadMode::kSha256;
  }
  throw InvalidArgument("unsupported_payload", "x-amz-content-sha256 '" + declared +
                                                   "' is not supported (use a SHA-256, UNSIGNED-PAYLOAD, "
                                                   "STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER) or "
                                                   "STREAMING-UNSIGNED-PAYLOAD-TRAILER)");
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string DeriveSigningKey(std::string_view secret, std::string_view date, std::string_view region,
                             std::string_view service) {
  std::string key = HmacSha256("AWS4" + std::string(secret), date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  return HmacSha256(key, "aws4_request");
}

std::string ChunkStringToSign(const SignedRequest& signed_request, std::string_view previous_signature,
                              std::string_view chunk_sha256_hex) {
  std::string out = "AWS4-HMAC-SHA256-PAYLOAD\n";
  out += signed_request.amz_date + '\n';
  out += signed_request.scope + '\n';
  out += std::string(previous_signature) + '\n';
  out += kEmptySha256 + '\n';
  out += chunk_sha256_hex;
  return out;
}

std::string TrailerStringToSign(const SignedRequest& signed_request, std::string_view previous_signature,
                                std::string_view canonical_trailers) {
  std::string out = "AWS4-HMAC-SHA256-TRAILER\n";
  out += signed_request.amz_date + '\n';
  out += signed_request.scope + '\n';
  out += std::string(previous_signature) + '\n';
  out += Sha256Hex(canonical_trailers);
  return out;
}

std::optional<std::chrono::system_clock::time_point> ParseAmzDate(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  for (size_t i = 0; i < 15; ++i) {
    if (i != 8 && (text[i] < '0' || text[i] > '9')) return std::nullopt;
  }
  auto number = [&](size_t at, size_t length) {
    int value = 0;
    for (size_t i = at; i < at + length; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  std::tm tm{};
  tm.tm_year = number(0, 4) - 1900;
  tm.tm_mon = number(4, 2) - 1;
  tm.tm_mday = number(6, 2);
  tm.tm_hour = number(9, 2);
  tm.tm_min = number(11, 2);
  tm.tm_sec = number(13, 2);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

SignedRequest VerifySignature(const http::Request& request, const SecretLookup& secrets,
                              std::chrono::system_clock::time_point now, const SigV4Options& options) {
  const std::string* authorization = request.headers.Find("authorization");
  bool presigned = !authorization && request.QueryParam("X-Amz-Signature") != nullptr;
  if (!authorization && !presigned) {
    throw Denied("access_denied", "anonymous access is not allowed; sign the request with an API key");
  }
  SignatureParts parts =
      presigned ? ParsePresignedQuery(request) : ParseAuthorizationHeader(*authorization, request);

  auto signed_at = ParseAmzDate(parts.amz_date);
  if (!signed_at) throw Malformed("the request date must be in the form yyyymmddThhmmssZ");
  if (parts.amz_date.compare(0, 8, parts.date) != 0) {
    throw Malformed("the credential's date does not match the request date");
  }
  if (presigned) {
    if (*signed_at - now > options.max_skew) {
      throw Denied("request_time_too_skewed", "the presigned URL is dated in the future");
    }
    if (now > *signed_at + std::chrono::seconds(*parts.expires)) {
      throw Denied("access_denied", "the presigned URL has expired");
    }
  } else if (*signed_at - now > options.max_skew || now - *signed_at > options.max_skew) {
    throw Denied("request_time_too_skewed",
                 "the difference between the request time and the server's time is too large");
  }

  SignedRequest result;
  result.access_key_id = parts.access_key_id;
  result.amz_date = parts.amz_date;
  result.scope = parts.date + '/' + parts.region + '/' + parts.service + "/aws4_request";
  std::string payload_hash = "UNSIGNED-PAYLOAD";
  if (!presigned) {
    const std::string* declared = request.headers.Find("x-amz-content-sha256");
    if (!declared)
      throw InvalidArgument("missing_content_sha256", "the x-amz-content-sha256 header is required");
    payload_hash = *declared;
    result.payload = PayloadModeOf(payload_hash, result.payload_sha256);
  }

  std::optional<std::string> secret = secrets(parts.access_key_id);
  if (!secret) {
    throw Denied("invalid_access_key_id", "the access key id does not exist in our records");
  }
  std::string string_to_sign = std::string(kAlgorithm) + '\n' + parts.amz_date + '\n' + result.scope + '\n' +
                               Sha256Hex(CanonicalRequest(request, parts, presigned, payload_hash));
  result.signing_key = DeriveSigningKey(*secret, parts.date, parts.region, parts.service);
  std::string expected = HexEncode(HmacSha256(result.signing_key, string_to_sign));
  if (!ConstantTimeEquals(expected, parts.signature)) {
    throw Denied("signature_does_not_match",
                 "the request signature we calculated does not match the signature you provided; check your "
                 "key and signing method");
  }
  result.seed_signature = expected;
  return result;
}

}  // namespace duckstore::s3
