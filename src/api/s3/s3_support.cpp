#include <boost/beast/core/detail/base64.hpp>
#include <boost/url/pct_string_view.hpp>
#include <ctime>

#include "duckstore/api/s3/chunked_payload.hpp"
#include "duckstore/api/s3/handlers.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/random.hpp"
#include "duckstore/services/files/file_access.hpp"

namespace duckstore::s3 {
namespace {

constexpr size_t kStreamBytes = 1 << 20;

// Owns the chunk decoder's inner reader reference for the duration of the call.
class OwningChunkedReader final : public http::BodyReader {
 public:
  OwningChunkedReader(http::BodyReader& raw, SignedRequest signature, uint64_t decoded_length)
      : signature_(std::move(signature)), reader_(raw, signature_, decoded_length) {}
  size_t Read(char* buffer, size_t size) override { return reader_.Read(buffer, size); }

 private:
  SignedRequest signature_;
  ChunkedPayloadReader reader_;
};

// A body reader over an already buffered body (a route that was not streamed).
class BufferedReader final : public http::BodyReader {
 public:
  explicit BufferedReader(const std::string& body) : body_(body) {}
  size_t Read(char* buffer, size_t size) override {
    size_t n = std::min(size, body_.size() - position_);
    std::memcpy(buffer, body_.data() + position_, n);
    position_ += n;
    return n;
  }

 private:
  const std::string& body_;
  size_t position_ = 0;
};

// Forwards to a reader owned elsewhere.
class BorrowedReader final : public http::BodyReader {
 public:
  explicit BorrowedReader(http::BodyReader& inner) : inner_(inner) {}
  size_t Read(char* buffer, size_t size) override { return inner_.Read(buffer, size); }

 private:
  http::BodyReader& inner_;
};

std::optional<std::string> Base64Md5ToHex(const std::string& encoded) {
  namespace base64 = boost::beast::detail::base64;
  std::string raw(base64::decoded_size(encoded.size()), '\0');
  auto [written, read] = base64::decode(raw.data(), encoded.data(), encoded.size());
  // The decoder stops at the padding; anything but padding after that is malformed.
  if (written != 16 || encoded.find_first_not_of('=', read) != std::string::npos) return std::nullopt;
  raw.resize(written);
  return HexEncode(raw);
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

std::string S3Call::Query(std::string_view name, std::string fallback) const {
  const std::string* value = http.QueryParam(name);
  return value ? *value : fallback;
}

std::unique_ptr<http::BodyReader> PayloadReader(S3Call& call) {
  std::unique_ptr<http::BodyReader> raw;
  if (call.signature.payload == PayloadMode::kStreamingSigned) {
    const std::string* decoded = call.http.headers.Find("x-amz-decoded-content-length");
    uint64_t length = 0;
    try {
      size_t used = 0;
      if (!decoded) throw std::invalid_argument("");
      length = std::stoull(*decoded, &used);
      if (used != decoded->size()) throw std::invalid_argument("");
    } catch (const std::exception&) {
      throw Error(ErrorKind::kInvalidArgument, "missing_content_length",
                  "streaming uploads need a valid x-amz-decoded-content-length header");
    }
    if (!call.http.body_reader) throw Internal("S3 routes must stream their bodies");
    return std::make_unique<OwningChunkedReader>(*call.http.body_reader, call.signature, length);
  }
  if (call.http.body_reader) return std::make_unique<BorrowedReader>(*call.http.body_reader);
  return std::make_unique<BufferedReader>(call.http.body);
}

void StreamPayload(S3Call& call, BlobWriter& writer) {
  auto reader = PayloadReader(call);
  std::vector<char> buffer(kStreamBytes);
  for (;;) {
    size_t got = reader->Read(buffer.data(), buffer.size());
    if (got == 0) break;
    writer.Append(buffer.data(), got);
  }
}

std::string ReadSmallPayload(S3Call& call, size_t limit) {
  auto reader = PayloadReader(call);
  std::string body;
  char buffer[64 * 1024];
  for (;;) {
    size_t got = reader->Read(buffer, sizeof(buffer));
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
  return body;
}

ObjectAttributes AttributesFromRequest(const S3Call& call) {
  ObjectAttributes attributes;
  if (const std::string* type = call.http.headers.Find("content-type"); type && !type->empty()) {
    attributes.content_type = *type;
  }
  for (const auto& [name, value] : call.http.headers.all()) {
    if (name.starts_with("x-amz-meta-") && name.size() > 11) attributes.metadata[name.substr(11)] = value;
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
