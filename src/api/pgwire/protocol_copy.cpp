// COPY's sub-protocols of Protocol (protocol.hpp): the data of COPY TO STDOUT and FROM STDIN.
#include "duckstore/api/pgwire/copy_format.hpp"
#include "duckstore/api/pgwire/parameter_decoding.hpp"
#include "duckstore/api/pgwire/protocol.hpp"
#include "duckstore/api/pgwire/value_encoding.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::pgwire {
namespace {

Error BadCopyData(const std::string& message, uint64_t line) {
  return Error(ErrorKind::kInvalidArgument, "bad_copy_file_format",
               message + " (COPY from stdin, line " + std::to_string(line) + ")");
}

}  // namespace

void Protocol::CopyOut(Portal& portal) {
  const auto& info = portal.statement->info();
  const SqlCopy& format = *info.copy;
  auto rows = portal.statement->Run(portal.parameters);
  auto& out = wire_.out();
  out.CopyOutResponse(0, std::vector<int16_t>(info.column_types.size(), 0));
  std::string line;
  CopyRow fields;
  if (format.header) {
    fields.assign(info.column_names.begin(), info.column_names.end());
    AppendCopyLine(format, fields, line);
    out.CopyData(line);
  }
  uint64_t count = 0;
  fields.assign(info.column_types.size(), std::nullopt);
  while (auto chunk = rows->Next()) {
    for (duckdb::idx_t row = 0; row < chunk->size(); ++row) {
      for (duckdb::idx_t col = 0; col < chunk->ColumnCount(); ++col) {
        auto value = chunk->GetValue(col, row);
        if (value.IsNull()) {
          fields[col].reset();
          continue;
        }
        field_.clear();
        EncodeValue(value, 0, field_);
        fields[col] = field_;
      }
      line.clear();
      AppendCopyLine(format, fields, line);
      out.CopyData(line);
      wire_.FlushIfLarge();
      ++count;
    }
  }
  out.CopyDone();
  out.CommandComplete("COPY " + std::to_string(count));
}

void Protocol::CopyIn(Portal& portal) {
  const auto& info = portal.statement->info();
  auto copy = portal.statement->CopyIn();
  wire_.out().CopyInResponse(0, std::vector<int16_t>(info.column_types.size(), 0));
  wire_.Flush();
  CopyParser parser(*info.copy);
  duckdb::vector<duckdb::Value> values;
  uint64_t line = 0;
  auto on_row = [&](const CopyRow& fields) {
    ++line;
    if (fields.size() < info.column_types.size()) {
      throw BadCopyData("missing data for column \"" + info.column_names[fields.size()] + "\"", line);
    }
    if (fields.size() > info.column_types.size())
      throw BadCopyData("extra data after last expected column", line);
    values.clear();
    for (size_t i = 0; i < fields.size(); ++i) {
      const auto& type = info.column_types[i];
      values.push_back(fields[i] ? DecodeParameter(*fields[i], 0, 0, type) : duckdb::Value(type));
    }
    copy->Row(values);
  };
  while (true) {
    auto frame = wire_.Read(false);
    if (!frame) throw ProtocolError("the connection closed during COPY from stdin");
    auto message = ParseMessage(*frame);
    if (auto* data = std::get_if<CopyData>(&message)) {
      parser.Feed(data->data, on_row);
    } else if (std::holds_alternative<CopyDone>(message)) {
      parser.Finish(on_row);
      wire_.out().CommandComplete(copy->Finish());
      return;
    } else if (auto* fail = std::get_if<CopyFail>(&message)) {
      copy->Abandon();
      throw Error(ErrorKind::kCancelled, "query_canceled", "COPY from stdin failed: " + fail->message);
    } else if (std::holds_alternative<Terminate>(message)) {
      throw ProtocolError("the client ended the session during COPY from stdin");
    } else if (!std::holds_alternative<Flush>(message) && !std::holds_alternative<Sync>(message)) {
      // Flush and Sync are ignored during COPY, as PostgreSQL does; anything else ends it.
      throw Error(ErrorKind::kInvalidArgument, "protocol_violation",
                  "unexpected message during COPY from stdin");
    }
  }
}

}  // namespace duckstore::pgwire
