// CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload, ListParts
// and ListMultipartUploads.
#include <charconv>

#include "duckstore/api/s3/handlers.hpp"
#include "duckstore/api/s3/xml.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/error_codes.hpp"
#include "duckstore/services/files/multipart_checksum.hpp"

namespace duckstore::s3 {
namespace {

constexpr int64_t kMaxListed = 1000;
constexpr size_t kMaxCompleteBody = 4 << 20;
constexpr uint64_t kMaxCopyPartBytes = 5ull << 30;  // S3's largest part

// x-amz-copy-source-range "bytes=first-last" (both inclusive, both required) within an object of `size`
// bytes, as (offset, length); without the header, the whole object.
std::pair<uint64_t, uint64_t> CopySourceRange(const S3Call& call, uint64_t size) {
  const std::string* header = call.http.headers.Find("x-amz-copy-source-range");
  if (!header) return {0, size};
  auto malformed = [&] {
    return InvalidArgument(
        "invalid_argument",
        "the x-amz-copy-source-range value must be of the form bytes=first-last where first "
        "and last are the zero-based offsets of the first and last bytes to copy",
        {{"ArgumentName", "x-amz-copy-source-range"}, {"ArgumentValue", *header}});
  };
  std::string_view text(*header);
  if (!text.starts_with("bytes=")) throw malformed();
  text.remove_prefix(6);
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) throw malformed();
  auto number = [&](std::string_view digits) {
    uint64_t value = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) throw malformed();
    return value;
  };
  uint64_t first = number(text.substr(0, dash));
  uint64_t last = number(text.substr(dash + 1));
  if (first > last) throw malformed();
  if (last >= size) {
    throw InvalidArgument("invalid_argument",
                          "range specified is not valid for source object of size: " + std::to_string(size),
                          {{"ArgumentName", "x-amz-copy-source-range"}, {"ArgumentValue", *header}});
  }
  return {first, last - first + 1};
}

std::vector<CompletedPart> ParseCompletedParts(const std::string& body) {
  XmlElement root = ParseXml(body);
  if (root.name != "CompleteMultipartUpload") {
    throw InvalidArgument("malformed_xml", "the root element must be CompleteMultipartUpload");
  }
  std::vector<CompletedPart> parts;
  for (const XmlElement* part : root.Children("Part")) {
    const XmlElement* number = part->Child("PartNumber");
    const XmlElement* etag = part->Child("ETag");
    if (!number || !etag) throw InvalidArgument("malformed_xml", "every Part needs a PartNumber and an ETag");
    StoredChecksum checksum;
    for (ChecksumAlgorithm algorithm : kAllChecksumAlgorithms) {
      std::string name(ChecksumName(algorithm));
      if (const XmlElement* value = part->Child("Checksum" + name)) checksum = {name, "", value->text};
    }
    parts.push_back(CompletedPart{PartNumberOf(number->text), UnquoteEtag(etag->text), checksum});
  }
  return parts;
}

}  // namespace

http::Response CreateMultipartUpload(S3Services& s3, S3Call& call) {
  const ObjectBucket& bucket = call.target_bucket;
  ReadSmallPayload(call, kSmallPayloadBytes);
  ObjectAttributes attributes = AttributesFromRequest(call);
  attributes.checksum = DeclaredUploadChecksum(call.http.headers.Get("x-amz-checksum-algorithm"),
                                               call.http.headers.Get("x-amz-checksum-type"));
  MultipartUpload upload = s3.multipart.Create(bucket, call.key, attributes);
  XmlWriter xml("InitiateMultipartUploadResult");
  xml.Element("Bucket", call.bucket).Element("Key", call.key).Element("UploadId", upload.id);
  http::Response response = XmlResponse(200, xml.Finish());
  if (!upload.checksum.algorithm.empty()) {
    response.headers.Set("x-amz-checksum-algorithm", upload.checksum.algorithm);
    response.headers.Set("x-amz-checksum-type", upload.checksum.type);
  }
  return response;
}

http::Response UploadPart(S3Services& s3, S3Call& call) {
  const ObjectBucket& bucket = call.target_bucket;
  int64_t part_number = PartNumberOf(call.Query("partNumber"));
  MultipartUpload upload = s3.multipart.Get(call.bucket, call.key, call.Query("uploadId"));
  ObjectAttributes attributes = AttributesFromRequest(call);  // for the expected digests
  auto writer = s3.multipart.OpenPartWriter(bucket, attributes.digests());
  // Every part of an upload created with a checksum algorithm gets that checksum, sent or not.
  std::optional<Checksum> checksum =
      StreamPayload(call, *writer, ParseChecksumAlgorithm(upload.checksum.algorithm));
  duckstore::UploadPart part = s3.multipart.CommitPart(
      *writer, upload, part_number, attributes.expected_md5, attributes.expected_sha256,
      checksum ? StoredChecksumOf(*checksum, std::nullopt) : StoredChecksum{});
  http::Response response = http::Response::Empty(200);
  response.headers.Set("etag", QuotedEtag(part.etag));
  SetChecksumHeaders(response, part.checksum);
  return response;
}

http::Response UploadPartCopy(S3Services& s3, S3Call& call) {
  const ObjectBucket& bucket = call.target_bucket;
  auto [source_bucket, source_key] = AuthorizedCopySource(s3, call);
  int64_t part_number = PartNumberOf(call.Query("partNumber"));
  MultipartUpload upload = s3.multipart.Get(call.bucket, call.key, call.Query("uploadId"));
  // The copy request has no payload of its own, but a signed one must still be what was signed.
  ReadSmallPayload(call, kSmallPayloadBytes);
  for (int attempt = 0;; ++attempt) {
    StoredObject source = s3.store.Get(source_bucket, source_key);
    CheckCopySourceConditions(call, source);
    auto [offset, length] = CopySourceRange(call, static_cast<uint64_t>(source.size));
    if (length > kMaxCopyPartBytes) {
      throw InvalidArgument("invalid_request",
                            "the specified copy source is larger than the maximum allowable size for a copy "
                            "source: " +
                                std::to_string(kMaxCopyPartBytes));
    }
    try {
      duckstore::UploadPart part = s3.multipart.CopyPart(bucket, upload, part_number, source, offset, length);
      XmlWriter xml("CopyPartResult");
      xml.Element("LastModified", part.created_at).Element("ETag", QuotedEtag(part.etag));
      return XmlResponse(200, xml.Finish());
    } catch (const Error& e) {
      // The source was overwritten or deleted after the lookup: answer for the source as it is now.
      if (e.code() != error_code::kBlobMissing || attempt == 2) throw;
    }
  }
}

http::Response CompleteMultipartUpload(S3Services& s3, S3Call& call) {
  const ObjectBucket& bucket = call.target_bucket;
  std::string upload_id = call.Query("uploadId");
  std::optional<MultipartUpload> upload = s3.multipart.Find(call.bucket, call.key, upload_id);
  WriteCondition condition = WriteConditionOf(call);
  // An x-amz-checksum-<algorithm> header here is the whole object's checksum (FULL_OBJECT), not the body's.
  std::optional<ChecksumClaim> claim = ChecksumClaimOf(call.http);
  std::string expected = claim && claim->expected ? Base64Encode(*claim->expected) : "";
  std::vector<CompletedPart> parts =
      ParseCompletedParts(ReadSmallPayload(call, kMaxCompleteBody, /*claim_is_body=*/false));
  std::string etag;
  StoredChecksum checksum;
  if (upload) {
    StoredObject object = s3.multipart.Complete(bucket, *upload, parts, condition, expected);
    etag = object.etag;
    checksum = object.checksum;
  } else {
    // No upload in progress: a retry of a Complete that succeeded (its response lost) gets that success.
    CompletedUpload completed = s3.multipart.Replay(call.bucket, call.key, upload_id, parts);
    etag = completed.etag;
    checksum = completed.checksum;
  }
  XmlWriter xml("CompleteMultipartUploadResult");
  xml.Element("Location", "/" + call.bucket + "/" + UriEncode(call.key, true))
      .Element("Bucket", call.bucket)
      .Element("Key", call.key)
      .Element("ETag", QuotedEtag(etag));
  if (!checksum.algorithm.empty())
    xml.Element("Checksum" + checksum.algorithm, checksum.value).Element("ChecksumType", checksum.type);
  return XmlResponse(200, xml.Finish());
}

http::Response AbortMultipartUpload(S3Services& s3, S3Call& call) {
  s3.multipart.Abort(s3.multipart.Get(call.bucket, call.key, call.Query("uploadId")));
  return http::Response::Empty(204);
}

http::Response ListParts(S3Services& s3, S3Call& call) {
  MultipartUpload upload = s3.multipart.Get(call.bucket, call.key, call.Query("uploadId"));
  int64_t max_parts = IntegerParam(call, "max-parts", kMaxListed, kMaxListed);
  int64_t marker = IntegerParam(call, "part-number-marker", 0, MultipartService::kMaxPartNumber);
  std::vector<duckstore::UploadPart> parts = s3.multipart.ListParts(upload.id, marker, max_parts + 1);
  bool truncated = static_cast<int64_t>(parts.size()) > max_parts;
  if (truncated) parts.resize(static_cast<size_t>(max_parts));

  XmlWriter xml("ListPartsResult");
  xml.Element("Bucket", call.bucket).Element("Key", call.key).Element("UploadId", upload.id);
  xml.Element("PartNumberMarker", marker);
  xml.Element("NextPartNumberMarker", parts.empty() ? marker : parts.back().part_number);
  xml.Element("MaxParts", max_parts)
      .Element("IsTruncated", XmlBool(truncated))
      .Element("StorageClass", "STANDARD");
  if (!upload.checksum.algorithm.empty()) {
    xml.Element("ChecksumAlgorithm", upload.checksum.algorithm).Element("ChecksumType", upload.checksum.type);
  }
  for (const auto& part : parts) {
    xml.Open("Part")
        .Element("PartNumber", part.part_number)
        .Element("LastModified", part.created_at)
        .Element("ETag", QuotedEtag(part.etag))
        .Element("Size", part.size);
    if (!part.checksum.algorithm.empty())
      xml.Element("Checksum" + part.checksum.algorithm, part.checksum.value);
    xml.Close();
  }
  return XmlResponse(200, xml.Finish());
}

http::Response ListMultipartUploads(S3Services& s3, S3Call& call) {
  std::string prefix = call.Query("prefix");
  std::string delimiter = call.Query("delimiter");
  std::string key_marker = call.Query("key-marker");
  std::string upload_marker = call.Query("upload-id-marker");
  int64_t max_uploads = IntegerParam(call, "max-uploads", kMaxListed, kMaxListed);
  UploadListing listing =
      s3.multipart.ListUploads(call.bucket, prefix, delimiter, key_marker, upload_marker, max_uploads);
  bool url = call.Query("encoding-type") == "url";
  auto text = [&](const std::string& value) { return url ? UriEncode(value, true) : value; };

  XmlWriter xml("ListMultipartUploadsResult");
  xml.Element("Bucket", call.bucket)
      .Element("KeyMarker", text(key_marker))
      .Element("UploadIdMarker", upload_marker);
  if (listing.truncated) {
    xml.Element("NextKeyMarker", text(listing.next_key_marker))
        .Element("NextUploadIdMarker", listing.next_upload_id_marker);
  }
  if (!delimiter.empty()) xml.Element("Delimiter", text(delimiter));
  if (url) xml.Element("EncodingType", "url");
  xml.Element("Prefix", text(prefix))
      .Element("MaxUploads", max_uploads)
      .Element("IsTruncated", XmlBool(listing.truncated));
  for (const auto& upload : listing.uploads) {
    xml.Open("Upload")
        .Element("Key", text(upload.key))
        .Element("UploadId", upload.id)
        .Element("StorageClass", "STANDARD")
        .Element("Initiated", upload.created_at)
        .Close();
  }
  for (const auto& common : listing.common_prefixes)
    xml.Open("CommonPrefixes").Element("Prefix", text(common)).Close();
  return XmlResponse(200, xml.Finish());
}

}  // namespace duckstore::s3
