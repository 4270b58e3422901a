// POST Object: a browser uploads a file with an HTML form whose policy a key holder signed (post_policy.hpp).
#include "duckstore/api/s3/handlers.hpp"
#include "duckstore/api/s3/post_form.hpp"
#include "duckstore/api/s3/post_policy.hpp"
#include "duckstore/api/s3/xml.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::s3 {
namespace {

constexpr size_t kStreamBytes = 1 << 20;

ObjectAttributes AttributesOf(const PostForm& form) {
  ObjectAttributes attributes;
  attributes.headers = StandardHeadersOf([&](const std::string& name) { return form.Field(name); });
  if (const std::string* type = form.Field("content-type"); type && !type->empty())
    attributes.content_type = *type;
  for (const auto& [name, value] : form.fields()) {
    if (name.starts_with("x-amz-meta-") && name.size() > 11) attributes.metadata[name.substr(11)] = value;
  }
  return attributes;
}

}  // namespace

http::Response PostObject(S3Services& s3, S3Call& call) {
  if (!call.form_upload) throw Internal("POST Object without its form");
  PostForm& form = call.form_upload->form;
  const ObjectBucket& target = call.target_bucket;
  const std::string& bucket = call.bucket;
  ObjectAttributes attributes = AttributesOf(form);
  auto writer = s3.store.OpenWriter(target, attributes.digests());
  std::vector<char> buffer(kStreamBytes);
  while (size_t got = form.Read(buffer.data(), buffer.size())) writer->Append(buffer.data(), got);
  CheckPostLength(call.form_upload->policy, writer->size());
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
