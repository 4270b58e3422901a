// The S3 XML codec: a small writer for responses (with S3's namespace and proper escaping) and a parser for
// the few request bodies S3 clients send (CompleteMultipartUpload, Delete), on Boost.PropertyTree's XML
// reader.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace duckstore::s3 {

inline constexpr const char* kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

// Escapes text for element content and attribute values.
std::string XmlEscape(std::string_view text);

inline const char* XmlBool(bool value) {
  return value ? "true" : "false";
}

class XmlWriter {
 public:
  // Starts the document with its root element; `xmlns` is omitted when empty (S3's error documents).
  explicit XmlWriter(std::string_view root, std::string_view xmlns = kS3Namespace);

  XmlWriter& Open(std::string_view name);
  XmlWriter& Close();  // closes the innermost open element
  XmlWriter& Element(std::string_view name, std::string_view text);
  XmlWriter& Element(std::string_view name, int64_t value);
  // Booleans go through XmlBool(): a bool overload would also catch string literals.
  // Closes every open element (the root included) and returns the document.
  std::string Finish();

 private:
  std::string out_;
  std::vector<std::string> open_;
};

// A parsed element: name without namespace prefix, text content, child elements in order.
struct XmlElement {
  std::string name;
  std::string text;
  std::vector<XmlElement> children;

  const XmlElement* Child(std::string_view child_name) const;  // first child so named, or null
  std::vector<const XmlElement*> Children(std::string_view child_name) const;
};

// Parses a document and returns its root element; throws kInvalidArgument("malformed_xml").
XmlElement ParseXml(std::string_view document);

}  // namespace duckstore::s3
