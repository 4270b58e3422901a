// The dashboard's static files, compiled in from ui/ by cmake/UiAssets.cmake.
#pragma once

#include <span>
#include <string_view>

namespace duckstore::ui {

struct Asset {
  std::string_view path;          // relative to /ui/, e.g. "pages/table.js"
  std::string_view content_type;  // with charset for text
  std::string_view body;
};

std::span<const Asset> Assets();

}  // namespace duckstore::ui
