#include "duckstore/api/pgwire/protocol.hpp"

#include <algorithm>

#include "duckstore/api/pgwire/access.hpp"
#include "duckstore/api/pgwire/errors.hpp"
#include "duckstore/api/pgwire/parameter_decoding.hpp"
#include "duckstore/api/pgwire/types.hpp"
#include "duckstore/api/pgwire/value_encoding.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore::pgwire {
namespace {

Error SqlError(const char* code, const std::string& message) {
  return Error(ErrorKind::kInvalidArgument, code, message);
}

std::vector<int16_t> TextFormats(const SqlStatementInfo& info) {
  return std::vector<int16_t>(info.column_types.size(), 0);
}

}  // namespace

void Protocol::Run() {
  ReadyForQuery();
  while (true) {
    auto frame = wire_.Read(false);
    if (!frame) return;
    session_.CheckNotEnded();  // ended from outside: the messages already buffered are not run
    auto message = ParseMessage(*frame);
    if (std::holds_alternative<Terminate>(message)) return;
    Dispatch(message);
  }
}

void Protocol::Dispatch(Message& message) {
  if (auto* query = std::get_if<Query>(&message)) {
    skip_until_sync_ = false;
    SimpleQuery(query->sql);
    return;
  }
  if (std::holds_alternative<Sync>(message)) {
    skip_until_sync_ = false;
    ReadyForQuery();
    return;
  }
  if (std::holds_alternative<Flush>(message)) {
    wire_.Flush();
    return;
  }
  if (std::holds_alternative<AuthenticationData>(message))
    throw ProtocolError("unexpected password message after authentication");
  // COPY messages outside a COPY are ignored (a client may still be sending after a failed COPY).
  if (std::holds_alternative<CopyData>(message) || std::holds_alternative<CopyDone>(message) ||
      std::holds_alternative<CopyFail>(message) || skip_until_sync_) {
    return;
  }
  try {
    if (auto* parse = std::get_if<Parse>(&message)) {
      OnParse(*parse);
    } else if (auto* bind = std::get_if<Bind>(&message)) {
      OnBind(*bind);
    } else if (auto* describe = std::get_if<Describe>(&message)) {
      OnDescribe(*describe);
    } else if (auto* execute = std::get_if<Execute>(&message)) {
      OnExecute(*execute);
    } else if (auto* close = std::get_if<Close>(&message)) {
      OnClose(*close);
    } else if (PgEntryOf(message).target == TargetFrom::kNone) {  // declared refused (FunctionCall)
      throw Error(ErrorKind::kUnimplemented, "feature_not_supported",
                  "the fast-path function call interface is not supported");
    }
  } catch (const ProtocolError&) {
    throw;
  } catch (const SqlSessionEnded&) {
    throw;
  } catch (const std::exception& e) {
    SendError(e);
    skip_until_sync_ = true;
  }
}

void Protocol::ReadyForQuery() {
  // Like PostgreSQL, changed reported parameters go out just before ReadyForQuery.
  for (const auto& [name, value] : session_.ChangedParameters()) wire_.out().ParameterStatus(name, value);
  wire_.out().ReadyForQuery(session_.Ready());
  wire_.Flush();
}

void Protocol::SendError(const std::exception& error) {
  wire_.out().ErrorResponse(NoticeOf(error));
}

void Protocol::SendRowDescription(const std::vector<std::string>& names,
                                  const std::vector<duckdb::LogicalType>& types,
                                  const std::vector<int16_t>& formats) {
  std::vector<FieldDescription> fields;
  fields.reserve(types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    auto type = PgTypeOf(types[i]);
    fields.push_back({names[i], 0, 0, type.oid, type.size, type.modifier, formats[i]});
  }
  wire_.out().RowDescription(fields);
}

void Protocol::SimpleQuery(const std::string& sql) {
  // A Query ends the unnamed statement and portal, as in PostgreSQL.
  statements_.erase("");
  portals_.erase("");
  try {
    auto texts = session_.Split(sql);
    if (texts.empty()) wire_.out().EmptyQueryResponse();
    for (const auto& text : texts) {
      Portal portal;
      portal.statement = session_.PrepareSimple(text);
      const auto& info = portal.statement->info();
      if (!info.empty && !info.copy) {
        // Described from the rows: a reused statement that DuckDB rebound may have other columns now.
        portal.rows = portal.statement->Run({});
        portal.types = portal.rows->Types();
        portal.formats.assign(portal.types.size(), 0);
        if (!portal.types.empty()) SendRowDescription(portal.rows->Names(), portal.types, portal.formats);
      }
      ExecutePortal(portal, 0);
    }
  } catch (const ProtocolError&) {
    throw;
  } catch (const SqlSessionEnded&) {
    throw;
  } catch (const std::exception& e) {
    SendError(e);
  }
  ReadyForQuery();
}

void Protocol::OnParse(Parse& parse) {
  if (!parse.statement.empty() && statements_.contains(parse.statement))
    throw SqlError("duplicate_prepared_statement",
                   "prepared statement \"" + parse.statement + "\" already exists");
  Prepared prepared{session_.Prepare(parse.sql), std::move(parse.parameter_types)};
  statements_[parse.statement] = std::move(prepared);
  wire_.out().ParseComplete();
}

void Protocol::OnBind(Bind& bind) {
  auto it = statements_.find(bind.statement);
  if (it == statements_.end())
    throw SqlError("invalid_sql_statement_name",
                   "prepared statement \"" + bind.statement + "\" does not exist");
  if (!bind.portal.empty() && portals_.contains(bind.portal))
    throw SqlError("duplicate_cursor", "portal \"" + bind.portal + "\" already exists");
  const auto& prepared = it->second;
  const auto& info = prepared.statement->info();
  if (bind.parameters.size() != info.parameter_types.size()) {
    throw ProtocolError("bind message supplies " + std::to_string(bind.parameters.size()) +
                        " parameters, but prepared statement \"" + bind.statement + "\" requires " +
                        std::to_string(info.parameter_types.size()));
  }
  Portal portal;
  portal.statement = prepared.statement;
  for (size_t i = 0; i < bind.parameters.size(); ++i) {
    const auto& type = info.parameter_types[i];
    if (!bind.parameters[i]) {
      portal.parameters.push_back(
          duckdb::Value(type.id() == duckdb::LogicalTypeId::UNKNOWN ? duckdb::LogicalType::SQLNULL : type));
      continue;
    }
    auto format = FormatOf(bind.parameter_formats, i, bind.parameters.size());
    uint32_t declared = i < prepared.parameter_types.size() ? prepared.parameter_types[i] : 0;
    portal.parameters.push_back(DecodeParameter(*bind.parameters[i], format, declared, type));
  }
  for (size_t i = 0; i < info.column_types.size(); ++i)
    portal.formats.push_back(FormatOf(bind.result_formats, i, info.column_types.size()));
  portal.types = info.column_types;
  bool inferred = std::any_of(portal.types.begin(), portal.types.end(), [](const duckdb::LogicalType& type) {
    return type.id() == duckdb::LogicalTypeId::UNKNOWN;
  });
  if (inferred) {
    // The types follow from the parameters' values: run now, so that Describe tells the real ones.
    portal.rows = portal.statement->Run(portal.parameters);
    auto types = portal.rows->Types();
    if (types.size() == portal.types.size()) portal.types = types;
  }
  portals_[bind.portal] = std::move(portal);
  wire_.out().BindComplete();
}

void Protocol::OnDescribe(const Describe& describe) {
  if (describe.kind == 'S') {
    auto it = statements_.find(describe.name);
    if (it == statements_.end())
      throw SqlError("invalid_sql_statement_name",
                     "prepared statement \"" + describe.name + "\" does not exist");
    const auto& info = it->second.statement->info();
    std::vector<uint32_t> types;
    for (size_t i = 0; i < info.parameter_types.size(); ++i) {
      uint32_t declared = i < it->second.parameter_types.size() ? it->second.parameter_types[i] : 0;
      types.push_back(declared ? declared : PgTypeOf(info.parameter_types[i]).oid);
    }
    wire_.out().ParameterDescription(types);
    if (info.column_types.empty() || info.copy) {
      wire_.out().NoData();
    } else {
      SendRowDescription(info.column_names, info.column_types, TextFormats(info));
    }
    return;
  }
  auto it = portals_.find(describe.name);
  if (it == portals_.end()) {
    // A cursor DECLAREd in SQL is also a portal of that name (psycopg 3 describes its server cursors so).
    auto cursor = session_.DescribeCursor(describe.name);
    if (!cursor) throw SqlError("invalid_cursor_name", "portal \"" + describe.name + "\" does not exist");
    SendRowDescription(cursor->first, cursor->second, std::vector<int16_t>(cursor->second.size(), 0));
    return;
  }
  const auto& info = it->second.statement->info();
  if (info.column_types.empty() || info.copy) {
    wire_.out().NoData();
  } else {
    SendRowDescription(info.column_names, it->second.types, it->second.formats);
  }
}

void Protocol::OnExecute(const Execute& execute) {
  auto it = portals_.find(execute.portal);
  if (it == portals_.end())
    throw SqlError("invalid_cursor_name", "portal \"" + execute.portal + "\" does not exist");
  try {
    ExecutePortal(it->second, execute.max_rows);
  } catch (...) {
    portals_.erase(it);  // a failed portal cannot be resumed
    throw;
  }
}

void Protocol::OnClose(const Close& close) {
  if (close.kind == 'S') {
    statements_.erase(close.name);
  } else {
    portals_.erase(close.name);
  }
  wire_.out().CloseComplete();
}

void Protocol::ExecutePortal(Portal& portal, int32_t max_rows) {
  const auto& info = portal.statement->info();
  if (info.empty) {
    wire_.out().EmptyQueryResponse();
    return;
  }
  if (info.copy) {
    info.copy->from_stdin ? CopyIn(portal) : CopyOut(portal);
    return;
  }
  if (!portal.rows && !portal.done) portal.rows = portal.statement->Run(portal.parameters);
  auto& out = wire_.out();
  uint64_t limit = max_rows > 0 ? static_cast<uint64_t>(max_rows) : UINT64_MAX;
  uint64_t sent_now = 0;
  auto columns = static_cast<int16_t>(portal.formats.size());
  while (portal.rows && !portal.done) {
    if (!portal.chunk || portal.next_row >= portal.chunk->size()) {
      portal.chunk = portal.rows->Next();
      portal.next_row = 0;
      if (!portal.chunk) break;
    }
    if (sent_now == limit) {
      portal.sent += sent_now;
      out.PortalSuspended();
      return;
    }
    auto& chunk = *portal.chunk;
    // The row description sent promised these columns; anything else is a service bug, not a crash.
    if (chunk.ColumnCount() != portal.formats.size())
      throw std::logic_error("a result of " + std::to_string(chunk.ColumnCount()) + " columns for " +
                             std::to_string(portal.formats.size()) + " described");
    for (; portal.next_row < chunk.size() && sent_now < limit; ++portal.next_row, ++sent_now) {
      out.BeginDataRow(columns);
      for (duckdb::idx_t col = 0; col < chunk.ColumnCount(); ++col) {
        auto value = chunk.GetValue(col, portal.next_row);
        if (value.IsNull()) {
          out.NullField();
          continue;
        }
        field_.clear();
        EncodeValue(value, portal.formats[col], field_);
        out.Field(field_);
      }
      out.End();
      wire_.FlushIfLarge();
    }
  }
  portal.sent += sent_now;
  if (!portal.done) {
    portal.done = true;
    out.CommandComplete(portal.rows ? portal.rows->Tag(portal.sent) : "SELECT 0");
    portal.rows.reset();
    portal.chunk.reset();
  } else {
    out.CommandComplete("SELECT 0");
  }
}

}  // namespace duckstore::pgwire
