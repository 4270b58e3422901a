#include "duckstore/common/metrics/exposition.hpp"

#include <charconv>
#include <cmath>

namespace duckstore::metrics {
namespace {

void AppendNumber(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest round-trip form
    out.append(buffer, end);
  }
}

// Label values escape backslash, double quote and newline in both formats; HELP text escapes the double
// quote only in OpenMetrics (the text format would show the backslash).
void AppendEscaped(std::string& out, std::string_view text, bool escape_quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// {a="x",b="y"} plus an optional extra label (le of a bucket); nothing when there are no labels.
void AppendLabels(std::string& out, const FamilySnapshot& family, const Sample& sample,
                  std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (family.label_names.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  auto add = [&](std::string_view name, std::string_view value) {
    if (!first) out += ',';
    first = false;
    out.append(name).append("=\"");
    AppendEscaped(out, value, true);
    out += '"';
  };
  for (size_t i = 0; i < family.label_names.size(); ++i) add(family.label_names[i], sample.label_values[i]);
  if (!extra_name.empty()) add(extra_name, extra_value);
  out += '}';
}

void AppendSample(std::string& out, std::string_view name, std::string_view suffix,
                  const FamilySnapshot& family, const Sample& sample, double value,
                  std::string_view extra_name = {}, std::string_view extra_value = {}) {
  out.append(name).append(suffix);
  AppendLabels(out, family, sample, extra_name, extra_value);
  out += ' ';
  AppendNumber(out, value);
  out += '\n';
}

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

Format NegotiateFormat(std::string_view accept) {
  return accept.find("application/openmetrics-text") != std::string_view::npos ? Format::kOpenMetrics
                                                                               : Format::kPrometheusText;
}

std::string_view ContentType(Format format) {
  return format == Format::kOpenMetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                        : "text/plain; version=0.0.4; charset=utf-8";
}

std::string Render(const std::vector<FamilySnapshot>& families, Format format) {
  bool open_metrics = format == Format::kOpenMetrics;
  std::string out;
  for (const auto& family : families) {
    // OpenMetrics names a counter family without the suffix its samples carry.
    std::string_view name = family.name;
    std::string_view suffix;
    if (open_metrics && family.type == Type::kCounter && name.ends_with("_total")) {
      name.remove_suffix(6);
      suffix = "_total";
    }
    out.append("# HELP ").append(name).append(" ");
    AppendEscaped(out, family.help, open_metrics);
    out.append("\n# TYPE ").append(name).append(" ").append(TypeName(family.type)).append("\n");
    for (const auto& sample : family.samples) {
      if (family.type != Type::kHistogram) {
        AppendSample(out, name, suffix, family, sample, sample.value);
        continue;
      }
      for (size_t i = 0; i < sample.bucket_counts.size(); ++i) {
        std::string le;
        AppendNumber(le, i < family.bounds.size() ? family.bounds[i] : INFINITY);
        AppendSample(out, name, "_bucket", family, sample, static_cast<double>(sample.bucket_counts[i]), "le",
                     le);
      }
      AppendSample(out, name, "_sum", family, sample, sample.sum);
      AppendSample(out, name, "_count", family, sample, static_cast<double>(sample.bucket_counts.back()));
    }
  }
  if (open_metrics) out += "# EOF\n";
  return out;
}

}  // namespace duckstore::metrics
