#include "duckstore/cli/progress.hpp"

#include <cmath>
#include <cstdio>

namespace duckstore::cli {
namespace {

constexpr int kBarWidth = 30;
constexpr auto kTerminalInterval = std::chrono::milliseconds(100);
constexpr auto kLogInterval = std::chrono::seconds(5);

std::string Duration(double seconds) {
  char text[32];
  if (seconds >= 3600) {
    std::snprintf(text, sizeof text, "%dh%02dm", static_cast<int>(seconds / 3600),
                  static_cast<int>(seconds) % 3600 / 60);
  } else if (seconds >= 60) {
    std::snprintf(text, sizeof text, "%dm%02ds", static_cast<int>(seconds / 60),
                  static_cast<int>(seconds) % 60);
  } else {
    std::snprintf(text, sizeof text, "%ds", static_cast<int>(std::lround(seconds)));
  }
  return text;
}

}  // namespace

Progress::Progress(std::ostream& out, std::string label, uint64_t total, bool terminal)
    : out_(out),
      label_(std::move(label)),
      total_(total),
      terminal_(terminal),
      started_(std::chrono::steady_clock::now()),
      last_draw_(started_ - kLogInterval) {}

std::string Progress::Bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return text;
}

void Progress::Update(uint64_t done) {
  done_ = done;
  auto now = std::chrono::steady_clock::now();
  int tenth = total_ ? static_cast<int>(done * 10 / total_) : -1;
  bool due = terminal_ ? now - last_draw_ >= kTerminalInterval
                       : (tenth != last_tenth_ || now - last_draw_ >= kLogInterval);
  if (!due) return;
  last_tenth_ = tenth;
  last_draw_ = now;
  Draw(done, false);
}

void Progress::Phase(const std::string& phase, double percentage) {
  if (!terminal_ && phase == last_phase_) return;
  last_phase_ = phase;
  char text[64] = "";
  if (percentage >= 0) std::snprintf(text, sizeof text, " %.0f%%", percentage);
  if (terminal_) {
    out_ << "\r\033[K" << label_ << ": " << phase << text << std::flush;
  } else {
    out_ << label_ << ": " << phase << text << "\n" << std::flush;
  }
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!last_phase_.empty()) {
    if (terminal_) out_ << "\n" << std::flush;
    return;
  }
  Draw(done_, true);
  if (terminal_) out_ << "\n" << std::flush;
}

void Progress::Draw(uint64_t done, bool final) {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
  std::string line = label_ + ": " + Bytes(static_cast<double>(done));
  if (total_) {
    int percent = static_cast<int>(done * 100 / total_);
    line += " / " + Bytes(static_cast<double>(total_)) + " (" + std::to_string(percent) + "%)";
    if (terminal_) {
      int filled = static_cast<int>(done * kBarWidth / total_);
      line = label_ + " [" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "] " +
             line.substr(label_.size() + 2);
    }
  }
  line += " " + Bytes(rate) + "/s";
  if (final) {
    line += " in " + Duration(elapsed);
  } else if (total_ && rate > 0) {
    line += " ETA " + Duration(static_cast<double>(total_ - std::min(done, total_)) / rate);
  }
  if (terminal_) {
    out_ << "\r\033[K" << line << std::flush;
  } else {
    out_ << line << "\n" << std::flush;
  }
}

}  // namespace duckstore::cli
