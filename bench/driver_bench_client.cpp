// The storage driver benchmark's client: closed-loop unary calls from THREADS threads over one gRPC channel
// for SECONDS per phase, in three phases against the same server:
//   empty    - com.rawlabs.protocol.das.v1.services.HealthCheckService/Check: a round trip that does no work,
//              the floor any RPC on this server pays (HTTP/2, protobuf, the gRPC thread pool);
//   info     - StorageDriverService/Execute(ObjectInfoCommand TABLE [bucket, table]);
//   preview  - StorageDriverService/Execute(PreviewTableCommand, every column, limit 100).
// Every answer is checked (status OK, 100 preview rows), so an error cannot pass for speed.
// C++ rather than Python: a Python gRPC client spends ~100 us of its own per call, as much as the server's
// empty round trip, and would measure itself.
// Usage: driver_bench_client HOST:PORT PROJECT KEY BUCKET TABLE SECONDS THREADS COLUMN...
// Prints one JSON object: {"<phase>": {"calls", "seconds", "rows", "p50_us", "p99_us"}, ...}.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "com/rawlabs/protocol/das/v1/services/health_service.grpc.pb.h"
#include "keboola/storage_driver/credentials.pb.h"
#include "keboola/storage_driver/info.pb.h"
#include "keboola/storage_driver/service.grpc.pb.h"
#include "keboola/storage_driver/table.pb.h"

namespace das = com::rawlabs::protocol::das::v1::services;
namespace kbc = keboola::storageDriver;
using Clock = std::chrono::steady_clock;

struct PhaseResult {
  uint64_t calls = 0;
  uint64_t rows = 0;
  double seconds = 0;
  std::vector<double> latencies_us;
};

// One call; returns the rows it produced (0 for calls without rows), or -1 on failure.
using Call = std::function<int64_t()>;

PhaseResult RunPhase(int threads, double seconds, const std::function<Call()>& make_call) {
  std::atomic<bool> failed{false};
  std::vector<PhaseResult> partial(threads);
  std::vector<std::thread> workers;
  auto start = Clock::now();
  auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Call call = make_call();
      auto& mine = partial[t];
      while (!failed && Clock::now() < deadline) {
        auto before = Clock::now();
        int64_t rows = call();
        if (rows < 0) {
          failed = true;
          return;
        }
        mine.latencies_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - before).count());
        ++mine.calls;
        mine.rows += static_cast<uint64_t>(rows);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  if (failed) std::exit(1);
  PhaseResult total;
  total.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& p : partial) {
    total.calls += p.calls;
    total.rows += p.rows;
    total.latencies_us.insert(total.latencies_us.end(), p.latencies_us.begin(), p.latencies_us.end());
  }
  std::sort(total.latencies_us.begin(), total.latencies_us.end());
  return total;
}

double Percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(q * static_cast<double>(sorted.size())))];
}

kbc::command::common::DriverRequest Request(const google::protobuf::Message& command,
                                            const std::string& project, const std::string& key) {
  kbc::credentials::GenericBackendCredentials credentials;
  credentials.set_host(project);
  credentials.set_principal(key);
  kbc::command::common::DriverRequest request;
  request.mutable_credentials()->PackFrom(credentials);
  request.mutable_command()->PackFrom(command);
  return request;
}

// A driver call: Execute(request) and a check of the unpacked response; returns rows or -1.
template <typename Response>
Call DriverCall(const std::shared_ptr<grpc::Channel>& channel, kbc::command::common::DriverRequest request,
                std::function<int64_t(const Response&)> check) {
  auto stub = std::shared_ptr<kbc::service::StorageDriverService::Stub>(
      kbc::service::StorageDriverService::NewStub(channel));
  return [stub, request = std::move(request), check = std::move(check)]() -> int64_t {
    grpc::ClientContext context;
    kbc::command::common::DriverResponse response;
    auto status = stub->Execute(&context, request, &response);
    Response unpacked;
    if (!status.ok() || !response.commandresponse().UnpackTo(&unpacked)) {
      std::fprintf(stderr, "Execute failed: %d %s\n", status.error_code(), status.error_message().c_str());
      return -1;
    }
    return check(unpacked);
  };
}

int main(int argc, char** argv) {
  if (argc < 9) {
    std::fprintf(stderr, "usage: %s HOST:PORT PROJECT KEY BUCKET TABLE SECONDS THREADS COLUMN...\n", argv[0]);
    return 2;
  }
  std::string project = argv[2], key = argv[3], bucket = argv[4], table = argv[5];
  double seconds = std::stod(argv[6]);
  int threads = std::stoi(argv[7]);
  auto channel = grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials());

  kbc::command::info::ObjectInfoCommand info;
  info.add_path(bucket);
  info.add_path(table);
  info.set_expectedobjecttype(kbc::command::info::TABLE);

  kbc::command::table::PreviewTableCommand preview;
  preview.add_path(bucket);
  preview.set_tablename(table);
  for (int i = 8; i < argc; ++i) preview.add_columns(argv[i]);
  preview.mutable_filters()->set_limit(100);
  const int columns = argc - 8;

  std::vector<std::pair<const char*, PhaseResult>> results;
  results.emplace_back(
      "empty", RunPhase(threads, seconds, [&]() -> Call {
        auto stub = std::shared_ptr<das::HealthCheckService::Stub>(das::HealthCheckService::NewStub(channel));
        return [stub]() -> int64_t {
          grpc::ClientContext context;
          das::HealthCheckRequest request;
          das::HealthCheckResponse response;
          return stub->Check(&context, request, &response).ok() ? 0 : -1;
        };
      }));
  results.emplace_back("info", RunPhase(threads, seconds, [&] {
                         return DriverCall<kbc::command::info::ObjectInfoResponse>(
                             channel, Request(info, project, key),
                             [](const kbc::command::info::ObjectInfoResponse& r) -> int64_t {
                               return r.has_tableinfo() && r.tableinfo().columns_size() > 0 ? 0 : -1;
                             });
                       }));
  results.emplace_back("preview", RunPhase(threads, seconds, [&] {
                         return DriverCall<kbc::command::table::PreviewTableResponse>(
                             channel, Request(preview, project, key),
                             [columns](const kbc::command::table::PreviewTableResponse& r) -> int64_t {
                               if (r.rows_size() != 100 || r.rows(0).columns_size() != columns) return -1;
                               return r.rows_size();
                             });
                       }));

  std::printf("{");
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& [name, r] = results[i];
    std::printf(
        "%s\"%s\": {\"calls\": %llu, \"seconds\": %.3f, \"rows\": %llu, \"p50_us\": %.0f, \"p99_us\": %.0f}",
        i ? ", " : "", name, static_cast<unsigned long long>(r.calls), r.seconds,
        static_cast<unsigned long long>(r.rows), Percentile(r.latencies_us, 0.5),
        Percentile(r.latencies_us, 0.99));
  }
  std::printf("}\n");
  return 0;
}
