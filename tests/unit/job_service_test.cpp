// Jobs: typed results survive the catalog (the job service's own stored form) and come back typed.
#include "duckstore/services/jobs/job_service.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "duckstore/common/error.hpp"
#include "duckstore/services/jobs/job_result.hpp"
#include "test_util.hpp"

namespace duckstore {
namespace {

using testing::TempDir;

ExportResult SampleExport() {
  ExportResult r;
  r.files = {{"files", "out/a.csv.gz", 123, "etag-1", "file-1"}, {"files", "out/b.csv.gz", 45, "etag-2", {}}};
  r.manifest = ExportedObject{"files", "out/manifest", 9, "etag-3", std::nullopt};
  r.exported_rows = 42;
  r.columns = {"id", "amount"};
  r.table.bucket = "in.c-sales";
  r.table.name = "orders";
  r.table.columns = {{"id", "INTEGER", false, std::nullopt, 1}, {"amount", "DECIMAL(12,2)", true, "0.00", 2}};
  r.table.primary_key = {"id"};
  r.table.row_count = 42;
  r.table.size_bytes = 4096;
  r.table.created_at = "2026-01-01T00:00:00.000Z";
  r.timers = {{"export", 0.125}};
  return r;
}

void ExpectSameObject(const ExportedObject& a, const ExportedObject& b) {
  EXPECT_EQ(a.bucket, b.bucket);
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.size, b.size);
  EXPECT_EQ(a.etag, b.etag);
  EXPECT_EQ(a.file_id, b.file_id);
}

TEST(JobResult, ImportResultRoundTrips) {
  ImportResult r{7, 10, 2048, {"id", "name"}, {{"load", 1.5}, {"dedup", 0.25}}};
  auto document = EncodeJobResult(r);
  EXPECT_EQ(document["type"], "import");
  auto back = std::get<ImportResult>(DecodeJobResult(nlohmann::json::parse(document.dump())));
  EXPECT_EQ(back.imported_rows, 7);
  EXPECT_EQ(back.table_rows, 10);
  EXPECT_EQ(back.table_size_bytes, 2048);
  EXPECT_EQ(back.imported_columns, (std::vector<std::string>{"id", "name"}));
  ASSERT_EQ(back.timers.size(), 2u);
  EXPECT_EQ(back.timers[1].name, "dedup");
  EXPECT_EQ(back.timers[1].seconds, 0.25);
}

TEST(JobResult, ExportResultRoundTrips) {
  auto r = SampleExport();
  auto back = std::get<ExportResult>(DecodeJobResult(nlohmann::json::parse(EncodeJobResult(r).dump())));
  ASSERT_EQ(back.files.size(), 2u);
  ExpectSameObject(back.files[0], r.files[0]);
  ExpectSameObject(back.files[1], r.files[1]);
  ASSERT_TRUE(back.manifest.has_value());
  ExpectSameObject(*back.manifest, *r.manifest);
  EXPECT_EQ(back.exported_rows, 42);
  EXPECT_EQ(back.columns, r.columns);
  EXPECT_EQ(back.table.bucket, "in.c-sales");
  EXPECT_EQ(back.table.name, "orders");
  ASSERT_EQ(back.table.columns.size(), 2u);
  EXPECT_EQ(back.table.columns[0].nullable, false);
  EXPECT_EQ(back.table.columns[0].default_value, std::nullopt);
  EXPECT_EQ(back.table.columns[1].default_value, "0.00");
  EXPECT_EQ(back.table.columns[1].ordinal_position, 2);
  EXPECT_EQ(back.table.primary_key, (std::vector<std::string>{"id"}));
  EXPECT_EQ(back.table.size_bytes, 4096);
  EXPECT_EQ(back.table.is_view, false);
  EXPECT_EQ(back.timers[0].seconds, 0.125);
}

TEST(JobResult, NoResultAndUntaggedDocuments) {
  EXPECT_TRUE(std::holds_alternative<std::monostate>(DecodeJobResult(nullptr)));
  EXPECT_TRUE(EncodeJobResult(std::monostate{}).is_null());
  // Stored before results were typed: read by their fields.
  auto legacy = nlohmann::json::parse(R"({"imported_rows":3,"table_rows":3,"table_size_bytes":1,
                                          "imported_columns":["a"],"timers":[]})");
  EXPECT_EQ(std::get<ImportResult>(DecodeJobResult(legacy)).imported_rows, 3);
  auto exported = nlohmann::json::parse(R"({"files":[],"manifest":null,"exported_rows":5,"columns":[]})");
  EXPECT_EQ(std::get<ExportResult>(DecodeJobResult(exported)).exported_rows, 5);
  auto error = testing::CaptureError([] { DecodeJobResult(nlohmann::json{{"type", "vacuum"}}); });
  EXPECT_EQ(error.code(), "invalid_job_result");
}

class JobServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = OpenSqliteCatalog((dir_ / "catalog.db").string());
    Project project;
    project.id = "p1";
    project.name = "p1";
    project.created_at = project.updated_at = NowTimestamp();
    catalog_->CreateProject(project);
  }

  // Polls until the job left "queued" and "running" (a few seconds at most).
  JobInfo Finished(JobService& jobs, const std::string& id) {
    for (int i = 0; i < 500; ++i) {
      auto info = jobs.Get("p1", id);
      if (info.job.status != "queued" && info.job.status != "running") return info;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "job " << id << " did not finish";
    return jobs.Get("p1", id);
  }

  TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(JobServiceTest, SucceededJobReportsItsTypedResult) {
  std::string id;
  {
    JobService jobs(*catalog_, 1, 4);
    auto submitted = jobs.Submit({"p1", "default"}, "table.export", "in.c-sales.orders", {{"async", true}},
                                 [](TaskControl&) -> JobResult { return SampleExport(); });
    id = submitted.job.id;
    EXPECT_TRUE(std::holds_alternative<std::monostate>(submitted.result));
    auto info = Finished(jobs, id);
    EXPECT_EQ(info.job.status, "succeeded");
    EXPECT_TRUE(info.job.result.is_null());  // the stored document stays inside the job service
    EXPECT_EQ(std::get<ExportResult>(info.result).exported_rows, 42);
  }
  // A new service over the same catalog (a restart) reads the result back typed.
  JobService restarted(*catalog_, 1, 4);
  auto info = restarted.Get("p1", id);
  const auto& result = std::get<ExportResult>(info.result);
  EXPECT_EQ(result.table.columns[1].default_value, "0.00");
  EXPECT_EQ(result.manifest->key, "out/manifest");
  auto page = restarted.List("p1", PageRequest{});
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(std::get<ExportResult>(page.items[0].result).files.size(), 2u);
}

TEST_F(JobServiceTest, FailedJobHasAnErrorAndNoResult) {
  JobService jobs(*catalog_, 1, 4);
  auto submitted =
      jobs.Submit({"p1", "default"}, "table.import", "in.c-sales.orders", nlohmann::json::object(),
                  [](TaskControl&) -> JobResult { throw Conflict("duplicate_keys", "dup"); });
  auto info = Finished(jobs, submitted.job.id);
  EXPECT_EQ(info.job.status, "failed");
  EXPECT_EQ(info.job.error["code"], "duplicate_keys");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(info.result));
}

}  // namespace
}  // namespace duckstore
