// POST Object: a browser uploads a file with an HTML form whose policy a key holder signed (post_policy.hpp).
#include "duckstore/api/s3/handlers.hpp"
#include "duckstore/api/s3/post_form.hpp"
#include "duckstore/api/s3/post_policy.hpp"
#include "duckstore/api/s3/xml.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::s3 {
namespace {

constexpr size_t kStreamBytes = 1 << 20;

// The object key: the "key" field, with "${filename}" standing for the file's name.
std::string KeyOf(const PostForm& form) {
  const std::string* field = form.Field("key");
  if (!field || field->empty()) {
    throw InvalidArgument("invalid_argument", "Bucket POST must contain a field named 'key'.",
                          {{"ArgumentName", "key"}});
  }
  std::string key = *field;
  constexpr std::string_view kFilename = "${filename}";
  if (size_t at = key.find(kFilename); at != std::string::npos)
    key.replace(at, kFilename.size(), form.filename());
  return key;
}

ObjectAttributes AttributesOf(const PostForm& form) {
  ObjectAttributes attributes;
  if (const std::string* type = form.Field("content-type"); type && !type->empty())
    attributes.content_type = *type;
  for (const auto& [name, value] : form.fields()) {
    if (name.starts_with("x-amz-meta-") && name.size() > 11) attributes.metadata[name.substr(11)] = value;
  }
  return attributes;
}

}  // namespace

http::Response PostObject(S3Services& s3, http::Request& request, const std::string& bucket,
                          const SecretLookup& secrets, std::chrono::system_clock::time_point now) {
  if (!request.body_reader) throw Internal("S3 routes must stream their bodies");
  PostForm form(*request.body_reader, request.headers.Get("content-type"));
  PostPolicy policy = VerifyPostPolicy(form, bucket, secrets, now);
  std::optional<std::string> secret = secrets(policy.access_key_id);
  SignedRequest signature;
  signature.access_key_id = policy.access_key_id;
  S3Call call{request, std::move(signature), s3.auth.Authenticate(*secret), bucket, KeyOf(form)};
  ObjectBucket target = AuthorizedBucket(s3, call, Access::kWrite);
  ObjectAttributes attributes = AttributesOf(form);
  auto writer = s3.store.OpenWriter(target, attributes.digests());
  std::vector<char> buffer(kStreamBytes);
  while (size_t got = form.Read(buffer.data(), buffer.size())) writer->Append(buffer.data(), got);
  CheckPostLength(policy, writer->size());
  StoredObject object = s3.store.CommitWrite(*writer, target, call.key, attributes);

  std::string location = "/" + bucket + "/" + UriEncode(call.key, true);
  if (const std::string* redirect = form.Field("success_action_redirect"); redirect && !redirect->empty()) {
    http::Response response = http::Response::Empty(303);
    std::string separator = redirect->find('?') == std::string::npos ? "?" : "&";
    response.headers.Set("location", *redirect + separator + "bucket=" + UriEncode(bucket, false) +
                                         "&key=" + UriEncode(call.key, false) +
                                         "&etag=" + UriEncode(QuotedEtag(object.etag), false));
    return response;
  }
  std::string status = form.Field("success_action_status") ? *form.Field("success_action_status") : "";
  http::Response response;
  if (status == "201") {
    XmlWriter xml("PostResponse", "");
    xml.Element("Location", location)
        .Element("Bucket", bucket)
        .Element("Key", call.key)
        .Element("ETag", QuotedEtag(object.etag));
    response = XmlResponse(201, xml.Finish());
  } else {
    response = http::Response::Empty(status == "200" ? 200 : 204);
  }
  response.headers.Set("etag", QuotedEtag(object.etag));
  response.headers.Set("location", location);
  return response;
}

}  // namespace duckstore::s3
