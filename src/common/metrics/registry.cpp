#include "duckstore/common/metrics/registry.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "duckstore/common/error.hpp"

namespace duckstore::metrics {
namespace {

constexpr char kSeparator = '\x1f';  // joins label values into a map key; never valid in a label we write
constexpr std::string_view kOverflowValue = "_other";

bool ValidName(const std::string& name, bool colon_allowed) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (colon_allowed && c == ':');
  });
}

}  // namespace

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::Observe(double value) {
  // A bucket counts observations <= its bound ("le"); the slot past the last bound is +Inf.
  size_t slot = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[slot].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

void Histogram::Read(Sample& sample) const {
  sample.bucket_counts.resize(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    sample.bucket_counts[i] = running;
  }
  sample.sum = sum_.load(std::memory_order_relaxed);
}

Family::Family(std::string name, std::string help, Type type, std::vector<std::string> label_names,
               std::vector<double> bounds, size_t max_series)
    : bounds_(std::move(bounds)),
      name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)),
      max_series_(std::max<size_t>(max_series, 1)) {
  if (!ValidName(name_, true)) throw Internal("invalid metric name '" + name_ + "'");
  for (const auto& label : label_names_) {
    if (!ValidName(label, false) || label.starts_with("__") || label == "le")
      throw Internal("invalid label name '" + label + "' of metric " + name_);
  }
  if (!std::is_sorted(bounds_.begin(), bounds_.end()))
    throw Internal("histogram bounds of " + name_ + " must ascend");
}

Series& Family::Find(const std::vector<std::string_view>& values) {
  if (values.size() != label_names_.size()) {
    throw Internal("metric " + name_ + " takes " + std::to_string(label_names_.size()) + " label values");
  }
  std::string key;
  for (auto value : values) {
    key.append(value);
    key.push_back(kSeparator);
  }
  {
    std::shared_lock lock(mutex_);
    auto it = series_.find(key);
    if (it != series_.end()) return *it->second.series;
  }
  std::unique_lock lock(mutex_);
  return *Insert(std::move(key), values).series;
}

// Called with the lock held exclusively.
Family::Entry& Family::Insert(std::string key, const std::vector<std::string_view>& values) {
  auto it = series_.find(key);
  if (it != series_.end()) return it->second;
  std::vector<std::string> label_values(values.begin(), values.end());
  if (series_.size() >= max_series_) {
    if (!overflow_warned_) {
      overflow_warned_ = true;
      spdlog::warn("metric {} reached {} series; further label values are recorded as '{}'", name_,
                   max_series_, kOverflowValue);
    }
    key.clear();
    for (auto& value : label_values) {
      value = kOverflowValue;
      key.append(kOverflowValue).push_back(kSeparator);
    }
    it = series_.find(key);
    if (it != series_.end()) return it->second;
  }
  return series_.emplace(std::move(key), Entry{std::move(label_values), Make()}).first->second;
}

void Family::ReplaceAll(const std::vector<std::vector<std::string>>& label_values,
                        const std::function<void(size_t, Series&)>& init) {
  std::unique_lock lock(mutex_);
  series_.clear();
  for (size_t i = 0; i < label_values.size(); ++i) {
    std::vector<std::string_view> values(label_values[i].begin(), label_values[i].end());
    if (values.size() != label_names_.size())
      throw Internal("metric " + name_ + " takes " + std::to_string(label_names_.size()) + " label values");
    std::string key;
    for (auto value : values) key.append(value).push_back(kSeparator);
    init(i, *Insert(std::move(key), values).series);
  }
}

void GaugeFamily::SetTop(std::vector<std::pair<std::string, double>> values, size_t n) {
  std::sort(values.begin(), values.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::vector<std::vector<std::string>> labels;
  std::vector<double> amounts;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i < n) {
      labels.push_back({values[i].first});
      amounts.push_back(values[i].second);
    } else {
      if (i == n) {
        labels.push_back({std::string(kOverflowValue)});
        amounts.push_back(0);
      }
      amounts.back() += values[i].second;
    }
  }
  ReplaceAll(labels, [&amounts](size_t i, Series& series) { static_cast<Gauge&>(series).Set(amounts[i]); });
}

FamilySnapshot Family::Snapshot() const {
  FamilySnapshot out{name_, help_, type_, label_names_, bounds_, {}};
  std::shared_lock lock(mutex_);
  out.samples.reserve(series_.size());
  for (const auto& [key, entry] : series_) {
    Sample& sample = out.samples.emplace_back();
    sample.label_values = entry.label_values;
    entry.series->Read(sample);
  }
  return out;
}

template <typename F>
F& Registry::Register(std::unique_ptr<F> family) {
  std::lock_guard lock(mutex_);
  for (const auto& existing : families_) {
    if (existing->name() != family->name()) continue;
    auto* same = dynamic_cast<F*>(existing.get());
    if (!same || same->label_names() != family->label_names())
      throw Internal("metric " + family->name() + " registered twice with different types or labels");
    return *same;
  }
  families_.push_back(std::move(family));
  return static_cast<F&>(*families_.back());
}

CounterFamily& Registry::Counter(const std::string& name, const std::string& help,
                                 std::vector<std::string> label_names, size_t max_series) {
  return Register(std::make_unique<CounterFamily>(name, help, std::move(label_names), max_series));
}

GaugeFamily& Registry::Gauge(const std::string& name, const std::string& help,
                             std::vector<std::string> label_names, size_t max_series) {
  return Register(std::make_unique<GaugeFamily>(name, help, std::move(label_names), max_series));
}

HistogramFamily& Registry::Histogram(const std::string& name, const std::string& help,
                                     std::vector<std::string> label_names, std::vector<double> bounds,
                                     size_t max_series) {
  return Register(
      std::make_unique<HistogramFamily>(name, help, std::move(label_names), std::move(bounds), max_series));
}

void Registry::OnCollect(std::function<void()> collect) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collect));
}

std::vector<FamilySnapshot> Registry::Snapshot() const {
  std::vector<std::function<void()>> collectors;
  {
    std::lock_guard lock(mutex_);
    collectors = collectors_;
  }
  // A collector that fails (an engine shutting down) must not make the whole scrape fail.
  for (const auto& collect : collectors) {
    try {
      collect();
    } catch (const std::exception& e) {
      spdlog::warn("metrics collector failed: {}", e.what());
    }
  }
  std::lock_guard lock(mutex_);
  std::vector<FamilySnapshot> out;
  out.reserve(families_.size());
  for (const auto& family : families_) out.push_back(family->Snapshot());
  return out;
}

Registry& Registry::Default() {
  static Registry registry;
  return registry;
}

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> bounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                          0.5,   1,      2.5,   5,    10,    30,   60};
  return bounds;
}

const std::vector<double>& ShortLatencyBuckets() {
  static const std::vector<double> bounds{0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                          0.0025,  0.005,    0.01,    0.025,  0.1,     1};
  return bounds;
}

}  // namespace duckstore::metrics
