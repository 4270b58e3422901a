// CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload, ListParts and
// ListMultipartUploads.
#include "duckstore/api/s3/handlers.hpp"
#include "duckstore/api/s3/xml.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::s3 {
namespace {

constexpr int64_t kMaxListed = 1000;
constexpr size_t kMaxCompleteBody = 4 << 20;

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
    parts.push_back(CompletedPart{PartNumberOf(number->text), UnquoteEtag(etag->text)});
  }
  return parts;
}

}  // namespace

http::Response CreateMultipartUpload(S3Services& s3, S3Call& call) {
  ObjectBucket bucket = AuthorizedBucket(s3, call, Access::kWrite);
  ReadSmallPayload(call, 64 * 1024);
  ObjectAttributes attributes = AttributesFromRequest(call);
  MultipartUpload upload = s3.multipart.Create(bucket, call.key, attributes);
  XmlWriter xml("InitiateMultipartUploadResult");
  xml.Element("Bucket", call.bucket).Element("Key", call.key).Element("UploadId", upload.id);
  return XmlResponse(200, xml.Finish());
}

http::Response UploadPart(S3Services& s3, S3Call& call) {
  ObjectBucket bucket = AuthorizedBucket(s3, call, Access::kWrite);
  if (call.http.headers.Find("x-amz-copy-source")) {
    throw Error(ErrorKind::kUnimplemented, "not_implemented",
                "UploadPartCopy is not supported; copy the object");
  }
  int64_t part_number = PartNumberOf(call.Query("partNumber"));
  MultipartUpload upload = s3.multipart.Get(call.bucket, call.key, call.Query("uploadId"));
  ObjectAttributes attributes = AttributesFromRequest(call);  // for the expected digests
  auto writer = s3.multipart.OpenPartWriter(bucket);
  StreamPayload(call, *writer);
  duckstore::UploadPart part = s3.multipart.CommitPart(*writer, upload, part_number, attributes.expected_md5,
                                                       attributes.expected_sha256);
  http::Response response = http::Response::Empty(200);
  response.headers.Set("etag", QuotedEtag(part.etag));
  return response;
}

http::Response CompleteMultipartUpload(S3Services& s3, S3Call& call) {
  ObjectBucket bucket = AuthorizedBucket(s3, call, Access::kWrite);
  MultipartUpload upload = s3.multipart.Get(call.bucket, call.key, call.Query("uploadId"));
  std::vector<CompletedPart> parts = ParseCompletedParts(ReadSmallPayload(call, kMaxCompleteBody));
  StoredObject object = s3.multipart.Complete(bucket, upload, parts);
  XmlWriter xml("CompleteMultipartUploadResult");
  xml.Element("Location", "/" + call.bucket + "/" + UriEncode(call.key, true))
      .Element("Bucket", call.bucket)
      .Element("Key", call.key)
      .Element("ETag", QuotedEtag(object.etag));
  return XmlResponse(200, xml.Finish());
}

http::Response AbortMultipartUpload(S3Services& s3, S3Call& call) {
  AuthorizedBucket(s3, call, Access::kWrite);
  s3.multipart.Abort(s3.multipart.Get(call.bucket, call.key, call.Query("uploadId")));
  return http::Response::Empty(204);
}

http::Response ListParts(S3Services& s3, S3Call& call) {
  AuthorizedBucket(s3, call, Access::kRead);
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
  for (const auto& part : parts) {
    xml.Open("Part")
        .Element("PartNumber", part.part_number)
        .Element("LastModified", part.created_at)
        .Element("ETag", QuotedEtag(part.etag))
        .Element("Size", part.size)
        .Close();
  }
  return XmlResponse(200, xml.Finish());
}

http::Response ListMultipartUploads(S3Services& s3, S3Call& call) {
  AuthorizedBucket(s3, call, Access::kRead);
  if (!call.Query("delimiter").empty()) {
    throw Error(ErrorKind::kUnimplemented, "not_implemented",
                "listing multipart uploads with a delimiter is not supported");
  }
  std::string prefix = call.Query("prefix");
  std::string key_marker = call.Query("key-marker");
  std::string upload_marker = call.Query("upload-id-marker");
  int64_t max_uploads = IntegerParam(call, "max-uploads", kMaxListed, kMaxListed);
  std::vector<MultipartUpload> uploads =
      s3.multipart.ListUploads(call.bucket, prefix, key_marker, upload_marker, max_uploads + 1);
  bool truncated = static_cast<int64_t>(uploads.size()) > max_uploads;
  if (truncated) uploads.resize(static_cast<size_t>(max_uploads));
  bool url = call.Query("encoding-type") == "url";
  auto text = [&](const std::string& value) { return url ? UriEncode(value, true) : value; };

  XmlWriter xml("ListMultipartUploadsResult");
  xml.Element("Bucket", call.bucket)
      .Element("KeyMarker", text(key_marker))
      .Element("UploadIdMarker", upload_marker);
  if (truncated && !uploads.empty()) {
    xml.Element("NextKeyMarker", text(uploads.back().key)).Element("NextUploadIdMarker", uploads.back().id);
  }
  if (url) xml.Element("EncodingType", "url");
  xml.Element("Prefix", text(prefix))
      .Element("MaxUploads", max_uploads)
      .Element("IsTruncated", XmlBool(truncated));
  for (const auto& upload : uploads) {
    xml.Open("Upload")
        .Element("Key", text(upload.key))
        .Element("UploadId", upload.id)
        .Element("StorageClass", "STANDARD")
        .Element("Initiated", upload.created_at)
        .Close();
  }
  return XmlResponse(200, xml.Finish());
}

}  // namespace duckstore::s3
