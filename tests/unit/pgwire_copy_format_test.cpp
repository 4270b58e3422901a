// COPY's text and CSV data formats (api/pgwire/copy_format): lines out, rows in, split at any byte.
#include <gtest/gtest.h>

#include "duckstore/api/pgwire/copy_format.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::pgwire {
namespace {

SqlCopy Csv() {
  SqlCopy format;
  format.csv = true;
  format.delimiter = ',';
  format.null = "";
  return format;
}

// Parses `data` fed in pieces of `piece` bytes.
std::vector<CopyRow> Parse(const SqlCopy& format, std::string_view data, size_t piece) {
  std::vector<CopyRow> rows;
  CopyParser parser(format);
  auto collect = [&](const CopyRow& row) { rows.push_back(row); };
  for (size_t at = 0; at < data.size(); at += piece) parser.Feed(data.substr(at, piece), collect);
  parser.Finish(collect);
  return rows;
}

TEST(PgwireCopyFormat, TextLinesEscapeAndNull) {
  std::string out;
  AppendCopyLine(SqlCopy{}, {std::string("a\tb\\c\nd"), std::nullopt, std::string("")}, out);
  EXPECT_EQ(out, "a\\tb\\\\c\\nd\t\\N\t\n");
}

TEST(PgwireCopyFormat, CsvLinesQuoteWhatNeedsIt) {
  std::string out;
  AppendCopyLine(Csv(),
                 {std::string("plain"), std::string("a,b"), std::string("say \"hi\""), std::nullopt,
                  std::string(""), std::string("two\nlines")},
                 out);
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"hi\"\"\",,\"\",\"two\nlines\"\n");
}

TEST(PgwireCopyFormat, TextRowsRoundTripAtAnySplit) {
  std::string data = "1\ta\\tb\t\\N\r\n2\t\\\\x\\101\\x41\t\n\\.\nignored\n";
  std::vector<CopyRow> expected = {{std::string("1"), std::string("a\tb"), std::nullopt},
                                   {std::string("2"), std::string("\\xAA"), std::string("")}};
  for (size_t piece : {1, 2, 3, 7, 1000}) EXPECT_EQ(Parse(SqlCopy{}, data, piece), expected) << piece;
  // No end marker and no final line break: the last line is a row; a trailing line break adds none.
  EXPECT_EQ(Parse(SqlCopy{}, "x\ny", 1), (std::vector<CopyRow>{{std::string("x")}, {std::string("y")}}));
  EXPECT_EQ(Parse(SqlCopy{}, "x\n", 1), (std::vector<CopyRow>{{std::string("x")}}));
}

TEST(PgwireCopyFormat, CsvRowsQuotesNullsHeaderAndEndMarker) {
  SqlCopy format = Csv();
  format.header = true;
  std::string data = "id,name\r\n1,\"a,\"\"b\"\"\r\nc\"\n2,\n3,\"\"\n\\.\n";
  std::vector<CopyRow> expected = {{std::string("1"), std::string("a,\"b\"\r\nc")},
                                   {std::string("2"), std::nullopt},
                                   {std::string("3"), std::string("")}};
  for (size_t piece : {1, 2, 5, 1000}) EXPECT_EQ(Parse(format, data, piece), expected) << piece;
}

TEST(PgwireCopyFormat, UnterminatedQuoteIsBadData) {
  try {
    Parse(Csv(), "1,\"open\n", 4);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "bad_copy_file_format");
  }
}

}  // namespace
}  // namespace duckstore::pgwire
