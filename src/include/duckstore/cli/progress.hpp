// Progress of a transfer or a job on stderr: on a terminal one line redrawn in place (bar, bytes, rate, ETA),
// otherwise plain lines at most every few seconds and at every tenth of the total, so logs stay readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace duckstore::cli {

class Progress {
 public:
  // `total` 0 = unknown. `terminal`: draw in place (true when stderr is a TTY).
  Progress(std::ostream& out, std::string label, uint64_t total, bool terminal);
  void Update(uint64_t done);
  // A status word instead of bytes (a job's phase).
  void Phase(const std::string& phase, double percentage);
  void Finish();

  // "1.5 MiB"
  static std::string Bytes(double bytes);

 private:
  void Draw(uint64_t done, bool final);

  std::ostream& out_;
  std::string label_;
  uint64_t total_;
  bool terminal_;
  std::chrono::steady_clock::time_point started_, last_draw_;
  uint64_t done_ = 0;
  int last_tenth_ = -1;
  std::string last_phase_;
  bool finished_ = false;
};

}  // namespace duckstore::cli
