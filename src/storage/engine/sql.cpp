#include "duckstore/storage/engine/sql.hpp"

#include <cmath>

#include "duckdb/common/types/blob.hpp"

#include "duckstore/common/disk_full.hpp"
#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"

namespace duckstore {

void ThrowSqlError(const duckdb::ErrorData& error) {
  using duckdb::ExceptionType;
  const std::string& message = error.RawMessage();
  // DuckDB reports a full disk as an IO error quoting strerror (or, once its WAL could not be written, as
  // a FATAL error with the same text).
  if (MentionsDiskFull(message)) throw DiskFull(message);
  switch (error.Type()) {
    case ExceptionType::CONVERSION:
    case ExceptionType::OUT_OF_RANGE:
    case ExceptionType::INVALID_INPUT:
      throw Error(ErrorKind::kUnprocessable, "invalid_data", message);
    case ExceptionType::CONSTRAINT:
      throw Conflict("constraint_violation", message);
    case ExceptionType::TRANSACTION:
      throw Conflict("write_conflict", message + " (a concurrent write touched the same data; retry)");
    case ExceptionType::CATALOG: {
      // Catalog errors are misses, except for creating an entry that exists (e.g. a create that lost a race).
      auto subtype = error.ExtraInfo().find("error_subtype");
      if (subtype != error.ExtraInfo().end() && subtype->second == "ENTRY_ALREADY_EXISTS") {
        throw Conflict("object_exists", message);
      }
      throw NotFound("object_not_found", message);
    }
    case ExceptionType::PARSER:
    case ExceptionType::BINDER:
    case ExceptionType::SYNTAX:
    case ExceptionType::NOT_IMPLEMENTED:
      throw InvalidArgument("invalid_query", message);
    case ExceptionType::PERMISSION:
      throw PermissionDenied(message);
    case ExceptionType::OUT_OF_MEMORY:
      throw Error(ErrorKind::kUnavailable, "out_of_memory", message);
    case ExceptionType::INTERRUPT:
      throw Error(ErrorKind::kCancelled, "cancelled", message);
    default:
      throw Internal(message);
  }
}

duckdb::unique_ptr<duckdb::MaterializedQueryResult> RunSql(duckdb::Connection& conn, const std::string& sql,
                                                           const SqlParams& params) {
  duckdb::unique_ptr<duckdb::MaterializedQueryResult> result;
  if (params.empty()) {
    result = conn.Query(sql);
  } else {
    auto prepared = conn.Prepare(sql);
    if (prepared->HasError()) ThrowSqlError(prepared->GetErrorObject());
    auto params_copy = params;
    auto pending = prepared->Execute(params_copy, /*allow_stream_result=*/false);
    if (pending->HasError()) ThrowSqlError(pending->GetErrorObject());
    result =
        duckdb::unique_ptr_cast<duckdb::QueryResult, duckdb::MaterializedQueryResult>(std::move(pending));
  }
  if (result->HasError()) ThrowSqlError(result->GetErrorObject());
  return result;
}

void RunDdl(duckdb::Connection& conn, const std::string& sql) {
  RunSql(conn, sql);
}

int64_t StreamRows(duckdb::Connection& source, const std::string& query, const SqlParams& params,
                   duckdb::Connection& target, const std::string& catalog, const std::string& schema,
                   const std::string& table, bool replace) {
  auto prepared = source.Prepare(query);
  if (prepared->HasError()) ThrowSqlError(prepared->error);
  SqlParams values = params;
  auto result = prepared->Execute(values, /*allow_stream_result=*/true);
  if (result->HasError()) ThrowSqlError(result->GetErrorObject());
  std::string columns;
  for (size_t i = 0; i < result->names.size(); ++i) {
    columns += (i ? ", " : "") + QuoteIdent(result->names[i]) + " " + result->types[i].ToString();
  }
  int64_t rows = 0;
  InSqlTransaction(target, [&] {
    const char* kind = catalog == "temp" ? "TEMP TABLE " : "TABLE ";
    RunDdl(target, std::string(replace ? "CREATE OR REPLACE " : "CREATE ") + kind +
                       (replace ? "" : "IF NOT EXISTS ") + QuoteIdent(catalog) + "." + QuoteIdent(schema) +
                       "." + QuoteIdent(table) + " (" + columns + ")");
    duckdb::Appender appender(target, catalog, schema, table);
    while (auto chunk = result->Fetch()) {
      if (chunk->size() == 0) break;
      rows += static_cast<int64_t>(chunk->size());
      appender.AppendDataChunk(*chunk);
    }
    if (result->HasError()) ThrowSqlError(result->GetErrorObject());
    appender.Close();
  });
  return rows;
}

void InSqlTransaction(duckdb::Connection& conn, const std::function<void()>& body) {
  RunDdl(conn, "BEGIN TRANSACTION");
  try {
    body();
    RunDdl(conn, "COMMIT");
  } catch (...) {
    if (conn.HasActiveTransaction()) conn.Query("ROLLBACK");
    throw;
  }
}

nlohmann::json ValueToJson(const duckdb::Value& value) {
  using duckdb::LogicalTypeId;
  if (value.IsNull()) return nullptr;
  const auto& type = value.type();
  switch (type.id()) {
    case LogicalTypeId::BOOLEAN:
      return value.GetValue<bool>();
    case LogicalTypeId::TINYINT:
    case LogicalTypeId::SMALLINT:
    case LogicalTypeId::INTEGER:
    case LogicalTypeId::BIGINT:
      return value.GetValue<int64_t>();
    case LogicalTypeId::UTINYINT:
    case LogicalTypeId::USMALLINT:
    case LogicalTypeId::UINTEGER:
    case LogicalTypeId::UBIGINT:
      return value.GetValue<uint64_t>();
    case LogicalTypeId::FLOAT:
    case LogicalTypeId::DOUBLE: {
      double d = value.GetValue<double>();
      if (std::isfinite(d)) return d;
      return value.ToString();  // NaN and infinities have no JSON number form
    }
    case LogicalTypeId::BLOB:
      return duckdb::Blob::ToBase64(duckdb::string_t(duckdb::StringValue::Get(value)));
    case LogicalTypeId::LIST:
    case LogicalTypeId::ARRAY: {
      nlohmann::json out = nlohmann::json::array();
      const auto& children = type.id() == LogicalTypeId::LIST ? duckdb::ListValue::GetChildren(value)
                                                              : duckdb::ArrayValue::GetChildren(value);
      for (const auto& child : children) out.push_back(ValueToJson(child));
      return out;
    }
    case LogicalTypeId::STRUCT: {
      nlohmann::json out = nlohmann::json::object();
      const auto& children = duckdb::StructValue::GetChildren(value);
      for (size_t i = 0; i < children.size(); ++i) {
        out[duckdb::StructType::GetChildName(type, i)] = ValueToJson(children[i]);
      }
      return out;
    }
    case LogicalTypeId::MAP: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& entry : duckdb::ListValue::GetChildren(value)) {
        const auto& kv = duckdb::StructValue::GetChildren(entry);
        out.push_back({{"key", ValueToJson(kv[0])}, {"value", ValueToJson(kv[1])}});
      }
      return out;
    }
    case LogicalTypeId::TIMESTAMP:
    case LogicalTypeId::TIMESTAMP_MS:
    case LogicalTypeId::TIMESTAMP_NS:
    case LogicalTypeId::TIMESTAMP_SEC: {
      auto text = value.DefaultCastAs(duckdb::LogicalType::VARCHAR).ToString();
      if (auto space = text.find(' '); space != std::string::npos) text[space] = 'T';
      return text;
    }
    default:
      return value.ToString();
  }
}

}  // namespace duckstore
