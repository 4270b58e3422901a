// Header value text: what clients send (UTF-8, ISO-8859-1 bytes, RFC 2047 encoded-words) stored as UTF-8,
// and sent back as bytes Node and Python decode correctly (or RFC 2047 beyond ISO-8859-1).
#include <gtest/gtest.h>

#include "duckstore/api/s3/header_text.hpp"

namespace duckstore::s3 {
namespace {

TEST(S3HeaderTextTest, ReceivedValuesBecomeUtf8) {
  EXPECT_EQ(HeaderValueToUtf8("plain"), "plain");
  EXPECT_EQ(HeaderValueToUtf8("caf\xc3\xa9"), "caf\xc3\xa9");    // UTF-8 stays
  EXPECT_EQ(HeaderValueToUtf8("caf\xe9"), "caf\xc3\xa9");        // ISO-8859-1 byte
  EXPECT_EQ(HeaderValueToUtf8("=?UTF-8?B?w6k=?="), "\xc3\xa9");  // RFC 2047, base64
  EXPECT_EQ(HeaderValueToUtf8("=?utf-8?Q?caf=C3=A9_au_lait?="), "caf\xc3\xa9 au lait");
  EXPECT_EQ(HeaderValueToUtf8("=?UTF-8?B?5Lit?= =?UTF-8?B?5paH?="), "\xe4\xb8\xad\xe6\x96\x87");
  EXPECT_EQ(HeaderValueToUtf8("=?UTF-8?X?nope?="), "=?UTF-8?X?nope?=");  // not an encoded-word
}

TEST(S3HeaderTextTest, SentValuesDecodeBack) {
  EXPECT_EQ(Utf8ToHeaderValue("plain"), "plain");
  EXPECT_EQ(Utf8ToHeaderValue("caf\xc3\xa9"), "caf\xe9");
  EXPECT_EQ(Utf8ToHeaderValue("\xe4\xb8\xad"), "=?UTF-8?B?5Lit?=");
  for (const char* text : {"caf\xc3\xa9", "\xe4\xb8\xad\xe6\x96\x87 x", "a\xc3\xbf"}) {
    EXPECT_EQ(HeaderValueToUtf8(Utf8ToHeaderValue(text)), text);
  }
}

}  // namespace
}  // namespace duckstore::s3
