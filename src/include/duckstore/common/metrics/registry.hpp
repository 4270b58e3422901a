// The metrics registry: counters, gauges and histograms (fixed buckets), grouped in families with a fixed
// list of label names, read out by the exposition writer (exposition.hpp) at GET /metrics.
//
// Recording is cheap and thread-safe: finding a series takes a shared lock and a map lookup, updating it is
// an atomic add. Label cardinality is bounded per family (max_series): once a family holds that many series,
// further label combinations are recorded in one series whose labels are all "_other" and a warning is
// logged once, so a bug that puts an unbounded value into a label cannot exhaust memory. Never put a table
// name, key or object name into a label.
//
// Registry::Default() is the process's registry: every door records into it through the same code path
// (requests.hpp), and GET /metrics renders it. Tests build their own Registry.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace duckstore::metrics {

enum class Type { kCounter, kGauge, kHistogram };

// One series as read for exposition.
struct Sample {
  std::vector<std::string> label_values;  // in the family's label order
  double value = 0;                       // counters and gauges
  std::vector<uint64_t> bucket_counts;    // histograms: cumulative, +Inf last
  double sum = 0;                         // histograms
};

class Series {
 public:
  virtual ~Series() = default;
  virtual void Read(Sample& sample) const = 0;
};

class Counter final : public Series {
 public:
  void Add(double amount = 1) { value_.fetch_add(amount, std::memory_order_relaxed); }
  // For a counter read from a source that is itself monotonic (the kernel's CPU time of the process).
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }
  void Read(Sample& sample) const override { sample.value = value(); }

 private:
  std::atomic<double> value_{0};
};

class Gauge final : public Series {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double amount) { value_.fetch_add(amount, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }
  void Read(Sample& sample) const override { sample.value = value(); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted per bucket (upper bounds, ascending; +Inf is implicit). The count is the sum of the
// buckets, so _count always equals the +Inf bucket even while observations race with a scrape.
class Histogram final : public Series {
 public:
  explicit Histogram(const std::vector<double>& bounds);
  void Observe(double value);
  void Read(Sample& sample) const override;

 private:
  const std::vector<double>& bounds_;                // the family's
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1 slots, not cumulative
  std::atomic<double> sum_{0};
};

struct FamilySnapshot {
  std::string name;
  std::string help;
  Type type = Type::kCounter;
  std::vector<std::string> label_names;
  std::vector<double> bounds;  // histograms
  std::vector<Sample> samples;
};

class Family {
 public:
  Family(std::string name, std::string help, Type type, std::vector<std::string> label_names,
         std::vector<double> bounds, size_t max_series);
  virtual ~Family() = default;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  FamilySnapshot Snapshot() const;
  const std::string& name() const { return name_; }
  Type type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

 protected:
  // The series of `values` (one per label name; throws otherwise), created when absent.
  Series& Find(const std::vector<std::string_view>& values);
  // Replaces every series at once by one per element of `label_values` (each one value per label name),
  // `init` setting each new series (by index) under the lock, so a scrape sees the old set or the new.
  void ReplaceAll(const std::vector<std::vector<std::string>>& label_values,
                  const std::function<void(size_t, Series&)>& init);
  virtual std::unique_ptr<Series> Make() const = 0;

  const std::vector<double> bounds_;  // histograms

 private:
  struct Entry {
    std::vector<std::string> label_values;
    std::unique_ptr<Series> series;
  };
  Entry& Insert(std::string key, const std::vector<std::string_view>& values);

  const std::string name_, help_;
  const Type type_;
  const std::vector<std::string> label_names_;
  const size_t max_series_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, Entry, std::less<>> series_;
  bool overflow_warned_ = false;
};

class CounterFamily final : public Family {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> labels, size_t max_series)
      : Family(std::move(name), std::move(help), Type::kCounter, std::move(labels), {}, max_series) {}
  Counter& With(const std::vector<std::string_view>& values = {}) {
    return static_cast<Counter&>(Find(values));
  }

 private:
  std::unique_ptr<Series> Make() const override { return std::make_unique<Counter>(); }
};

class GaugeFamily final : public Family {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> labels, size_t max_series)
      : Family(std::move(name), std::move(help), Type::kGauge, std::move(labels), {}, max_series) {}
  Gauge& With(const std::vector<std::string_view>& values = {}) { return static_cast<Gauge&>(Find(values)); }
  // For a family of one label whose values are re-read at each scrape and may be many (projects): the `n`
  // largest `values` (label value, value; ties by label value) get a series each, the rest are summed into
  // one series labelled "_other" (absent when there is no rest). Every previous series is dropped, so the
  // family holds at most n + 1 series whatever the number of values.
  void SetTop(std::vector<std::pair<std::string, double>> values, size_t n);

 private:
  std::unique_ptr<Series> Make() const override { return std::make_unique<Gauge>(); }
};

class HistogramFamily final : public Family {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> labels,
                  std::vector<double> bounds, size_t max_series)
      : Family(std::move(name), std::move(help), Type::kHistogram, std::move(labels), std::move(bounds),
               max_series) {}
  Histogram& With(const std::vector<std::string_view>& values = {}) {
    return static_cast<Histogram&>(Find(values));
  }

 private:
  std::unique_ptr<Series> Make() const override { return std::make_unique<Histogram>(bounds_); }
};

class Registry {
 public:
  static constexpr size_t kDefaultMaxSeries = 500;

  // Registering a name twice returns the family registered first (its type and labels must match).
  CounterFamily& Counter(const std::string& name, const std::string& help,
                         std::vector<std::string> label_names = {}, size_t max_series = kDefaultMaxSeries);
  GaugeFamily& Gauge(const std::string& name, const std::string& help,
                     std::vector<std::string> label_names = {}, size_t max_series = kDefaultMaxSeries);
  HistogramFamily& Histogram(const std::string& name, const std::string& help,
                             std::vector<std::string> label_names, std::vector<double> bounds,
                             size_t max_series = kDefaultMaxSeries);

  // `collect` runs before every Snapshot, to set gauges read from elsewhere (process, engine, jobs).
  void OnCollect(std::function<void()> collect);

  // Every family, in registration order.
  std::vector<FamilySnapshot> Snapshot() const;

  static Registry& Default();

 private:
  template <typename F>
  F& Register(std::unique_ptr<F> family);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family>> families_;
  std::vector<std::function<void()>> collectors_;
};

// Bucket bounds for latencies in seconds: 1 ms to 60 s.
const std::vector<double>& LatencyBuckets();
// Bucket bounds for short latencies in seconds (catalog statements): 10 us to 1 s.
const std::vector<double>& ShortLatencyBuckets();

}  // namespace duckstore::metrics
