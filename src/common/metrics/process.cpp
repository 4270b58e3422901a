#include "duckstore/common/metrics/process.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

namespace duckstore::metrics {
namespace {

struct ProcStat {
  double cpu_seconds = 0;
  double threads = 0;
  double virtual_bytes = 0;
  double resident_bytes = 0;
};

// /proc/self/stat: the fields after the command name (which may hold spaces, so parse after the last ')').
ProcStat ReadProcStat() {
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ProcStat stat;
  auto close = text.rfind(')');
  if (close == std::string::npos) return stat;
  std::istringstream fields(text.substr(close + 2));
  std::vector<std::string> values{std::istream_iterator<std::string>(fields), {}};
  // Field numbers of proc(5) minus 3: utime 14, stime 15, num_threads 20, vsize 23, rss 24.
  auto field = [&](size_t number) {
    return number - 3 < values.size() ? std::stod(values[number - 3]) : 0.0;
  };
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  stat.cpu_seconds = (field(14) + field(15)) / ticks;
  stat.threads = field(20);
  stat.virtual_bytes = field(23);
  stat.resident_bytes = field(24) * static_cast<double>(sysconf(_SC_PAGESIZE));
  return stat;
}

double OpenFds() {
  std::error_code ec;
  double count = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec))
    ++count;
  return count;
}

}  // namespace

void RegisterProcessMetrics(Registry& registry, const std::string& version) {
  struct Families {
    GaugeFamily &resident, &virtual_bytes;
    CounterFamily& cpu;
    GaugeFamily &fds, &threads, &uptime;
  } f{registry.Gauge("process_resident_memory_bytes", "Resident memory of the process."),
      registry.Gauge("process_virtual_memory_bytes", "Virtual memory of the process."),
      registry.Counter("process_cpu_seconds_total", "User and system CPU time of the process."),
      registry.Gauge("process_open_fds", "Open file descriptors (sockets, database and blob files)."),
      registry.Gauge("process_threads", "Threads of the process (DuckDB, workers, I/O)."),
      registry.Gauge("duckstore_uptime_seconds", "Seconds since the server started.")};
  registry.Gauge("process_start_time_seconds", "When the process started, in Unix seconds.")
      .With()
      .Set(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  registry.Gauge("duckstore_build_info", "Always 1; the version label names the running build.", {"version"})
      .With({version})
      .Set(1);
  auto started = std::chrono::steady_clock::now();
  registry.OnCollect([f, started] {
    ProcStat stat = ReadProcStat();
    f.resident.With().Set(stat.resident_bytes);
    f.virtual_bytes.With().Set(stat.virtual_bytes);
    f.cpu.With().Set(stat.cpu_seconds);
    f.threads.With().Set(stat.threads);
    f.fds.With().Set(OpenFds());
    f.uptime.With().Set(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  });
}

}  // namespace duckstore::metrics
