// The DAS scan benchmark's client: a C++ gRPC client of TablesService.ExecuteTable that reads a whole table
// the way multicorn-das does (all columns, max_batch_size_bytes 4 MiB, 4 MiB receive limit) and counts rows.
// Usage: das_scan_client HOST:PORT DAS_ID TABLE COLUMN... ; prints one JSON object per run.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "com/rawlabs/protocol/das/v1/services/tables_service.grpc.pb.h"

namespace pb = com::rawlabs::protocol::das::v1;

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s HOST:PORT DAS_ID TABLE COLUMN...\n", argv[0]);
    return 2;
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(4 << 20);
  auto channel = grpc::CreateCustomChannel(argv[1], grpc::InsecureChannelCredentials(), args);
  auto stub = pb::services::TablesService::NewStub(channel);

  pb::services::ExecuteTableRequest request;
  request.mutable_das_id()->set_id(argv[2]);
  request.mutable_table_id()->set_name(argv[3]);
  for (int i = 4; i < argc; ++i) request.mutable_query()->add_columns(argv[i]);
  request.set_plan_id("bench-1");
  request.set_max_batch_size_bytes(4 << 20);

  grpc::ClientContext context;
  auto start = std::chrono::steady_clock::now();
  auto reader = stub->ExecuteTable(&context, request);
  pb::tables::Rows batch;
  uint64_t rows = 0, messages = 0, bytes = 0, checksum = 0;
  while (reader->Read(&batch)) {
    ++messages;
    bytes += batch.ByteSizeLong();
    rows += static_cast<uint64_t>(batch.rows_size());
    // Touch every row's first value, as a client converting rows would.
    for (const auto& row : batch.rows()) {
      if (row.columns_size() > 0) checksum += static_cast<uint64_t>(row.columns(0).data().long_().v());
    }
  }
  auto status = reader->Finish();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!status.ok()) {
    std::fprintf(stderr, "ExecuteTable failed: %d %s\n", status.error_code(), status.error_message().c_str());
    return 1;
  }
  std::printf(
      "{\"rows\": %llu, \"messages\": %llu, \"bytes\": %llu, \"seconds\": %.3f, \"checksum\": %llu}\n",
      static_cast<unsigned long long>(rows), static_cast<unsigned long long>(messages),
      static_cast<unsigned long long>(bytes), seconds, static_cast<unsigned long long>(checksum));
  return 0;
}
