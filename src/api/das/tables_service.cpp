#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <google/protobuf/arena.h>
#include <spdlog/spdlog.h>

#include "duckstore/api/das/access.hpp"
#include "duckstore/api/das/codec.hpp"
#include "duckstore/api/das/services.hpp"
#include "duckstore/api/das/status.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::das {
namespace {

namespace pb_query = com::rawlabs::protocol::das::v1::query;

// Rows a batch starts with before their average size is known.
constexpr size_t kFirstSlice = 64;

// Streams the rows of one ExecuteTable call in batches of at most `limit` serialized bytes. The scan thread
// converts chunks into the batch being built while a sender thread serializes and writes the previous
// one, so conversion and the network overlap. A batch is handed over when full, or taken by the sender
// once its oldest row has waited `latency` (slow, selective scans still stream). The sender also watches
// for the client's cancellation, which interrupts the query at once. Each batch lives in its own arena,
// reset once sent: millions of row, cell and value messages cost pointer bumps, not allocations.
class RowStreamer {
 public:
  RowStreamer(grpc::ServerContext& context, grpc::ServerWriter<pb_tables::Rows>& writer, size_t limit,
              std::chrono::milliseconds latency, ScanCancellation& cancellation)
      : context_(context), writer_(writer), limit_(limit), latency_(latency), cancellation_(cancellation) {
    for (auto& slot : slots_) slot.Reset();
    building_ = &slots_[0];
    sender_ = std::thread([this] { SendLoop(); });
  }

  // Stops the sender without sending what is left (the call failed).
  ~RowStreamer() {
    {
      std::lock_guard lock(mutex_);
      abandoned_ = done_ = true;
    }
    wake_sender_.notify_all();
    if (sender_.joinable()) sender_.join();
  }

  // Adds a chunk's rows; false once the client is gone (the scan should stop).
  bool Append(const std::vector<std::string>& columns, duckdb::DataChunk& chunk) {
    size_t begin = 0;
    while (begin < chunk.size()) {
      std::unique_lock lock(mutex_);
      if (client_gone_) return false;
      // As many rows as should fit the room left, judged by the rows seen so far.
      size_t room = limit_ > building_->bytes ? limit_ - building_->bytes : 0;
      size_t slice = rows_ == 0 ? kFirstSlice
                                : std::max<size_t>(1, static_cast<size_t>(static_cast<double>(room) /
                                                                          std::max(average_row_, 1.0)));
      size_t end = std::min(chunk.size(), begin + slice);
      if (building_->rows->rows_size() == 0) building_->oldest = std::chrono::steady_clock::now();
      size_t added = AppendRows(columns, chunk, begin, end, building_->rows);
      building_->bytes += added;
      rows_ += end - begin;
      average_row_ += (static_cast<double>(added) / static_cast<double>(end - begin) - average_row_) *
                      std::min(1.0, static_cast<double>(end - begin) / static_cast<double>(rows_));
      begin = end;
      if (building_->bytes >= limit_) {
        // Wait for the sender to finish the previous batch, then hand this one over.
        wake_scanner_.wait(lock, [&] { return ready_ == nullptr || client_gone_; });
        if (client_gone_) return false;
        HandOverLocked();
      }
    }
    return true;
  }

  // Sends every remaining row and stops the sender; false if the client went away.
  bool Finish() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_sender_.notify_all();
    sender_.join();
    return !client_gone_;
  }

  uint64_t rows() const { return rows_; }

 private:
  struct Slot {
    google::protobuf::Arena arena;
    pb_tables::Rows* rows = nullptr;
    size_t bytes = 0;
    std::chrono::steady_clock::time_point oldest;

    void Reset() {
      arena.Reset();
      rows = google::protobuf::Arena::Create<pb_tables::Rows>(&arena);
      bytes = 0;
    }
  };

  // Makes the batch being built the one to send; the other slot (free: nothing is waiting) is built next.
  void HandOverLocked() {
    ready_ = building_;
    building_ = building_ == &slots_[0] ? &slots_[1] : &slots_[0];
    wake_sender_.notify_all();
  }

  void SendLoop() {
    const auto poll = std::min(latency_, std::chrono::milliseconds(50));
    std::unique_lock lock(mutex_);
    while (!abandoned_) {
      if (ready_ == nullptr) {
        bool has_rows = building_->rows->rows_size() > 0;
        if (done_ || (has_rows && std::chrono::steady_clock::now() - building_->oldest >= latency_)) {
          if (!has_rows) break;  // done, everything sent
          HandOverLocked();
        } else {
          wake_sender_.wait_for(lock, poll);
          if (context_.IsCancelled()) {
            GoneLocked();
            break;
          }
          continue;
        }
      }
      Slot* slot = ready_;
      lock.unlock();
      bool written = writer_.Write(*slot->rows);
      slot->Reset();
      lock.lock();
      ready_ = nullptr;
      wake_scanner_.notify_all();
      if (!written) {
        GoneLocked();
        break;
      }
    }
  }

  void GoneLocked() {
    client_gone_ = true;
    cancellation_.Cancel();
    wake_scanner_.notify_all();
  }

  grpc::ServerContext& context_;
  grpc::ServerWriter<pb_tables::Rows>& writer_;
  const size_t limit_;
  const std::chrono::milliseconds latency_;
  ScanCancellation& cancellation_;

  std::mutex mutex_;
  std::condition_variable wake_sender_;
  std::condition_variable wake_scanner_;
  Slot slots_[2];
  Slot* building_ = nullptr;  // filled by the scan thread
  Slot* ready_ = nullptr;     // handed to the sender; cleared once written
  bool done_ = false;
  bool abandoned_ = false;
  bool client_gone_ = false;
  uint64_t rows_ = 0;
  double average_row_ = 0;
  std::thread sender_;
};

std::optional<CompareOp> ToCompareOp(pb_query::Operator op) {
  switch (op) {
    case pb_query::EQUALS:
      return CompareOp::kEq;
    case pb_query::NOT_EQUALS:
      return CompareOp::kNe;
    case pb_query::LESS_THAN:
      return CompareOp::kLt;
    case pb_query::LESS_THAN_OR_EQUAL:
      return CompareOp::kLe;
    case pb_query::GREATER_THAN:
      return CompareOp::kGt;
    case pb_query::GREATER_THAN_OR_EQUAL:
      return CompareOp::kGe;
    case pb_query::LIKE:
      return CompareOp::kLike;
    case pb_query::NOT_LIKE:
      return CompareOp::kNotLike;
    case pb_query::ILIKE:
      return CompareOp::kILike;
    case pb_query::NOT_ILIKE:
      return CompareOp::kNotILike;
    default:  // arithmetic and boolean operators are not comparisons
      return std::nullopt;
  }
}

// Quals are AND-ed. A qual this server cannot express is left out, and the request is marked incomplete
// so that no limit is applied: the client rechecks every qual, so returning more rows is always safe.
void AddQuals(const google::protobuf::RepeatedPtrField<pb_query::Qual>& quals, ScanRequest& out) {
  for (const auto& qual : quals) {
    ScanCondition condition;
    condition.column = qual.name();
    std::optional<CompareOp> op;
    switch (qual.qual_case()) {
      case pb_query::Qual::kSimpleQual:
        op = ToCompareOp(qual.simple_qual().operator_());
        condition.values.push_back(FromDasValue(qual.simple_qual().value()));
        break;
      case pb_query::Qual::kIsAnyQual:
        op = ToCompareOp(qual.is_any_qual().operator_());
        condition.quantifier = Quantifier::kAny;
        for (const auto& v : qual.is_any_qual().values()) condition.values.push_back(FromDasValue(v));
        break;
      case pb_query::Qual::kIsAllQual:
        // multicorn-das sends every IN list as is_all_qual; kAll is applied as ANY (a superset).
        op = ToCompareOp(qual.is_all_qual().operator_());
        condition.quantifier = Quantifier::kAll;
        for (const auto& v : qual.is_all_qual().values()) condition.values.push_back(FromDasValue(v));
        break;
      case pb_query::Qual::QUAL_NOT_SET:
        break;
    }
    if (!op) {
      out.conditions_complete = false;
      continue;
    }
    condition.op = *op;
    out.conditions.push_back(std::move(condition));
  }
}

ScanSortKey ToSortKey(const pb_query::SortKey& key) {
  return ScanSortKey{key.name(), key.is_reversed(), key.nulls_first(), key.collate()};
}

ScanRequest ToScanRequest(const pb_query::Query& query) {
  ScanRequest out;
  out.columns.assign(query.columns().begin(), query.columns().end());
  AddQuals(query.quals(), out);
  for (const auto& key : query.sort_keys()) out.sort.push_back(ToSortKey(key));
  if (query.has_limit()) out.limit = query.limit();
  return out;
}

void ToDasRow(const TypedRows& rows, size_t index, pb_tables::Row* out) {
  for (size_t col = 0; col < rows.columns.size(); ++col) {
    auto* column = out->add_columns();
    column->set_name(rows.columns[col]);
    ToDasValue(rows.rows[index][col], column->mutable_data());
  }
}

// A DAS row as a typed row of `table`: values converted with the column types as hints. Columns the table
// does not have are an error (a client sends only the foreign table's columns).
TableService::TypedRow FromDasRow(const pb_tables::Row& row, const DasTable& table) {
  TableService::TypedRow out;
  for (const auto& column : row.columns()) {
    const TypedColumn* typed = table.table.Find(column.name());
    if (!typed) {
      throw InvalidArgument("column_not_found",
                            "column '" + column.name() + "' does not exist in table '" + table.name + "'");
    }
    out.emplace_back(typed->name, FromDasValue(column.data(), &typed->type));
  }
  return out;
}

duckdb::Value KeyValue(const pb_types::Value& value, const DasTable& table, const std::string& unique) {
  const TypedColumn* column = table.table.Find(unique);
  return FromDasValue(value, column ? &column->type : nullptr);
}

}  // namespace

grpc::Status TablesService::GetTableDefinitions(grpc::ServerContext* context,
                                                const pb::GetTableDefinitionsRequest* request,
                                                pb::GetTableDefinitionsResponse* response) {
  return Serve([&] {
    auto scope =
        AuthorizedScope(registry_, "TablesService/GetTableDefinitions", request->das_id().id(), *context);
    for (const auto& table : das_.ListTables(scope)) {
      auto* definition = response->add_definitions();
      definition->mutable_table_id()->set_name(table.name);
      definition->set_description(table.description);
      // A scan costs a query's start-up on the server; per-row costs come from the estimates.
      definition->set_startup_cost(1000);
      for (const auto& column : table.table.columns) {
        auto* out = definition->add_columns();
        out->set_name(column.name);
        out->set_description(column.type.ToString());
        ToDasType(column.type, column.nullable, out->mutable_type());
      }
    }
  });
}

grpc::Status TablesService::GetTableSortOrders(grpc::ServerContext* context,
                                               const pb::GetTableSortOrdersRequest* request,
                                               pb::GetTableSortOrdersResponse* response) {
  return Serve([&] {
    auto scope =
        AuthorizedScope(registry_, "TablesService/GetTableSortOrders", request->das_id().id(), *context);
    std::vector<ScanSortKey> keys;
    for (const auto& key : request->sort_keys()) keys.push_back(ToSortKey(key));
    size_t accepted = das_.SortOrders(scope, request->table_id().name(), keys).size();
    for (size_t i = 0; i < accepted; ++i)
      *response->add_sort_keys() = request->sort_keys(static_cast<int>(i));
  });
}

grpc::Status TablesService::GetTablePathKeys(grpc::ServerContext* context,
                                             const pb::GetTablePathKeysRequest* request,
                                             pb::GetTablePathKeysResponse* response) {
  return Serve([&] {
    auto scope =
        AuthorizedScope(registry_, "TablesService/GetTablePathKeys", request->das_id().id(), *context);
    for (const auto& key : das_.PathKeys(scope, request->table_id().name())) {
      auto* out = response->add_path_keys();
      for (const auto& column : key.columns) out->add_key_columns(column);
      out->set_expected_rows(key.expected_rows);
    }
  });
}

grpc::Status TablesService::GetTableEstimate(grpc::ServerContext* context,
                                             const pb::GetTableEstimateRequest* request,
                                             pb::GetTableEstimateResponse* response) {
  return Serve([&] {
    auto scope =
        AuthorizedScope(registry_, "TablesService/GetTableEstimate", request->das_id().id(), *context);
    ScanRequest scan;
    scan.columns.assign(request->columns().begin(), request->columns().end());
    AddQuals(request->quals(), scan);
    auto estimate = das_.Estimate(scope, request->table_id().name(), scan);
    response->set_rows(estimate.rows);
    response->set_bytes(estimate.row_width_bytes);
  });
}

grpc::Status TablesService::ExplainTable(grpc::ServerContext* context, const pb::ExplainTableRequest* request,
                                         pb::ExplainTableResponse* response) {
  return Serve([&] {
    auto scope = AuthorizedScope(registry_, "TablesService/ExplainTable", request->das_id().id(), *context);
    for (auto& line : das_.Explain(scope, request->table_id().name(), ToScanRequest(request->query()))) {
      response->add_stmts(std::move(line));
    }
  });
}

grpc::Status TablesService::ExecuteTable(grpc::ServerContext* context, const pb::ExecuteTableRequest* request,
                                         grpc::ServerWriter<pb_tables::Rows>* writer) {
  return Serve([&] {
    auto scope = AuthorizedScope(registry_, "TablesService/ExecuteTable", request->das_id().id(), *context);
    size_t limit = settings_.max_batch_bytes;
    if (request->has_max_batch_size_bytes() && request->max_batch_size_bytes() > 0) {
      limit = std::min<size_t>(limit, static_cast<size_t>(request->max_batch_size_bytes()) / 4 * 3);
    }
    limit = std::max<size_t>(limit, 1);
    ScanCancellation cancellation;
    RowStreamer streamer(*context, *writer, limit, std::chrono::milliseconds(settings_.batch_latency_ms),
                         cancellation);
    try {
      das_.Execute(
          scope, request->table_id().name(), ToScanRequest(request->query()),
          [&](const std::vector<std::string>& columns, duckdb::DataChunk& chunk) {
            return streamer.Append(columns, chunk);
          },
          &cancellation);
    } catch (const Error& e) {
      // Interrupted by the client's cancellation: reported below like a cancellation between chunks.
      if (e.kind() != ErrorKind::kCancelled || !cancellation.cancelled()) throw;
    }
    if (!streamer.Finish()) {
      spdlog::info("DAS client cancelled the scan of '{}' after {} rows", request->table_id().name(),
                   streamer.rows());
      throw Error(ErrorKind::kCancelled, "cancelled", "the client cancelled the scan");
    }
  });
}

grpc::Status TablesService::GetTableUniqueColumn(grpc::ServerContext* context,
                                                 const pb::GetTableUniqueColumnRequest* request,
                                                 pb::GetTableUniqueColumnResponse* response) {
  return Serve([&] {
    auto scope =
        AuthorizedScope(registry_, "TablesService/GetTableUniqueColumn", request->das_id().id(), *context);
    response->set_column(das_.UniqueColumn(scope, request->table_id().name()));
  });
}

grpc::Status TablesService::InsertTable(grpc::ServerContext* context, const pb::InsertTableRequest* request,
                                        pb::InsertTableResponse* response) {
  return Serve([&] {
    auto scope = AuthorizedScope(registry_, "TablesService/InsertTable", request->das_id().id(), *context);
    auto table = das_.GetTable(scope, request->table_id().name());
    auto stored = das_.Insert(scope, table.name, {FromDasRow(request->row(), table)});
    if (!stored.rows.empty()) ToDasRow(stored, 0, response->mutable_row());
  });
}

grpc::Status TablesService::GetBulkInsertTableSize(grpc::ServerContext* context,
                                                   const pb::GetBulkInsertTableSizeRequest* request,
                                                   pb::GetBulkInsertTableSizeResponse* response) {
  return Serve([&] {
    auto scope =
        AuthorizedScope(registry_, "TablesService/GetBulkInsertTableSize", request->das_id().id(), *context);
    das_.GetTable(scope, request->table_id().name());
    response->set_size(settings_.bulk_insert_size);
  });
}

grpc::Status TablesService::BulkInsertTable(grpc::ServerContext* context,
                                            const pb::BulkInsertTableRequest* request,
                                            pb::BulkInsertTableResponse* response) {
  return Serve([&] {
    auto scope =
        AuthorizedScope(registry_, "TablesService/BulkInsertTable", request->das_id().id(), *context);
    auto table = das_.GetTable(scope, request->table_id().name());
    std::vector<TableService::TypedRow> rows;
    for (const auto& row : request->rows()) rows.push_back(FromDasRow(row, table));
    auto stored = das_.Insert(scope, table.name, rows);
    // The client accepts exactly as many rows as it sent (or none).
    if (stored.rows.size() == rows.size()) {
      for (size_t i = 0; i < stored.rows.size(); ++i) ToDasRow(stored, i, response->add_rows());
    }
  });
}

grpc::Status TablesService::UpdateTable(grpc::ServerContext* context, const pb::UpdateTableRequest* request,
                                        pb::UpdateTableResponse* response) {
  return Serve([&] {
    auto scope = AuthorizedScope(registry_, "TablesService/UpdateTable", request->das_id().id(), *context);
    auto table = das_.GetTable(scope, request->table_id().name());
    auto key = KeyValue(request->row_id(), table, das_.UniqueColumn(scope, table.name));
    if (key.IsNull()) throw InvalidArgument("invalid_row_id", "row_id must not be null");
    auto stored = das_.Update(scope, table.name, key, FromDasRow(request->new_row(), table));
    if (!stored.rows.empty()) ToDasRow(stored, 0, response->mutable_row());
  });
}

grpc::Status TablesService::DeleteTable(grpc::ServerContext* context, const pb::DeleteTableRequest* request,
                                        pb::DeleteTableResponse*) {
  return Serve([&] {
    auto scope = AuthorizedScope(registry_, "TablesService/DeleteTable", request->das_id().id(), *context);
    auto table = das_.GetTable(scope, request->table_id().name());
    auto key = KeyValue(request->row_id(), table, das_.UniqueColumn(scope, table.name));
    if (key.IsNull()) throw InvalidArgument("invalid_row_id", "row_id must not be null");
    das_.Delete(scope, table.name, key);
  });
}

}  // namespace duckstore::das
