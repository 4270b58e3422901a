// ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, GetBucketVersioning, ListObjects
// (v1 and v2), ListObjectVersions and DeleteObjects. Buckets are never versioned: every object is its one
// version, whose id is "null" as S3 names the version of an object in an unversioned bucket.
#include "duckstore/api/s3/handlers.hpp"
#include "duckstore/api/s3/s3_errors.hpp"
#include "duckstore/api/s3/xml.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/error_codes.hpp"
#include "duckstore/common/random.hpp"
#include "duckstore/services/files/file_access.hpp"

namespace duckstore::s3 {
namespace {

constexpr int64_t kMaxKeys = 1000;
constexpr int64_t kMaxBuckets = 10000;
constexpr size_t kMaxDeleteBody = 4 << 20;

// Continuation tokens are opaque to clients: the key to continue after, hex-encoded.
std::string EncodeToken(const std::string& key) {
  return HexEncode(key);
}

std::string DecodeToken(const std::string& token, const char* parameter = "continuation-token") {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string key;
  bool valid = token.size() % 2 == 0;
  for (size_t i = 0; valid && i < token.size(); i += 2) {
    int high = nibble(token[i]), low = nibble(token[i + 1]);
    valid = high >= 0 && low >= 0;
    key += static_cast<char>(high * 16 + low);
  }
  if (!valid) {
    throw InvalidArgument("invalid_argument", "the continuation token provided is incorrect",
                          {{"ArgumentName", parameter}});
  }
  return key;
}

std::string OwnerOf(const Principal& principal) {
  return principal.admin || !principal.key ? "admin" : principal.key->project_id;
}

}  // namespace

http::Response ListBuckets(S3Services& s3, S3Call& call) {
  std::optional<std::string> project;
  if (!call.principal.admin) project = call.principal.key->project_id;
  int64_t max_buckets = IntegerParam(call, "max-buckets", kMaxBuckets, kMaxBuckets);
  if (call.Has("max-buckets") && max_buckets < 1) {
    throw InvalidArgument("invalid_argument", "max-buckets must be between 1 and 10000",
                          {{"ArgumentName", "max-buckets"}});
  }
  std::string prefix = call.Query("prefix");
  std::string after = call.Has("continuation-token") ? DecodeToken(call.Query("continuation-token")) : "";
  XmlWriter xml("ListAllMyBucketsResult");
  xml.Open("Buckets");
  std::string last;
  bool truncated = false;
  for (const auto& bucket : s3.store.ListBuckets(project)) {  // in name order
    if (!bucket.name.starts_with(prefix) || (!after.empty() && bucket.name <= after)) continue;
    // A project key sees its project's buckets it may read (branch-bound keys may see none).
    if (!FileAccess(s3.auth, s3.store).MayUse(call.principal, bucket, Access::kRead)) continue;
    if (max_buckets-- == 0) {
      truncated = true;
      break;
    }
    xml.Open("Bucket").Element("Name", bucket.name).Element("CreationDate", bucket.created_at).Close();
    last = bucket.name;
  }
  xml.Close();
  xml.Open("Owner")
      .Element("ID", OwnerOf(call.principal))
      .Element("DisplayName", OwnerOf(call.principal))
      .Close();
  if (truncated) xml.Element("ContinuationToken", EncodeToken(last));
  if (call.Has("prefix")) xml.Element("Prefix", prefix);
  return XmlResponse(200, xml.Finish());
}

http::Response CreateBucket(S3Services& s3, S3Call& call) {
  std::optional<std::string> project;
  if (!call.principal.admin) project = call.principal.key->project_id;  // write access: operations.cpp
  // The body (CreateBucketConfiguration) only names a region; there is one.
  ReadSmallPayload(call, kSmallPayloadBytes);
  try {
    s3.store.CreateBucket(call.bucket, project);
  } catch (const Error& e) {
    if (e.code() != error_code::kBucketExists) throw;
    auto existing = s3.store.GetBucket(call.bucket);
    if (existing.project_id == project) {
      throw Conflict("bucket_already_owned_by_you",
                     "your previous request to create the named bucket succeeded and you already own it",
                     {{"BucketName", call.bucket}});
    }
    throw Conflict("bucket_exists", "the requested bucket name is not available",
                   {{"BucketName", call.bucket}});
  }
  http::Response response = http::Response::Empty(200);
  response.headers.Set("location", "/" + call.bucket);
  return response;
}

http::Response HeadBucket(S3Services& s3, S3Call& call) {
  http::Response response = http::Response::Empty(200);
  response.headers.Set("x-amz-bucket-region", "us-east-1");
  return response;
}

http::Response DeleteBucket(S3Services& s3, S3Call& call) {
  s3.store.DeleteBucket(call.bucket, /*force=*/false);
  return http::Response::Empty(204);
}

http::Response GetBucketLocation(S3Services& s3, S3Call& call) {
  // us-east-1 is an empty LocationConstraint.
  return XmlResponse(200, XmlWriter("LocationConstraint").Finish());
}

http::Response GetBucketVersioning(S3Services& s3, S3Call& call) {
  // Versioning was never enabled: S3 answers an empty configuration (no Status).
  return XmlResponse(200, XmlWriter("VersioningConfiguration").Finish());
}

http::Response ListObjectVersions(S3Services& s3, S3Call& call) {
  std::string prefix = call.Query("prefix");
  std::string delimiter = call.Query("delimiter");
  std::string key_marker = call.Query("key-marker");
  std::string version_marker = call.Query("version-id-marker");
  if (!version_marker.empty() && version_marker != kNullVersion) {
    throw InvalidArgument("invalid_argument", "Invalid version id specified",
                          {{"ArgumentName", "version-id-marker"}, {"ArgumentValue", version_marker}});
  }
  int64_t max_keys = IntegerParam(call, "max-keys", kMaxKeys, kMaxKeys);
  bool url = call.Query("encoding-type") == "url";
  auto text = [&](const std::string& value) { return url ? UriEncode(value, true) : value; };
  ObjectListing listing;
  if (max_keys > 0) listing = s3.store.List(call.bucket, prefix, delimiter, key_marker, max_keys);

  XmlWriter xml("ListVersionsResult");
  xml.Element("Name", call.bucket)
      .Element("Prefix", text(prefix))
      .Element("KeyMarker", text(key_marker))
      .Element("VersionIdMarker", version_marker);
  if (listing.truncated) {
    // The one version of a key is its null version: continuing after the key continues after it.
    xml.Element("NextKeyMarker", text(listing.next_start_after)).Element("NextVersionIdMarker", kNullVersion);
  }
  xml.Element("MaxKeys", max_keys);
  if (!delimiter.empty()) xml.Element("Delimiter", text(delimiter));
  if (url) xml.Element("EncodingType", "url");
  xml.Element("IsTruncated", XmlBool(listing.truncated));
  for (const auto& object : listing.objects) {
    xml.Open("Version")
        .Element("Key", text(object.key))
        .Element("VersionId", kNullVersion)
        .Element("IsLatest", XmlBool(true))
        .Element("LastModified", object.created_at)
        .Element("ETag", QuotedEtag(object.etag))
        .Element("Size", object.size)
        .Open("Owner")
        .Element("ID", OwnerOf(call.principal))
        .Element("DisplayName", OwnerOf(call.principal))
        .Close()
        .Element("StorageClass", "STANDARD")
        .Close();
  }
  for (const auto& common : listing.common_prefixes) {
    xml.Open("CommonPrefixes").Element("Prefix", text(common)).Close();
  }
  return XmlResponse(200, xml.Finish());
}

http::Response ListObjects(S3Services& s3, S3Call& call, bool v2) {
  std::string prefix = call.Query("prefix");
  std::string delimiter = call.Query("delimiter");
  int64_t max_keys = IntegerParam(call, "max-keys", kMaxKeys, kMaxKeys);
  std::string encoding = call.Query("encoding-type");
  if (!encoding.empty() && encoding != "url") {
    throw InvalidArgument("invalid_argument", "invalid Encoding Method specified in Request",
                          {{"ArgumentName", "encoding-type"}});
  }
  bool url = encoding == "url";
  auto text = [&](const std::string& value) { return url ? UriEncode(value, true) : value; };

  std::string start_after;
  std::string continuation = call.Query("continuation-token");
  if (v2) {
    start_after = call.Has("continuation-token") ? DecodeToken(continuation) : call.Query("start-after");
  } else {
    start_after = call.Query("marker");
  }
  ObjectListing listing;
  if (max_keys > 0) listing = s3.store.List(call.bucket, prefix, delimiter, start_after, max_keys);

  XmlWriter xml("ListBucketResult");
  xml.Element("Name", call.bucket).Element("Prefix", text(prefix));
  if (v2) {
    if (call.Has("continuation-token")) xml.Element("ContinuationToken", continuation);
    if (call.Has("start-after")) xml.Element("StartAfter", text(call.Query("start-after")));
    xml.Element("KeyCount", static_cast<int64_t>(listing.objects.size() + listing.common_prefixes.size()));
  } else {
    xml.Element("Marker", text(start_after));
  }
  xml.Element("MaxKeys", max_keys);
  if (!delimiter.empty()) xml.Element("Delimiter", text(delimiter));
  if (url) xml.Element("EncodingType", "url");
  xml.Element("IsTruncated", XmlBool(listing.truncated));
  if (listing.truncated) {
    if (v2) {
      xml.Element("NextContinuationToken", EncodeToken(listing.next_start_after));
    } else {
      xml.Element("NextMarker", text(listing.next_start_after));
    }
  }
  bool fetch_owner = !v2 || call.Query("fetch-owner") == "true";
  for (const auto& object : listing.objects) {
    xml.Open("Contents")
        .Element("Key", text(object.key))
        .Element("LastModified", object.created_at)
        .Element("ETag", QuotedEtag(object.etag))
        .Element("Size", object.size);
    if (fetch_owner) xml.Open("Owner").Element("ID", OwnerOf(call.principal)).Close();
    xml.Element("StorageClass", "STANDARD").Close();
  }
  for (const auto& common : listing.common_prefixes) {
    xml.Open("CommonPrefixes").Element("Prefix", text(common)).Close();
  }
  return XmlResponse(200, xml.Finish());
}

http::Response DeleteObjects(S3Services& s3, S3Call& call) {
  XmlElement request = ParseXml(ReadSmallPayload(call, kMaxDeleteBody));
  if (request.name != "Delete") throw InvalidArgument("malformed_xml", "the root element must be Delete");
  const XmlElement* quiet_element = request.Child("Quiet");
  bool quiet = quiet_element && quiet_element->text == "true";
  auto objects = request.Children("Object");
  if (objects.empty() || objects.size() > 1000) {
    throw InvalidArgument("malformed_xml", "a Delete request names between 1 and 1000 objects");
  }
  XmlWriter xml("DeleteResult");
  for (const XmlElement* object : objects) {
    const XmlElement* key = object->Child("Key");
    if (!key || key->text.empty()) throw InvalidArgument("malformed_xml", "every Object needs a Key");
    const XmlElement* version = object->Child("VersionId");
    try {
      if (version) CheckVersionId(version->text);
      s3.store.Delete(call.bucket, key->text);
      if (!quiet) {
        xml.Open("Deleted").Element("Key", key->text);
        if (version) xml.Element("VersionId", version->text);
        xml.Close();
      }
    } catch (const std::exception& e) {
      S3ErrorCode error = S3ErrorOf(e);
      xml.Open("Error").Element("Key", key->text);
      if (version) xml.Element("VersionId", version->text);
      xml.Element("Code", error.code).Element("Message", e.what()).Close();
    }
  }
  return XmlResponse(200, xml.Finish());
}

}  // namespace duckstore::s3
