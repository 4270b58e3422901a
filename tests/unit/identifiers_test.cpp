#include "duckstore/common/identifiers.hpp"

#include <gtest/gtest.h>

#include "duckstore/common/error.hpp"

namespace duckstore {
namespace {

TEST(Identifiers, AcceptsKeboolaNames) {
  EXPECT_NO_THROW(ValidateObjectName("in.c-sales", "bucket name"));
  EXPECT_NO_THROW(ValidateObjectName("orders.2024-q1", "table name"));
  EXPECT_NO_THROW(ValidateObjectName("Žluťoučký kůň 🐴", "table name"));
  EXPECT_NO_THROW(ValidateId("project-1_a", "project id"));
}

TEST(Identifiers, RejectsTraversalAndControlCharacters) {
  for (const std::string& bad : std::vector<std::string>{
           "", ".", "..", "a/b", "a\\b", "../x", std::string("a\0b", 3), "tab\tname", " lead", "trail "}) {
    EXPECT_THROW(ValidateObjectName(bad, "table name"), Error) << bad;
  }
  EXPECT_THROW(ValidateObjectName(std::string(256, 'x'), "table name"), Error);
  EXPECT_THROW(ValidateObjectName("\xC3\x28", "table name"), Error);  // invalid UTF-8
  EXPECT_THROW(ValidateId("a.b", "project id"), Error);
  EXPECT_THROW(ValidateId(std::string(65, 'a'), "project id"), Error);
}

TEST(Identifiers, QuotesEmbeddedQuotes) {
  EXPECT_EQ(QuoteIdent("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
}

TEST(Identifiers, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xE2\x82\xAC"));   // euro sign
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));      // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
}

}  // namespace
}  // namespace duckstore
