#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <google/protobuf/arena.h>
#include <spdlog/spdlog.h>

#include "duckstore/api/das/codec.hpp"
#include "duckstore/api/das/services.hpp"
#include "duckstore/api/das/status.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/scope_exit.hpp"

namespace duckstore::das {
namespace {

namespace pb_query = com::rawlabs::protocol::das::v1::query;

// Rows a batch starts with before their average size is known.
constexpr size_t kFirstSlice = 64;

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

grpc::Status TablesService::GetTableDefinitions(grpc::ServerContext*,
                                                const pb::GetTableDefinitionsRequest* request,
                                                pb::GetTableDefinitionsResponse* response) {
  return Serve([&] {
    auto scope = registry_.Resolve(request->das_id().id());
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

grpc::Status TablesService::GetTableSortOrders(grpc::ServerContext*,
                                               const pb::GetTableSortOrdersRequest* request,
                                               pb::GetTableSortOrdersResponse* response) {
  return Serve([&] {
    auto scope = registry_.Resolve(request->das_id().id());
    std::vector<ScanSortKey> keys;
    for (const auto& key : request->sort_keys()) keys.push_back(ToSortKey(key));
    size_t accepted = das_.SortOrders(scope, request->table_id().name(), keys).size();
    for (size_t i = 0; i < accepted; ++i)
      *response->add_sort_keys() = request->sort_keys(static_cast<int>(i));
  });
}

grpc::Status TablesService::GetTablePathKeys(grpc::ServerContext*, const pb::GetTablePathKeysRequest* request,
                                             pb::GetTablePathKeysResponse* response) {
  return Serve([&] {
    auto scope = registry_.Resolve(request->das_id().id());
    for (const auto& key : das_.PathKeys(scope, request->table_id().name())) {
      auto* out = response->add_path_keys();
      for (const auto& column : key.columns) out->add_key_columns(column);
      out->set_expected_rows(key.expected_rows);
    }
  });
}

grpc::Status TablesService::GetTableEstimate(grpc::ServerContext*, const pb::GetTableEstimateRequest* request,
                                             pb::GetTableEstimateResponse* response) {
  return Serve([&] {
    auto scope = registry_.Resolve(request->das_id().id());
    ScanRequest scan;
    scan.columns.assign(request->columns().begin(), request->columns().end());
    AddQuals(request->quals(), scan);
    auto estimate = das_.Estimate(scope, request->table_id().name(), scan);
    response->set_rows(estimate.rows);
    response->set_bytes(estimate.row_width_bytes);
  });
}

grpc::Status TablesService::ExplainTable(grpc::ServerContext*, const pb::ExplainTableRequest* request,
                                         pb::ExplainTableResponse* response) {
  return Serve([&] {
    auto scope = registry_.Resolve(request->das_id().id());
    for (auto& line : das_.Explain(scope, request->table_id().name(), ToScanRequest(request->query()))) {
      response->add_stmts(std::move(line));
    }
  });
}

// Rows are sent in batches of at most `limit` serialized bytes; a timer thread sends rows that waited
// `batch_latency_ms` (slow, selective scans still stream) and watches for the client's cancellation,
// which interrupts the query at once. Writes are serialized by `mutex`.
grpc::Status TablesService::ExecuteTable(grpc::ServerContext* context, const pb::ExecuteTableRequest* request,
                                         grpc::ServerWriter<pb_tables::Rows>* writer) {
  return Serve([&] {
    auto scope = registry_.Resolve(request->das_id().id());
    size_t limit = settings_.max_batch_bytes;
    if (request->has_max_batch_size_bytes() && request->max_batch_size_bytes() > 0) {
      limit = std::min<size_t>(limit, request->max_batch_size_bytes() / 4 * 3);
    }
    limit = std::max<size_t>(limit, 1);
    const auto latency = std::chrono::milliseconds(settings_.batch_latency_ms);

    std::mutex mutex;
    std::condition_variable wake;
    // A batch lives in an arena that is reset once the batch is sent: building millions of small messages
    // (rows, their cells, the cells' values) then costs pointer bumps, not allocations.
    google::protobuf::Arena arena;
    auto* batch = google::protobuf::Arena::Create<pb_tables::Rows>(&arena);
    size_t batch_bytes = 0;
    auto oldest = std::chrono::steady_clock::now();
    bool done = false, client_gone = false;
    ScanCancellation cancellation;

    auto flush_locked = [&] {
      if (batch->rows_size() == 0 || client_gone) return;
      if (!writer->Write(*batch)) {
        client_gone = true;
        cancellation.Cancel();
      }
      arena.Reset();
      batch = google::protobuf::Arena::Create<pb_tables::Rows>(&arena);
      batch_bytes = 0;
    };
    std::thread timer([&] {
      std::unique_lock lock(mutex);
      while (!done) {
        wake.wait_for(lock, std::min(latency, std::chrono::milliseconds(50)));
        if (context->IsCancelled()) {
          client_gone = true;
          cancellation.Cancel();
        }
        if (batch->rows_size() > 0 && std::chrono::steady_clock::now() - oldest >= latency) flush_locked();
      }
    });
    ScopeExit stop_timer([&] {
      {
        std::lock_guard lock(mutex);
        done = true;
      }
      wake.notify_all();
      timer.join();
    });

    double average_row = 0;
    size_t rows_seen = 0;
    auto scan = [&] {
      das_.Execute(
          scope, request->table_id().name(), ToScanRequest(request->query()),
          [&](const std::vector<std::string>& columns, duckdb::DataChunk& chunk) {
            size_t begin = 0;
            while (begin < chunk.size()) {
              std::lock_guard lock(mutex);
              if (client_gone) return false;
              // As many rows as should fit the room left, judged by the rows seen so far.
              size_t room = limit > batch_bytes ? limit - batch_bytes : 0;
              size_t slice = rows_seen == 0 ? kFirstSlice
                                            : std::max<size_t>(
                                                  1, static_cast<size_t>(room / std::max(average_row, 1.0)));
              size_t end = std::min(chunk.size(), begin + slice);
              if (batch->rows_size() == 0) oldest = std::chrono::steady_clock::now();
              size_t added = AppendRows(columns, chunk, begin, end, batch);
              batch_bytes += added;
              rows_seen += end - begin;
              average_row += (static_cast<double>(added) / static_cast<double>(end - begin) - average_row) *
                             std::min(1.0, static_cast<double>(end - begin) / static_cast<double>(rows_seen));
              if (batch_bytes >= limit) flush_locked();
              begin = end;
            }
            return true;
          },
          &cancellation);
    };
    try {
      scan();
    } catch (const Error& e) {
      // Interrupted by the client's cancellation: reported below like a cancellation between chunks.
      if (e.kind() != ErrorKind::kCancelled || !cancellation.cancelled()) throw;
    }
    std::lock_guard lock(mutex);
    flush_locked();
    if (client_gone) {
      spdlog::info("DAS client cancelled the scan of '{}' after {} rows", request->table_id().name(),
                   rows_seen);
      throw Error(ErrorKind::kCancelled, "cancelled", "the client cancelled the scan");
    }
  });
}

grpc::Status TablesService::GetTableUniqueColumn(grpc::ServerContext*,
                                                 const pb::GetTableUniqueColumnRequest* request,
                                                 pb::GetTableUniqueColumnResponse* response) {
  return Serve([&] {
    auto scope = registry_.Resolve(request->das_id().id());
    response->set_column(das_.UniqueColumn(scope, request->table_id().name()));
  });
}

grpc::Status TablesService::InsertTable(grpc::ServerContext*, const pb::InsertTableRequest* request,
                                        pb::InsertTableResponse* response) {
  return Serve([&] {
    auto scope = registry_.Resolve(request->das_id().id());
    auto table = das_.GetTable(scope, request->table_id().name());
    auto stored = das_.Insert(scope, table.name, {FromDasRow(request->row(), table)});
    if (!stored.rows.empty()) ToDasRow(stored, 0, response->mutable_row());
  });
}

grpc::Status TablesService::GetBulkInsertTableSize(grpc::ServerContext*,
                                                   const pb::GetBulkInsertTableSizeRequest* request,
                                                   pb::GetBulkInsertTableSizeResponse* response) {
  return Serve([&] {
    auto scope = registry_.Resolve(request->das_id().id());
    das_.GetTable(scope, request->table_id().name());
    response->set_size(settings_.bulk_insert_size);
  });
}

grpc::Status TablesService::BulkInsertTable(grpc::ServerContext*, const pb::BulkInsertTableRequest* request,
                                            pb::BulkInsertTableResponse* response) {
  return Serve([&] {
    auto scope = registry_.Resolve(request->das_id().id());
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

grpc::Status TablesService::UpdateTable(grpc::ServerContext*, const pb::UpdateTableRequest* request,
                                        pb::UpdateTableResponse* response) {
  return Serve([&] {
    auto scope = registry_.Resolve(request->das_id().id());
    auto table = das_.GetTable(scope, request->table_id().name());
    auto key = KeyValue(request->row_id(), table, das_.UniqueColumn(scope, table.name));
    if (key.IsNull()) throw InvalidArgument("invalid_row_id", "row_id must not be null");
    auto stored = das_.Update(scope, table.name, key, FromDasRow(request->new_row(), table));
    if (!stored.rows.empty()) ToDasRow(stored, 0, response->mutable_row());
  });
}

grpc::Status TablesService::DeleteTable(grpc::ServerContext*, const pb::DeleteTableRequest* request,
                                        pb::DeleteTableResponse*) {
  return Serve([&] {
    auto scope = registry_.Resolve(request->das_id().id());
    auto table = das_.GetTable(scope, request->table_id().name());
    auto key = KeyValue(request->row_id(), table, das_.UniqueColumn(scope, table.name));
    if (key.IsNull()) throw InvalidArgument("invalid_row_id", "row_id must not be null");
    das_.Delete(scope, table.name, key);
  });
}

}  // namespace duckstore::das
