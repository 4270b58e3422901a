// The command-line client's pure parts: config file parsing, output formats, progress lines, URL handling.
#include <gtest/gtest.h>

#include <sstream>

#include "duckstore/cli/output.hpp"
#include "duckstore/cli/progress.hpp"
#include "duckstore/cli/rest_client.hpp"
#include "duckstore/cli/settings.hpp"

namespace duckstore::cli {
namespace {

TEST(CliTest, ParsesProfilesOfTheConfigFile) {
  auto tables = ParseConfigFile(
      "# comment\nurl = \"http://a:1\"\n\n[work]\nurl = \"http://b:2\"\napi_key = \"k\\\"q\"  \n[empty]\n");
  EXPECT_EQ(tables["default"]["url"], "http://a:1");
  EXPECT_EQ(tables["work"]["url"], "http://b:2");
  EXPECT_EQ(tables["work"]["api_key"], "k\"q");
  EXPECT_THROW(ParseConfigFile("[broken\n"), ApiError);
  EXPECT_THROW(ParseConfigFile("no equals sign\n"), ApiError);
}

TEST(CliTest, PrintsTablesCsvAndJson) {
  nlohmann::json rows = {{{"name", "in.c-a"}, {"count", 3}, {"note", nullptr}},
                         {{"name", "b,\"x\""}, {"count", 10}, {"note", "bell\x07"}}};
  std::ostringstream table, csv, json;
  PrintRows(table, OutputFormat::kTable, rows, {"name", "count", "note"});
  EXPECT_EQ(table.str(),
            "NAME    COUNT  NOTE\n"
            "in.c-a  3      \n"
            "b,\"x\"   10     bell\\x07\n");
  PrintRows(csv, OutputFormat::kCsv, rows, {"name", "count"});
  EXPECT_EQ(csv.str(), "name,count\nin.c-a,3\n\"b,\"\"x\"\"\",10\n");
  PrintRows(json, OutputFormat::kJson, rows[0]);
  EXPECT_EQ(nlohmann::json::parse(json.str()), rows[0]);
  EXPECT_THROW(ParseOutputFormat("yaml"), ApiError);
}

TEST(CliTest, ProgressWritesPlainLinesOffATerminal) {
  std::ostringstream out;
  Progress progress(out, "upload a.csv", 1000, /*terminal=*/false);
  for (uint64_t done = 0; done <= 1000; done += 50) progress.Update(done);
  progress.Finish();
  std::string text = out.str();
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_NE(text.find("upload a.csv: 500 B / 1000 B (50%)"), std::string::npos) << text;
  EXPECT_NE(text.find("(100%)"), std::string::npos) << text;
  // At most one line per tenth of the total, plus the final one.
  EXPECT_LE(std::count(text.begin(), text.end(), '\n'), 12);
}

TEST(CliTest, ProgressRedrawsInPlaceOnATerminal) {
  std::ostringstream out;
  Progress progress(out, "upload a.csv", 2 << 20, /*terminal=*/true);
  progress.Update(1 << 20);
  progress.Finish();
  EXPECT_NE(out.str().find("\r\033[Kupload a.csv [###############...............] 1.0 MiB / 2.0 MiB (50%)"),
            std::string::npos)
      << out.str();
  EXPECT_EQ(Progress::Bytes(1536), "1.5 KiB");
}

TEST(CliTest, RejectsUrlsItCannotUse) {
  EXPECT_THROW(RestClient("ftp://example.test", ""), ApiError);
  EXPECT_THROW(RestClient("not a url", ""), ApiError);
  EXPECT_NO_THROW(RestClient("http://127.0.0.1:8000/prefix/", ""));
  EXPECT_NO_THROW(RestClient("https://example.test", ""));  // verified against the system's CAs
  EXPECT_EQ(Segment("in.c-a/b c"), "in.c-a%2Fb%20c");
  EXPECT_EQ(Query({{"name", "a&b.csv"}, {"x", "1"}}), "?name=a%26b.csv&x=1");
}

}  // namespace
}  // namespace duckstore::cli
