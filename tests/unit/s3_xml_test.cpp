// The S3 XML codec and error mapping.
#include <gtest/gtest.h>

#include "duckstore/api/s3/s3_api.hpp"
#include "duckstore/api/s3/s3_errors.hpp"
#include "duckstore/api/s3/xml.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::s3 {
namespace {

TEST(S3XmlTest, WriterEscapesAndNests) {
  XmlWriter xml("ListBucketResult");
  xml.Element("Name", "b").Open("Contents").Element("Key", "a<&>\"'.csv").Element("Size", int64_t{3}).Close();
  xml.Element("IsTruncated", XmlBool(false));
  EXPECT_EQ(xml.Finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult "
            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</"
            "Name><Contents><Key>a&lt;&amp;&gt;&quot;&apos;"
            ".csv</Key><Size>3</Size></Contents><IsTruncated>false</IsTruncated></ListBucketResult>");
}

TEST(S3XmlTest, ParsesCompleteMultipartUpload) {
  auto root = ParseXml(
      "<?xml version=\"1.0\"?><CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Part><ETag>\"abc\"</ETag><PartNumber>1</PartNumber></Part>"
      "<Part><ETag>&quot;def&quot;</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>");
  EXPECT_EQ(root.name, "CompleteMultipartUpload");
  auto parts = root.Children("Part");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0]->Child("ETag")->text, "\"abc\"");
  EXPECT_EQ(parts[1]->Child("ETag")->text, "\"def\"");
  EXPECT_EQ(parts[1]->Child("PartNumber")->text, "2");
  EXPECT_EQ(parts[0]->Child("Missing"), nullptr);
}

TEST(S3XmlTest, KeepsKeyWhitespaceAndRejectsGarbage) {
  auto root = ParseXml("<Delete><Object><Key> spaced key </Key></Object></Delete>");
  EXPECT_EQ(root.Child("Object")->Child("Key")->text, " spaced key ");
  try {
    ParseXml("<Delete><Object>");
    FAIL() << "expected malformed_xml";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "malformed_xml");
  }
}

TEST(S3ErrorsTest, MapsCodesAndKinds) {
  EXPECT_EQ(S3ErrorOf(NotFound("object_not_found", "x")).code, "NoSuchKey");
  EXPECT_EQ(S3ErrorOf(NotFound("bucket_not_found", "x")).status, 404);
  EXPECT_EQ(S3ErrorOf(Error(ErrorKind::kPermissionDenied, "signature_does_not_match", "x")).code,
            "SignatureDoesNotMatch");
  EXPECT_EQ(S3ErrorOf(PermissionDenied("x")).code, "AccessDenied");
  EXPECT_EQ(S3ErrorOf(Internal("x")).status, 500);
  EXPECT_EQ(S3ErrorOf(std::runtime_error("x")).code, "InternalError");

  http::Request request;
  request.method = "GET";
  request.path = "/s3/b/k";
  request.request_id = "rid";
  auto response = RenderS3Error(request, NotFound("object_not_found", "gone", {{"Key", "k"}}));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>gone</Message>"
            "<Key>k</Key><Resource>/s3/b/k</Resource><RequestId>rid</RequestId></Error>");
}

TEST(S3ApiTest, BucketFromHost) {
  EXPECT_EQ(BucketFromHost("data.s3.localhost:8000", "s3.localhost"), std::optional<std::string>("data"));
  EXPECT_EQ(BucketFromHost("S3.LocalHost", "s3.localhost"), std::optional<std::string>(""));
  EXPECT_EQ(BucketFromHost("my.dotted.bucket.s3.localhost", "s3.localhost"),
            std::optional<std::string>("my.dotted.bucket"));
  EXPECT_FALSE(BucketFromHost("127.0.0.1:8000", "s3.localhost").has_value());
  EXPECT_FALSE(BucketFromHost("evils3.localhost", "s3.localhost").has_value());
  EXPECT_FALSE(BucketFromHost(".s3.localhost", "s3.localhost").has_value());
}

}  // namespace
}  // namespace duckstore::s3
