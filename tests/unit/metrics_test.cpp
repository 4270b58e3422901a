// The metrics registry and the exposition writer: exact output of counters, gauges and histograms in both
// formats, escaping, bucket boundaries, the bound on label combinations.
#include <gtest/gtest.h>

#include <thread>

#include "duckstore/common/metrics/exposition.hpp"
#include "duckstore/common/metrics/registry.hpp"
#include "duckstore/common/metrics/requests.hpp"

namespace duckstore::metrics {
namespace {

std::string Text(const Registry& registry) {
  return Render(registry.Snapshot(), Format::kPrometheusText);
}

TEST(MetricsTest, RendersCountersAndGaugesWithLabels) {
  Registry registry;
  auto& requests = registry.Counter("t_requests_total", "Requests.", {"door", "outcome"});
  requests.With({"rest", "ok"}).Add();
  requests.With({"rest", "ok"}).Add(2);
  requests.With({"s3", "client_error"}).Add();
  registry.Gauge("t_open", "Open things.").With().Set(2.5);
  EXPECT_EQ(Text(registry),
            "# HELP t_requests_total Requests.\n"
            "# TYPE t_requests_total counter\n"
            "t_requests_total{door=\"rest\",outcome=\"ok\"} 3\n"
            "t_requests_total{door=\"s3\",outcome=\"client_error\"} 1\n"
            "# HELP t_open Open things.\n"
            "# TYPE t_open gauge\n"
            "t_open 2.5\n");
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Registry registry;
  registry.Counter("t_total", "Help with \\ backslash,\nnewline and \"quotes\".", {"name"})
      .With({"a\"b\\c\nd<script>"})
      .Add();
  auto text = Text(registry);
  EXPECT_NE(text.find("# HELP t_total Help with \\\\ backslash,\\nnewline and \"quotes\".\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("t_total{name=\"a\\\"b\\\\c\\nd<script>\"} 1\n"), std::string::npos) << text;
  // OpenMetrics escapes the double quote in HELP too.
  auto open_metrics = Render(registry.Snapshot(), Format::kOpenMetrics);
  EXPECT_NE(open_metrics.find("# HELP t Help with \\\\ backslash,\\nnewline and \\\"quotes\\\".\n"),
            std::string::npos)
      << open_metrics;
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry registry;
  auto& latency = registry.Histogram("t_seconds", "Latency.", {"op"}, {0.25, 1, 5});
  auto& series = latency.With({"get"});
  for (double value : {0.125, 0.25, 0.5, 1.0, 3.0, 7.0}) series.Observe(value);
  EXPECT_EQ(Text(registry),
            "# HELP t_seconds Latency.\n"
            "# TYPE t_seconds histogram\n"
            "t_seconds_bucket{op=\"get\",le=\"0.25\"} 2\n"  // a bound counts values equal to it
            "t_seconds_bucket{op=\"get\",le=\"1\"} 4\n"
            "t_seconds_bucket{op=\"get\",le=\"5\"} 5\n"
            "t_seconds_bucket{op=\"get\",le=\"+Inf\"} 6\n"
            "t_seconds_sum{op=\"get\"} 11.875\n"
            "t_seconds_count{op=\"get\"} 6\n");
}

TEST(MetricsTest, OpenMetricsNamesCounterFamiliesWithoutTotalAndEnds) {
  Registry registry;
  registry.Counter("t_bytes_total", "Bytes.").With().Add(10);
  registry.Histogram("t_seconds", "Latency.", {}, {1}).With().Observe(2);
  EXPECT_EQ(Render(registry.Snapshot(), Format::kOpenMetrics),
            "# HELP t_bytes Bytes.\n"
            "# TYPE t_bytes counter\n"
            "t_bytes_total 10\n"
            "# HELP t_seconds Latency.\n"
            "# TYPE t_seconds histogram\n"
            "t_seconds_bucket{le=\"1\"} 0\n"
            "t_seconds_bucket{le=\"+Inf\"} 1\n"
            "t_seconds_sum 2\n"
            "t_seconds_count 1\n"
            "# EOF\n");
}

TEST(MetricsTest, NegotiatesTheFormatFromAccept) {
  EXPECT_EQ(NegotiateFormat(""), Format::kPrometheusText);
  EXPECT_EQ(NegotiateFormat("text/plain;version=0.0.4"), Format::kPrometheusText);
  EXPECT_EQ(NegotiateFormat("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"),
            Format::kOpenMetrics);
  EXPECT_EQ(ContentType(Format::kOpenMetrics), "application/openmetrics-text; version=1.0.0; charset=utf-8");
}

TEST(MetricsTest, BoundsLabelCombinations) {
  Registry registry;
  auto& family = registry.Counter("t_total", "Bounded.", {"a", "b"}, 2);
  family.With({"1", "x"}).Add();
  family.With({"2", "x"}).Add();
  family.With({"3", "x"}).Add();
  family.With({"4", "y"}).Add();
  family.With({"1", "x"}).Add();  // an existing series is still its own
  auto snapshot = registry.Snapshot().at(0);
  ASSERT_EQ(snapshot.samples.size(), 3u);
  std::map<std::string, double> by_a;
  for (const auto& sample : snapshot.samples) by_a[sample.label_values[0]] = sample.value;
  EXPECT_EQ(by_a["1"], 2);
  EXPECT_EQ(by_a["2"], 1);
  EXPECT_EQ(by_a["_other"], 2);
}

// Per-project gauges: the N largest values get a series each, the rest one "_other" sum; each setting
// replaces the previous series, so a project that went away (or dropped out of the top) disappears.
TEST(MetricsTest, TopGaugesKeepTheLargestAndSumTheRest) {
  Registry registry;
  auto& bytes = registry.Gauge("t_project_bytes", "Bytes per project.", {"project"});
  bytes.SetTop({{"small", 1}, {"big", 30}, {"b-tie", 5}, {"a-tie", 5}, {"mid", 10}}, 3);
  EXPECT_EQ(Text(registry),
            "# HELP t_project_bytes Bytes per project.\n"
            "# TYPE t_project_bytes gauge\n"
            "t_project_bytes{project=\"_other\"} 6\n"
            "t_project_bytes{project=\"a-tie\"} 5\n"
            "t_project_bytes{project=\"big\"} 30\n"
            "t_project_bytes{project=\"mid\"} 10\n");
  bytes.SetTop({{"mid", 2}, {"new", 4}}, 3);
  EXPECT_EQ(Text(registry),
            "# HELP t_project_bytes Bytes per project.\n"
            "# TYPE t_project_bytes gauge\n"
            "t_project_bytes{project=\"mid\"} 2\n"
            "t_project_bytes{project=\"new\"} 4\n");
  bytes.SetTop({}, 3);
  EXPECT_EQ(Text(registry), "# HELP t_project_bytes Bytes per project.\n# TYPE t_project_bytes gauge\n");
}

TEST(MetricsTest, RejectsInvalidNamesAndWrongLabelCounts) {
  Registry registry;
  EXPECT_ANY_THROW(registry.Counter("1bad", "x"));
  EXPECT_ANY_THROW(registry.Counter("t_total", "x", {"le"}));
  auto& family = registry.Counter("t_total", "x", {"a"});
  EXPECT_ANY_THROW(family.With({}));
  EXPECT_EQ(&registry.Counter("t_total", "x", {"a"}), &family);  // the same family again
  EXPECT_ANY_THROW(registry.Gauge("t_total", "x", {"a"}));
}

TEST(MetricsTest, CollectorsRunBeforeEachSnapshot) {
  Registry registry;
  auto& gauge = registry.Gauge("t_scrapes", "Scrapes.");
  int runs = 0;
  registry.OnCollect([&] { gauge.With().Set(++runs); });
  registry.Snapshot();
  EXPECT_EQ(registry.Snapshot().at(0).samples.at(0).value, 2);
}

TEST(MetricsTest, ConcurrentRecordingLosesNothing) {
  Registry registry;
  auto& counter = registry.Counter("t_total", "x", {"t"});
  auto& histogram = registry.Histogram("t_seconds", "x", {"t"}, LatencyBuckets());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        counter.With({std::to_string(i % 3)}).Add();
        histogram.With({"x"}).Observe(0.001 * (i % 7));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  double total = 0;
  for (const auto& sample : registry.Snapshot().at(0).samples) total += sample.value;
  EXPECT_EQ(total, 40000);
  EXPECT_EQ(registry.Snapshot().at(1).samples.at(0).bucket_counts.back(), 40000u);
}

TEST(MetricsTest, RequestOutcomesAndCodes) {
  EXPECT_EQ(OutcomeOfStatus(200), Outcome::kOk);
  EXPECT_EQ(OutcomeOfStatus(304), Outcome::kOk);
  EXPECT_EQ(OutcomeOfStatus(404), Outcome::kClientError);
  EXPECT_EQ(OutcomeOfStatus(503), Outcome::kServerError);
  EXPECT_EQ(ErrorCodeOf(std::runtime_error("boom")), "internal_error");
  EXPECT_EQ(OutcomeOfError(std::runtime_error("boom")), Outcome::kServerError);
}

}  // namespace
}  // namespace duckstore::metrics
