#include "duckstore/api/http/range.hpp"

#include <charconv>

#include "duckstore/common/error.hpp"

namespace duckstore::http {
namespace {

std::optional<uint64_t> ParseNumber(std::string_view text) {
  uint64_t value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string ByteRange::ContentRange(uint64_t size) const {
  return "bytes " + std::to_string(offset) + "-" + std::to_string(offset + length - 1) + "/" +
         std::to_string(size);
}

std::optional<ByteRange> ParseRange(const std::string& header, uint64_t size) {
  constexpr std::string_view kUnit = "bytes=";
  std::string_view spec(header);
  if (!spec.starts_with(kUnit)) return std::nullopt;
  spec.remove_prefix(kUnit.size());
  if (spec.find(',') != std::string_view::npos) return std::nullopt;
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first = spec.substr(0, dash);
  auto last = spec.substr(dash + 1);
  auto unsatisfiable = [&] {
    return Error(ErrorKind::kRangeNotSatisfiable, "invalid_range",
                 "the requested range is not satisfiable for " + std::to_string(size) + " bytes",
                 {{"range", header}, {"size", size}});
  };
  if (first.empty()) {  // the last n bytes
    auto suffix = ParseNumber(last);
    if (!suffix) return std::nullopt;
    if (*suffix == 0 || size == 0) throw unsatisfiable();
    uint64_t length = std::min(*suffix, size);
    return ByteRange{size - length, length};
  }
  auto start = ParseNumber(first);
  if (!start) return std::nullopt;
  std::optional<uint64_t> end = last.empty() ? std::optional<uint64_t>(UINT64_MAX) : ParseNumber(last);
  if (!end || *end < *start) return std::nullopt;
  if (*start >= size) throw unsatisfiable();
  return ByteRange{*start, std::min(*end, size - 1) - *start + 1};
}

}  // namespace duckstore::http
