// PutObject, CopyObject, GetObject / HeadObject (ranges, conditional requests), GetObjectAttributes,
// DeleteObject.
#include <cctype>

#include "duckstore/api/http/range.hpp"
#include "duckstore/api/s3/handlers.hpp"
#include "duckstore/api/s3/header_text.hpp"
#include "duckstore/api/s3/xml.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/error_codes.hpp"

namespace duckstore::s3 {
namespace {

void SetObjectHeaders(http::Response& response, const StoredObject& object) {
  response.headers.Set("etag", QuotedEtag(object.etag));
  response.headers.Set("last-modified", HttpDate(object.created_at));
  for (const auto& [name, value] : object.metadata.items()) {
    if (value.is_string())
      response.headers.Set("x-amz-meta-" + name, Utf8ToHeaderValue(value.get<std::string>()));
  }
  for (const auto& [name, value] : object.headers.items()) {
    if (value.is_string()) response.headers.Set(name, Utf8ToHeaderValue(value.get<std::string>()));
  }
}

// The bytes ?partNumber=N addresses: the N-th part of a multipart object (parts counted in order), the
// whole object as its only part otherwise; kRangeNotSatisfiable("invalid_part_number") beyond the last.
http::ByteRange PartRange(const S3Call& call, const StoredObject& object) {
  if (call.http.headers.Find("range")) {
    throw InvalidArgument("invalid_request",
                          "Cannot specify both Range header and partNumber query parameter");
  }
  int64_t number = PartNumberOf(call.Query("partNumber"));
  std::vector<int64_t> sizes = object.part_sizes;
  if (sizes.empty()) sizes.push_back(object.size);
  if (number > static_cast<int64_t>(sizes.size())) {
    throw Error(
        ErrorKind::kRangeNotSatisfiable, "invalid_part_number", "The requested partnumber is not satisfiable",
        {{"PartNumberRequested", std::to_string(number)}, {"ActualPartCount", std::to_string(sizes.size())}});
  }
  uint64_t offset = 0;
  for (int64_t i = 0; i + 1 < number; ++i) offset += static_cast<uint64_t>(sizes[static_cast<size_t>(i)]);
  return {offset, static_cast<uint64_t>(sizes[static_cast<size_t>(number - 1)])};
}

bool ChecksumModeEnabled(const S3Call& call) {
  std::string mode = call.http.headers.Get("x-amz-checksum-mode");
  for (char& c : mode) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return mode == "ENABLED";
}

}  // namespace

http::Response PutObject(S3Services& s3, S3Call& call) {
  const ObjectBucket& bucket = call.target_bucket;
  ObjectAttributes attributes = AttributesFromRequest(call);
  WriteCondition condition = WriteConditionOf(call);  // decided when the object is published
  auto writer = s3.store.OpenWriter(bucket, attributes.digests());
  if (auto checksum = StreamPayload(call, *writer))
    attributes.checksum = StoredChecksumOf(*checksum, ChecksumType::kFullObject);
  StoredObject object = s3.store.CommitWrite(*writer, bucket, call.key, attributes, condition);
  http::Response response = http::Response::Empty(200);
  response.headers.Set("etag", QuotedEtag(object.etag));
  SetChecksumHeaders(response, object.checksum);
  return response;
}

http::Response CopyObject(S3Services& s3, S3Call& call) {
  const ObjectBucket& target = call.target_bucket;
  auto [source_bucket_name, source_key] = AuthorizedCopySource(s3, call);
  // The copy request has no payload of its own, but a signed one must still be what was signed.
  ReadSmallPayload(call, kSmallPayloadBytes);

  std::string directive = call.http.headers.Get("x-amz-metadata-directive", "COPY");
  if (directive != "COPY" && directive != "REPLACE") {
    throw InvalidArgument("invalid_argument", "unknown metadata directive",
                          {{"ArgumentName", "x-amz-metadata-directive"}, {"ArgumentValue", directive}});
  }
  if (directive == "COPY" && source_bucket_name == call.bucket && source_key == call.key) {
    throw InvalidArgument("invalid_request",
                          "this copy request is illegal because it is trying to copy an object to itself "
                          "without changing the object's metadata");
  }
  CheckCopySourceConditions(call, s3.store.Get(source_bucket_name, source_key));
  std::optional<ObjectAttributes> attributes;
  if (directive == "REPLACE") {
    attributes = AttributesFromRequest(call);
    attributes->expected_md5.reset();
    attributes->expected_sha256.reset();
  }
  StoredObject copy = s3.store.Copy(source_bucket_name, source_key, target, call.key, attributes);
  XmlWriter xml("CopyObjectResult");
  xml.Element("LastModified", copy.created_at).Element("ETag", QuotedEtag(copy.etag));
  return XmlResponse(200, xml.Finish());
}

http::Response GetObject(S3Services& s3, S3Call& call) {
  bool head = call.http.method == "HEAD";
  StoredObject object = s3.store.Get(call.bucket, call.key);
  http::Response response;
  SetObjectHeaders(response, object);
  response.headers.Set("accept-ranges", "bytes");
  if (EvaluatePreconditions(call.http, object, "") == Precondition::kNotModified) {
    response.status = 304;
    return response;
  }
  response.headers.Set("content-type", call.Query("response-content-type", object.content_type));
  for (const char* name :
       {"content-disposition", "content-encoding", "content-language", "cache-control", "expires"}) {
    std::string param = std::string("response-") + name;
    if (call.Has(param)) response.headers.Set(name, call.Query(param));
  }
  uint64_t size = static_cast<uint64_t>(object.size);
  http::ByteRange range{0, size};
  response.status = 200;
  if (call.Has("partNumber")) {
    // A part is answered as the range it is, as S3 does (206, Content-Range).
    range = PartRange(call, object);
    // S3 counts the parts only when one is asked for, and only of a multipart object.
    if (!object.part_sizes.empty())
      response.headers.Set("x-amz-mp-parts-count", std::to_string(object.part_sizes.size()));
    if (range.length > 0) {  // an empty object's one part has no byte to name
      response.status = 206;
      response.headers.Set("content-range", range.ContentRange(size));
    }
  } else if (const std::string* header = call.http.headers.Find("range")) {
    try {
      if (auto parsed = http::ParseRange(*header, size)) {
        range = *parsed;
        response.status = 206;
        response.headers.Set("content-range", range.ContentRange(size));
      }
    } catch (const Error&) {
      if (!head) throw;
      response.status = 416;
      response.headers.Set("content-range", "bytes */" + std::to_string(size));
      return response;
    }
  }
  // S3 returns the stored checksum only when asked, and only for the whole object (a range has none).
  if (response.status == 200 && ChecksumModeEnabled(call)) SetChecksumHeaders(response, object.checksum);
  if (head) {
    response.headers.Set("content-length", std::to_string(range.length));
    response.omit_body = true;
    return response;
  }
  try {
    response.file.emplace();
    for (const auto& piece : ObjectRanges(object, range.offset, range.length))
      response.file->Append(piece.path, piece.offset, piece.length);
  } catch (const Error& e) {
    // An overwrite or delete between the lookup and the open unlinked the blob: answer for the object as
    // it is now.
    if (e.code() != error_code::kBlobMissing) throw;
    return GetObject(s3, call);
  }
  return response;
}

http::Response GetObjectAttributes(S3Services& s3, S3Call& call) {
  StoredObject object = s3.store.Get(call.bucket, call.key);
  if (EvaluatePreconditions(call.http, object, "") == Precondition::kNotModified) {
    http::Response response = http::Response::Empty(304);
    response.headers.Set("etag", QuotedEtag(object.etag));
    return response;
  }
  std::string wanted = "," + call.http.headers.Get("x-amz-object-attributes") + ",";
  for (char& c : wanted) c = c == ' ' ? ',' : c;
  auto asked = [&](const char* name) {
    return wanted.find(std::string(",") + name + ",") != std::string::npos;
  };
  XmlWriter xml("GetObjectAttributesResponse");
  // S3 answers the ETag here without quotes.
  if (asked("ETag")) xml.Element("ETag", object.etag);
  if (asked("Checksum") && !object.checksum.algorithm.empty()) {
    xml.Open("Checksum")
        .Element("Checksum" + object.checksum.algorithm, object.checksum.value)
        .Element("ChecksumType", object.checksum.type)
        .Close();
  }
  if (asked("StorageClass")) xml.Element("StorageClass", "STANDARD");
  if (asked("ObjectSize")) xml.Element("ObjectSize", object.size);
  http::Response response = XmlResponse(200, xml.Finish());
  response.headers.Set("last-modified", HttpDate(object.created_at));
  return response;
}

http::Response DeleteObject(S3Services& s3, S3Call& call) {
  s3.store.Delete(call.bucket, call.key);
  return http::Response::Empty(204);
}

}  // namespace duckstore::s3
