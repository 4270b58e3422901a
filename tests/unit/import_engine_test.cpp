// The import engine's pure logic and its DuckDB-facing pieces over an in-memory database: the CSV header
// parser and dialect translation, slice compression, source resolution over a real object store, the
// column plan, the load statements (including "last occurrence wins" on a parallel multi-file load).
#include <gtest/gtest.h>

#include <duckdb.hpp>

#include <fstream>

#include "duckstore/services/files/object_store.hpp"
#include "duckstore/services/import/column_plan.hpp"
#include "duckstore/services/import/csv_header.hpp"
#include "duckstore/services/import/load_sql.hpp"
#include "duckstore/services/import/source_reader.hpp"
#include "duckstore/services/import/source_resolver.hpp"
#include "duckstore/storage/catalog/catalog.hpp"
#include "duckstore/storage/catalog/sqlite_catalog.hpp"
#include "test_util.hpp"

namespace duckstore {
namespace {

using testing::CaptureError;
using testing::TempDir;
using Fields = std::vector<std::string>;

int DriverCodeOf(const Error& error) {
  return error.details().value("driver_code", 0);
}

void WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

void Exec(duckdb::Connection& conn, const std::string& sql) {
  auto result = conn.Query(sql);
  ASSERT_FALSE(result->HasError()) << result->GetError() << "\n" << sql;
}

// ---- CSV header parsing and dialect ----

Fields Header(std::string_view data, CsvDialect dialect = {}) {
  auto fields = ParseCsvHeader(data, dialect, /*at_end=*/true);
  EXPECT_TRUE(fields.has_value());
  return fields.value_or(Fields{});
}

TEST(CsvHeader, SplitsTheFirstRecordOnly) {
  EXPECT_EQ(Header("id,name,amount\n1,a,2\n"), (Fields{"id", "name", "amount"}));
  EXPECT_EQ(Header("id,name\r\n1,a\r\n"), (Fields{"id", "name"}));
  EXPECT_EQ(Header("id,name\r1,a"), (Fields{"id", "name"}));
  EXPECT_EQ(Header("id,name"), (Fields{"id", "name"}));  // no newline at the end of the file
  EXPECT_EQ(Header("\xEF\xBB\xBFid,name\n"), (Fields{"id", "name"}));
}

TEST(CsvHeader, QuotedFieldsKeepDelimitersNewlinesAndEscapedQuotes) {
  EXPECT_EQ(Header("\"a,b\",\"line\nbreak\",\"say \"\"hi\"\"\"\nx\n"),
            (Fields{"a,b", "line\nbreak", "say \"hi\""}));
  CsvDialect backslash{',', '"', '\\'};
  EXPECT_EQ(Header("\"a\\\"b\",\"c\\\\d\",\"e\\f\"\n", backslash), (Fields{"a\"b", "c\\d", "e\\f"}));
  CsvDialect single{';', '\'', '\''};
  EXPECT_EQ(Header("'a;b';c\n", single), (Fields{"a;b", "c"}));
}

TEST(CsvHeader, WithoutEnclosureQuotesAreText) {
  CsvDialect none{'\t', std::nullopt, '\0'};
  EXPECT_EQ(Header("\"a\"\tb\n", none), (Fields{"\"a\"", "b"}));
}

TEST(CsvHeader, EmptyNamesAndEmptyLines) {
  EXPECT_EQ(Header("a,,b\n"), (Fields{"a", "", "b"}));
  EXPECT_EQ(Header("a,\n"), (Fields{"a", ""}));
  EXPECT_EQ(Header("\nid\n"), Fields{});  // an empty first line has no columns
  EXPECT_EQ(Header(""), Fields{});
  EXPECT_EQ(Header("\"\"\n"), Fields{""});
}

TEST(CsvHeader, AsksForMoreUntilTheRecordEnds) {
  CsvDialect dialect;
  EXPECT_FALSE(ParseCsvHeader("id,na", dialect, false).has_value());
  EXPECT_FALSE(ParseCsvHeader("\"a\nb", dialect, false).has_value());
  EXPECT_FALSE(ParseCsvHeader("\"a\"", dialect, false).has_value());  // "" or the closing quote?
  EXPECT_EQ(ParseCsvHeader("\"a\",b\n", dialect, false), (Fields{"a", "b"}));
}

TEST(CsvHeader, DialectOfCsvOptions) {
  CsvOptions csv;
  auto dialect = DialectOf(csv);
  EXPECT_EQ(dialect.delimiter, ',');
  EXPECT_EQ(dialect.quote, '"');
  EXPECT_EQ(dialect.escape, '"');  // doubled quotes
  csv.delimiter = "\t";
  csv.enclosure = "'";
  csv.escaped_by = "\\";
  dialect = DialectOf(csv);
  EXPECT_EQ(dialect.delimiter, '\t');
  EXPECT_EQ(dialect.quote, '\'');
  EXPECT_EQ(dialect.escape, '\\');
  csv.enclosure = "";
  csv.escaped_by = "";
  EXPECT_FALSE(DialectOf(csv).quote.has_value());
}

class DuckDbTest : public ::testing::Test {
 protected:
  TempDir dir_;
  duckdb::DuckDB db_{nullptr};
  duckdb::Connection conn_{db_};
};

TEST_F(DuckDbTest, ReadCsvHeaderReadsPlainAndGzipFiles) {
  WriteFile(dir_ / "plain.csv", "\"a b\",c\n1,2\n");
  EXPECT_EQ(ReadCsvHeader(conn_, (dir_ / "plain.csv").string(), false, {}), (Fields{"a b", "c"}));
  Exec(conn_, "COPY (SELECT 1 AS \"x,y\", 2 AS z) TO '" + (dir_ / "g.csv.gz").string() +
                  "' (HEADER true, COMPRESSION gzip)");
  EXPECT_EQ(ReadCsvHeader(conn_, (dir_ / "g.csv.gz").string(), true, {}), (Fields{"x,y", "z"}));
  // A header larger than the limit needs explicit column names.
  WriteFile(dir_ / "long.csv", std::string(1000, 'a') + "\n");
  auto error = CaptureError([&] { ReadCsvHeader(conn_, (dir_ / "long.csv").string(), false, {}, 100); });
  EXPECT_EQ(error.code(), "invalid_file_params");
  error = CaptureError([&] { ReadCsvHeader(conn_, (dir_ / "missing.csv").string(), false, {}); });
  EXPECT_EQ(error.kind(), ErrorKind::kUnprocessable);
}

// The reader translates every CSV option into read_csv's (no sniffing): what DuckDB reads is checked.
TEST_F(DuckDbTest, FileSourceReaderTranslatesCsvOptions) {
  WriteFile(dir_ / "s.csv", "skipped line\n'id';'note'\n1;'a;b'\n2;'it\\'s'\n3;\n");
  CsvOptions csv;
  csv.delimiter = ";";
  csv.enclosure = "'";
  csv.escaped_by = "\\";
  csv.ignored_lines = 1;
  csv.column_names = {"id", "note"};
  // Explicit column names: the ignored line is skipped, the header line is data.
  {
    FileSourceReader reader(FileFormat::kCsv, csv, {}, {(dir_ / "s.csv").string()}, {"b/s.csv"});
    auto relation = reader.Open(conn_);
    EXPECT_EQ(relation.columns, (Fields{"id", "note"}));
    EXPECT_TRUE(relation.text);
    auto rows = conn_.Prepare("SELECT id, note FROM " + relation.sql)->Execute(relation.params, false);
    ASSERT_FALSE(rows->HasError()) << rows->GetError();
    auto& result = rows->Cast<duckdb::MaterializedQueryResult>();
    ASSERT_EQ(result.RowCount(), 4u);
    EXPECT_EQ(result.GetValue(1, 0).ToString(), "note");
    EXPECT_EQ(result.GetValue(1, 1).ToString(), "a;b");
    EXPECT_EQ(result.GetValue(1, 2).ToString(), "it's");
    EXPECT_TRUE(result.GetValue(1, 3).IsNull());  // empty values read as NULL (the plan restores '')
  }
  // From the header: the first line names the columns; numberOfIgnoredLines counts it.
  WriteFile(dir_ / "h.csv", "id|Note\n1|x\n");
  csv = CsvOptions{};
  csv.delimiter = "|";
  FileSourceReader reader(FileFormat::kCsv, csv, {"NA"}, {(dir_ / "h.csv").string()}, {"b/h.csv"});
  auto relation = reader.Open(conn_);
  EXPECT_EQ(relation.columns, (Fields{"id", "Note"}));
  auto rows = conn_.Prepare("SELECT count(*) FROM " + relation.sql)->Execute(relation.params, false);
  ASSERT_FALSE(rows->HasError()) << rows->GetError();
  EXPECT_EQ(rows->Cast<duckdb::MaterializedQueryResult>().GetValue(0, 0).GetValue<int64_t>(), 1);
}

TEST_F(DuckDbTest, FileSourceReaderRejectsBadDialectsAndHeaders) {
  WriteFile(dir_ / "a.csv", "a,A\n1,2\n");
  CsvOptions csv;
  csv.delimiter = ";;";
  auto error = CaptureError([&] { FileSourceReader(FileFormat::kCsv, csv, {}, {"x"}, {"x"}); });
  EXPECT_EQ(error.code(), "invalid_file_params");
  EXPECT_EQ(DriverCodeOf(error), 4203);
  error = CaptureError([&] { FileSourceReader(FileFormat::kCsv, {}, {}, {}, {}); });
  EXPECT_EQ(DriverCodeOf(error), 4201);
  FileSourceReader reader(FileFormat::kCsv, {}, {}, {(dir_ / "a.csv").string()}, {"b/a.csv"});
  error = CaptureError([&] { reader.Open(conn_); });
  EXPECT_EQ(error.code(), "duplicate_column_names");
  EXPECT_EQ(DriverCodeOf(error), 4102);
}

// ---- Slice compression ----

TEST_F(DuckDbTest, SlicesShareCompression) {
  Exec(conn_, "COPY (SELECT 1 AS a) TO '" + (dir_ / "g1").string() + "' (FORMAT csv, COMPRESSION gzip)");
  Exec(conn_, "COPY (SELECT 2 AS a) TO '" + (dir_ / "g2").string() + "' (FORMAT csv, COMPRESSION gzip)");
  WriteFile(dir_ / "p1", "a\n1\n");
  WriteFile(dir_ / "empty", "");
  auto paths = [&](std::vector<std::string> names) {
    std::vector<std::string> out;
    for (const auto& name : names) out.push_back((dir_ / name).string());
    return out;
  };
  Fields names = {"b/first", "b/second", "b/third"};
  EXPECT_TRUE(SlicesAreGzip(Compression::kAuto, paths({"g1", "g2"}), names));
  EXPECT_TRUE(SlicesAreGzip(Compression::kAuto, paths({"g1", "empty", "g2"}), names));
  EXPECT_FALSE(SlicesAreGzip(Compression::kAuto, paths({"p1", "empty"}), names));
  EXPECT_TRUE(SlicesAreGzip(Compression::kGzip, paths({"g1"}), names));
  EXPECT_FALSE(SlicesAreGzip(Compression::kNone, paths({"p1"}), names));

  auto error = CaptureError([&] { SlicesAreGzip(Compression::kAuto, paths({"g1", "p1"}), names); });
  EXPECT_EQ(error.code(), "invalid_source_data");
  EXPECT_EQ(DriverCodeOf(error), 4200);
  EXPECT_EQ(error.details()["gzip_file"], "b/first");
  EXPECT_EQ(error.details()["plain_file"], "b/second");
  EXPECT_NE(std::string(error.what()).find("mix"), std::string::npos);
  error = CaptureError([&] { SlicesAreGzip(Compression::kGzip, paths({"g1", "p1"}), names); });
  EXPECT_EQ(error.details()["file"], "b/second");
  error = CaptureError([&] { SlicesAreGzip(Compression::kNone, paths({"g1"}), names); });
  EXPECT_EQ(error.details()["file"], "b/first");
}

// ---- Source resolution over a real object store ----

class SourceResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"p1", "p2"}) {
      Project p;
      p.id = p.name = id;
      p.created_at = p.updated_at = NowTimestamp();
      catalog_->CreateProject(p);
    }
    bucket_ = store_.CreateBucket("data", "p1");
    store_.CreateBucket("more", "p1");
    store_.CreateBucket("foreign", "p2");
  }

  void Put(const std::string& bucket, const std::string& key, const std::string& content) {
    auto target = store_.GetBucket(bucket);
    auto writer = store_.OpenWriter(target);
    writer->Append(content.data(), content.size());
    store_.CommitWrite(*writer, target, key, {});
  }

  Fields Resolve(const std::string& key, SourceType type) {
    auto resolved = ResolveFileSource(store_, "p1", {"data", key}, type);
    EXPECT_EQ(resolved.staged.paths().size(), resolved.names.size());
    for (const auto& path : resolved.staged.paths()) EXPECT_TRUE(std::filesystem::exists(path)) << path;
    return resolved.names;
  }

  TempDir dir_;
  std::unique_ptr<Catalog> catalog_ = OpenSqliteCatalog((dir_ / "catalog.db").string());
  ObjectStore store_{*catalog_, dir_.path(), 1 << 20};
  ObjectBucket bucket_;
};

TEST_F(SourceResolverTest, SingleFile) {
  Put("data", "f.csv", "a\n1\n");
  EXPECT_EQ(Resolve("f.csv", SourceType::kSingleFile), Fields{"data/f.csv"});
  auto error = CaptureError([&] { Resolve("nope.csv", SourceType::kSingleFile); });
  EXPECT_EQ(error.kind(), ErrorKind::kNotFound);
}

TEST_F(SourceResolverTest, ManifestEntriesInOrderAcrossTheProjectsBuckets) {
  Put("data", "s/part1", "1\n");
  Put("more", "s/part0", "0\n");
  Put("data", "s/manifest",
      R"({"entries":[{"url":"s3://more/s/part0","mandatory":true},{"url":"s/part1"},)"
      R"({"url":"s3://data/s/gone","mandatory":false}]})");
  EXPECT_EQ(Resolve("s/manifest", SourceType::kSlicedFile), (Fields{"more/s/part0", "data/s/part1"}));

  Put("data", "m2", R"({"entries":[{"url":"s3://data/s/gone","mandatory":true}]})");
  auto error = CaptureError([&] { Resolve("m2", SourceType::kSlicedFile); });
  EXPECT_EQ(error.code(), "mandatory_file_not_found");
  EXPECT_EQ(DriverCodeOf(error), 4201);

  Put("foreign", "x", "1\n");
  Put("data", "m3", R"({"entries":[{"url":"s3://foreign/x"}]})");
  error = CaptureError([&] { Resolve("m3", SourceType::kSlicedFile); });
  EXPECT_EQ(error.kind(), ErrorKind::kPermissionDenied);

  for (const char* bad :
       {"[1,2]", R"({"entries":[{"mandatory":true}]})", "not json", R"({"entries":[{"url":"s3://data"}]})"}) {
    Put("data", "bad", bad);
    error = CaptureError([&] { Resolve("bad", SourceType::kSlicedFile); });
    EXPECT_EQ(error.code(), "invalid_manifest") << bad;
  }
}

TEST_F(SourceResolverTest, PrefixListsSlicesInKeyOrderWithoutTheManifest) {
  Put("data", "d/0002", "2\n");
  Put("data", "d/0001", "1\n");
  Put("data", "d/manifest", R"({"entries":[]})");
  Put("data", "other", "x\n");
  EXPECT_EQ(Resolve("d/", SourceType::kDirectory), (Fields{"data/d/0001", "data/d/0002"}));
  auto error = CaptureError([&] { Resolve("empty/", SourceType::kDirectory); });
  EXPECT_EQ(error.code(), "mandatory_file_not_found");
}

// ---- Column plan ----

TableInfo Orders() {
  TableInfo table;
  table.bucket = "in";
  table.name = "orders";
  table.columns = {ColumnInfo{"id", "BIGINT"}, ColumnInfo{"Name", "VARCHAR"}, ColumnInfo{"note", "VARCHAR"},
                   ColumnInfo{"amount", "DECIMAL(12,2)"}, ColumnInfo{"_timestamp", "TIMESTAMP"}};
  table.primary_key = {"id"};
  return table;
}

SourceRelation Csv(Fields columns) {
  return SourceRelation{"src", {}, std::move(columns), true};
}

const std::string kNow = "TIMESTAMP '2026-01-01 00:00:00'";

TEST(ColumnPlan, MatchesByNameIgnoringCaseAndOrder) {
  auto plan = PlanColumns(Csv({"amount", "NAME", "note", "ID"}), Orders(), {}, kNow);
  EXPECT_EQ(plan.target_columns, (Fields{"id", "Name", "note", "amount", "_timestamp"}));
  EXPECT_EQ(plan.imported_columns, (Fields{"id", "Name", "note", "amount"}));
  EXPECT_EQ(plan.expressions[0], "CAST(NULLIF(\"ID\", '') AS BIGINT)");
  EXPECT_EQ(plan.expressions[1], "COALESCE(\"NAME\", '')");  // string tables keep empty values
  EXPECT_EQ(plan.expressions[3], "CAST(NULLIF(\"amount\", '') AS DECIMAL(12,2))");
  EXPECT_EQ(plan.expressions[4], "CAST(" + kNow + " AS TIMESTAMP)");
  EXPECT_EQ(plan.managed_timestamp, "_timestamp");
  EXPECT_EQ(plan.key, Fields{"id"});
  EXPECT_EQ(plan.casts, (std::map<std::string, std::string>{{"ID", "BIGINT"}, {"amount", "DECIMAL(12,2)"}}));
  EXPECT_EQ(plan.TargetList(), "\"id\", \"Name\", \"note\", \"amount\", \"_timestamp\"");
  EXPECT_EQ(plan.SelectList().rfind("CAST(NULLIF(\"ID\", '') AS BIGINT) AS \"id\", ", 0), 0u);
}

TEST(ColumnPlan, MissingAndExtraColumnsAreOneError) {
  auto error = CaptureError([&] { PlanColumns(Csv({"id", "name", "extra"}), Orders(), {}, kNow); });
  EXPECT_EQ(error.code(), "columns_mismatch");
  EXPECT_EQ(DriverCodeOf(error), 4100);
  EXPECT_EQ(error.details()["missing"], nlohmann::json({"note", "amount"}));
  EXPECT_EQ(error.details()["extra"], nlohmann::json({"extra"}));
}

TEST(ColumnPlan, TimestampModes) {
  ImportOptions options;
  options.timestamp_mode = TimestampMode::kNone;
  auto plan = PlanColumns(Csv({"id", "name", "note", "amount"}), Orders(), options, kNow);
  EXPECT_EQ(plan.target_columns.size(), 4u);  // the column takes its default
  EXPECT_FALSE(plan.managed_timestamp.has_value());

  options.timestamp_mode = TimestampMode::kFromSource;
  auto error = CaptureError([&] {
    PlanColumns(Csv({"id", "name", "note", "amount"}), Orders(), options, kNow);
  });
  EXPECT_EQ(error.code(), "columns_mismatch");
  plan = PlanColumns(Csv({"id", "name", "note", "amount", "_timestamp"}), Orders(), options, kNow);
  EXPECT_EQ(plan.expressions[4], "CAST(NULLIF(\"_timestamp\", '') AS TIMESTAMP)");
  EXPECT_FALSE(plan.managed_timestamp.has_value());

  // Current time, but the source carries the column: its values are taken.
  plan = PlanColumns(Csv({"id", "name", "note", "amount", "_timestamp"}), Orders(), {}, kNow);
  EXPECT_FALSE(plan.managed_timestamp.has_value());
}

TEST(ColumnPlan, EmptyValuesAndNullMarkers) {
  ImportOptions options;
  options.convert_empty_values_to_null = {"NOTE"};
  auto plan = PlanColumns(Csv({"id", "name", "note", "amount"}), Orders(), options, kNow);
  EXPECT_EQ(plan.expressions[1], "COALESCE(\"name\", '')");
  EXPECT_EQ(plan.expressions[2], "\"note\"");  // empty was read as NULL and stays NULL

  options.import_as_null = {"NA"};  // the reader's NULL is the marker: empties arrive as ''
  plan = PlanColumns(Csv({"id", "name", "note", "amount"}), Orders(), options, kNow);
  EXPECT_EQ(plan.expressions[1], "\"name\"");
  EXPECT_EQ(plan.expressions[2], "NULLIF(\"note\", '')");

  options.convert_empty_values_to_null = {"nope"};
  auto error = CaptureError([&] {
    PlanColumns(Csv({"id", "name", "note", "amount"}), Orders(), options, kNow);
  });
  EXPECT_EQ(error.code(), "column_not_found");
}

TEST(ColumnPlan, TypedSourcesCastEveryColumn) {
  ImportOptions options;
  options.convert_empty_values_to_null = {"note"};
  SourceRelation parquet{"read_parquet($1)", {}, {"id", "name", "note", "amount"}, false};
  auto plan = PlanColumns(parquet, Orders(), options, kNow);
  EXPECT_EQ(plan.expressions[0], "CAST(\"id\" AS BIGINT)");
  EXPECT_EQ(plan.expressions[1], "CAST(\"name\" AS VARCHAR)");
  EXPECT_EQ(plan.expressions[2], "NULLIF(CAST(\"note\" AS VARCHAR), '')");
}

TEST(ColumnPlan, DedupKey) {
  ImportOptions options;
  options.dedup_columns = {"NAME", "name", "id"};
  auto plan = PlanColumns(Csv({"id", "name", "note", "amount"}), Orders(), options, kNow);
  EXPECT_EQ(plan.key, (Fields{"Name", "id"}));  // canonical names, once each
  TableInfo keyless = Orders();
  keyless.primary_key.clear();
  EXPECT_TRUE(PlanColumns(Csv({"id", "name", "note", "amount"}), keyless, {}, kNow).key.empty());
  options.dedup_columns = {"nope"};
  auto error = CaptureError([&] {
    PlanColumns(Csv({"id", "name", "note", "amount"}), Orders(), options, kNow);
  });
  EXPECT_EQ(error.code(), "column_not_found");
}

TEST(ColumnPlan, SourceColumnNames) {
  EXPECT_EQ(DriverCodeOf(CaptureError([] { ValidateSourceColumns({}); })), 4103);
  EXPECT_EQ(DriverCodeOf(CaptureError([] { ValidateSourceColumns({"a", ""}); })), 4101);
  EXPECT_EQ(DriverCodeOf(CaptureError([] { ValidateSourceColumns({"a", "A"}); })), 4102);
  ValidateSourceColumns({"a", "b"});
}

// ---- Load statements ----

TEST(LoadSql, StatementText) {
  using namespace load_sql;
  Fields key = {"id", "we\"ird"};
  EXPECT_EQ(KeyList(key, "s."), "s.\"id\", s.\"we\"\"ird\"");
  EXPECT_EQ(
      KeyMatch(key, "t", "s"),
      "t.\"id\" IS NOT DISTINCT FROM s.\"id\" AND t.\"we\"\"ird\" IS NOT DISTINCT FROM s.\"we\"\"ird\"");
  EXPECT_EQ(FindDuplicateKey({"id"}, "x"), "SELECT \"id\" FROM x GROUP BY ALL HAVING count(*) > 1 LIMIT 1");
  EXPECT_EQ(DeleteEarlierDuplicates({"id"}, "x"),
            "DELETE FROM x WHERE rowid NOT IN (SELECT max(rowid) FROM x GROUP BY \"id\")");
  EXPECT_EQ(DeleteReplacedRows({"id"}, "t0", "s0"),
            "DELETE FROM t0 t USING s0 s WHERE t.\"id\" IS NOT DISTINCT FROM s.\"id\"");

  ColumnPlan plan;
  plan.target_columns = {"id", "v", "_timestamp"};
  plan.expressions = {"CAST(\"id\" AS BIGINT)", "\"v\"", "NOW"};
  plan.key = {"id"};
  plan.managed_timestamp = "_timestamp";
  EXPECT_EQ(
      InsertFromSource("t0", plan, "src"),
      "INSERT INTO t0 (\"id\", \"v\", \"_timestamp\") SELECT CAST(\"id\" AS BIGINT) AS \"id\", \"v\" AS "
      "\"v\", NOW AS \"_timestamp\" FROM src");
  EXPECT_EQ(StageFromSource("st", plan, "src").rfind("CREATE TEMP TABLE st AS SELECT CAST(", 0), 0u);
  EXPECT_EQ(InsertFromStage("t0", plan, "st"),
            "INSERT INTO t0 (\"id\", \"v\", \"_timestamp\") SELECT \"id\", \"v\", \"_timestamp\" FROM st");
  EXPECT_EQ(KeepUnchangedTimestamps(plan, "st", "t0"),
            "UPDATE st s SET \"_timestamp\" = t.\"_timestamp\" FROM t0 t WHERE s.\"id\" IS NOT DISTINCT FROM "
            "t.\"id\" AND s.\"v\" IS NOT DISTINCT FROM t.\"v\"");
}

// The dedup relies on row ids following source order: check it on a load big enough to be read by
// several threads from several files, with NULL keys and duplicates across the files.
TEST_F(DuckDbTest, LastOccurrenceWinsOnAParallelMultiFileLoad) {
  Exec(conn_, "SET threads = 4");
  for (int file = 0; file < 3; ++file) {
    Exec(conn_, "COPY (SELECT CASE WHEN i % 1000 = 7 THEN NULL ELSE i % 5000 END AS k, " +
                    std::to_string(file) + " * 1000000 + i AS seq FROM range(300000) t(i)) TO '" +
                    (dir_ / ("part" + std::to_string(file) + ".csv")).string() + "' (HEADER true)");
  }
  Exec(conn_, "CREATE TABLE t (k BIGINT, seq BIGINT)");
  ColumnPlan plan;
  plan.target_columns = {"k", "seq"};
  plan.expressions = {"CAST(k AS BIGINT)", "CAST(seq AS BIGINT)"};
  std::string files = "['" + (dir_ / "part0.csv").string() + "', '" + (dir_ / "part1.csv").string() + "', '" +
                      (dir_ / "part2.csv").string() + "']";
  Exec(conn_, "BEGIN");
  Exec(conn_,
       load_sql::InsertFromSource(
           "t", plan, "read_csv(" + files + ", columns = {'k': 'VARCHAR', 'seq': 'VARCHAR'}, skip = 1)"));
  auto found = conn_.Query(load_sql::FindDuplicateKey({"k"}, "t"));
  ASSERT_EQ(found->RowCount(), 1u);
  Exec(conn_, load_sql::DeleteEarlierDuplicates({"k"}, "t"));
  Exec(conn_, "COMMIT");
  auto check = conn_.Query(
      "SELECT count(*), count(*) FILTER (WHERE k IS NULL), min(seq) FILTER (WHERE k IS NOT NULL), "
      "count(*) FILTER (WHERE seq < 2000000) FROM t");
  ASSERT_FALSE(check->HasError()) << check->GetError();
  EXPECT_EQ(check->GetValue(0, 0).GetValue<int64_t>(), 4996);  // 4995 keys (k % 1000 = 7 is NULL) + NULL
  EXPECT_EQ(check->GetValue(1, 0).GetValue<int64_t>(), 1);
  EXPECT_GE(check->GetValue(2, 0).GetValue<int64_t>(), 2000000);  // every survivor is from the last file
  EXPECT_EQ(check->GetValue(3, 0).GetValue<int64_t>(), 0);
  auto last = conn_.Query("SELECT seq FROM t WHERE k IS NULL");
  EXPECT_EQ(last->GetValue(0, 0).GetValue<int64_t>(), 2000000 + 299007);
  auto per_key = conn_.Query("SELECT count(*) FROM t WHERE k IS NOT NULL AND seq <> 2000000 + (295000 + k)");
  EXPECT_EQ(per_key->GetValue(0, 0).GetValue<int64_t>(), 0) << "a key kept an earlier occurrence";
}

}  // namespace
}  // namespace duckstore
