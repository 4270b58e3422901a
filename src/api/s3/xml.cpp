#include "duckstore/api/s3/xml.hpp"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <sstream>

#include "duckstore/common/error.hpp"

namespace duckstore::s3 {
namespace {

namespace pt = boost::property_tree;

std::string_view LocalName(std::string_view name) {
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

XmlElement Convert(const std::string& name, const pt::ptree& tree) {
  XmlElement element;
  element.name = std::string(LocalName(name));
  element.text = tree.data();
  for (const auto& [child_name, child] : tree) {
    if (child_name == "<xmlattr>" || child_name == "<xmlcomment>") continue;
    element.children.push_back(Convert(child_name, child));
  }
  return element;
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

XmlWriter::XmlWriter(std::string_view root, std::string_view xmlns) {
  out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<";
  out_ += root;
  if (!xmlns.empty()) {
    out_ += " xmlns=\"";
    out_ += xmlns;
    out_ += '"';
  }
  out_ += '>';
  open_.emplace_back(root);
}

XmlWriter& XmlWriter::Open(std::string_view name) {
  out_ += '<';
  out_ += name;
  out_ += '>';
  open_.emplace_back(name);
  return *this;
}

XmlWriter& XmlWriter::Close() {
  out_ += "</" + open_.back() + '>';
  open_.pop_back();
  return *this;
}

XmlWriter& XmlWriter::Element(std::string_view name, std::string_view text) {
  out_ += '<';
  out_ += name;
  out_ += '>';
  out_ += XmlEscape(text);
  out_ += "</";
  out_ += name;
  out_ += '>';
  return *this;
}

XmlWriter& XmlWriter::Element(std::string_view name, int64_t value) {
  return Element(name, std::to_string(value));
}

std::string XmlWriter::Finish() {
  while (!open_.empty()) Close();
  return std::move(out_);
}

const XmlElement* XmlElement::Child(std::string_view child_name) const {
  for (const auto& child : children) {
    if (child.name == child_name) return &child;
  }
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::Children(std::string_view child_name) const {
  std::vector<const XmlElement*> found;
  for (const auto& child : children) {
    if (child.name == child_name) found.push_back(&child);
  }
  return found;
}

XmlElement ParseXml(std::string_view document) {
  pt::ptree tree;
  try {
    std::istringstream input{std::string(document)};
    pt::read_xml(input, tree, pt::xml_parser::no_comments);
  } catch (const pt::xml_parser_error& e) {
    throw InvalidArgument("malformed_xml", std::string("the XML body is not well-formed: ") + e.message());
  }
  auto root =
      std::find_if(tree.begin(), tree.end(), [](const auto& entry) { return entry.first != "<xmlcomment>"; });
  if (root == tree.end()) throw InvalidArgument("malformed_xml", "the XML body has no root element");
  return Convert(root->first, root->second);
}

}  // namespace duckstore::s3
