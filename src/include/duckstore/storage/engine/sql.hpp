// Helpers every service uses to talk to a project database: run SQL with bound values, translate
// DuckDB's errors into duckstore errors, run transactions, and turn values into JSON.
#pragma once

#include <duckdb.hpp>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace duckstore {

using SqlParams = duckdb::vector<duckdb::Value>;

// Prepares and runs `sql` with `params` bound to $1..$n; returns the materialized result. DuckDB errors
// become duckstore::Error: conversion failures kUnprocessable, constraint/transaction conflicts kConflict,
// catalog misses kNotFound (creating an object that exists kConflict), parser/binder errors kInvalidArgument,
// memory kUnavailable, interrupts kCancelled.
duckdb::unique_ptr<duckdb::MaterializedQueryResult> RunSql(duckdb::Connection& conn, const std::string& sql,
                                                           const SqlParams& params = {});
// Runs statements without parameters (DDL); same error translation.
void RunDdl(duckdb::Connection& conn, const std::string& sql);
// Throws the duckstore::Error corresponding to a failed DuckDB result or error data.
[[noreturn]] void ThrowSqlError(const duckdb::ErrorData& error);

// Runs `body` inside BEGIN/COMMIT; rolls back and rethrows if it throws.
void InSqlTransaction(duckdb::Connection& conn, const std::function<void()>& body);

// Streams the rows of `query` (with `params`), run on `source` (typically another project's instance, which
// this one never attaches), into the table `catalog`.`schema`.`table` of `target`, chunk by chunk through an
// appender, in one transaction on `target`. The table is created from the query's column names and types:
// with `replace` it replaces an existing one, otherwise an existing one is appended to. Catalog "temp"
// makes a temporary table of `target`'s connection. Returns the rows.
int64_t StreamRows(duckdb::Connection& source, const std::string& query, const SqlParams& params,
                   duckdb::Connection& target, const std::string& catalog, const std::string& schema,
                   const std::string& table, bool replace);

// JSON form of a DuckDB value: numbers stay numbers when exact in JSON (integers up to 64 bits, floats),
// DECIMAL and HUGEINT become strings, temporal values ISO-8601 strings, BLOBs base64, nested types arrays
// and objects, NULL null.
nlohmann::json ValueToJson(const duckdb::Value& value);

}  // namespace duckstore
