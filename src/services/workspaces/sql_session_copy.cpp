// COPY of a workspace SQL session (sql_copy.hpp): part of the session module, whose privates it uses.
#include "duckstore/services/workspaces/sql_session.hpp"

#include "duckdb/main/client_context.hpp"
#include "duckdb/parser/expression/columnref_expression.hpp"
#include "duckdb/parser/expression/constant_expression.hpp"
#include "duckdb/parser/parser.hpp"
#include "duckdb/parser/statement/copy_statement.hpp"
#include "duckdb/parser/statement/select_statement.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/query/statement_scope.hpp"
#include "duckstore/services/workspaces/sql_copy.hpp"

namespace duckstore {
namespace {

using duckdb::StringUtil;

Error Unsupported(const std::string& message) {
  return Error(ErrorKind::kUnimplemented, "feature_not_supported", message);
}

// DuckDB reads STDIN and STDOUT as these paths.
bool ClientSide(const duckdb::CopyInfo& info) {
  auto path = StringUtil::Lower(info.file_path);
  return !info.file_path_expression &&
         (path == "stdin" || path == "stdout" || path == "/dev/stdin" || path == "/dev/stdout");
}

// An option's value as written: `delimiter ','`, `header`, `format csv`, `header true`.
std::optional<std::string> OptionText(const duckdb::ParsedExpression* expression) {
  if (!expression) return std::nullopt;
  if (expression->GetExpressionClass() == duckdb::ExpressionClass::CONSTANT)
    return expression->Cast<duckdb::ConstantExpression>().value.ToString();
  if (expression->GetExpressionClass() == duckdb::ExpressionClass::COLUMN_REF)
    return expression->Cast<duckdb::ColumnRefExpression>().GetColumnName();
  return expression->ToString();
}

char OneCharacter(const std::string& name, const std::string& value) {
  if (value.size() != 1)
    throw Error(ErrorKind::kInvalidArgument, "syntax_error", "COPY " + name + " must be a single character");
  return value[0];
}

bool Truth(const std::optional<std::string>& value) {
  if (!value) return true;  // HEADER alone
  auto v = StringUtil::Lower(*value);
  return v == "true" || v == "on" || v == "1" || v == "t";
}

SqlCopy OptionsOf(const duckdb::CopyInfo& info) {
  SqlCopy copy;
  copy.from_stdin = info.is_from;
  auto format = StringUtil::Lower(info.format);
  if (!info.is_format_auto_detected && format != "csv" && format != "text")
    throw Unsupported("COPY format " + info.format + " is not supported (text and csv are)");
  copy.csv = !info.is_format_auto_detected && format == "csv";
  auto apply = [&](const std::string& raw_name, const std::optional<std::string>& value) {
    auto name = StringUtil::Lower(raw_name);
    if (name == "format") {
      auto v = StringUtil::Lower(value.value_or(""));
      if (v != "csv" && v != "text")
        throw Unsupported("COPY format " + v + " is not supported (text and csv are)");
      copy.csv = v == "csv";
    } else if (name == "delimiter" || name == "delim" || name == "sep") {
      copy.delimiter = OneCharacter("delimiter", value.value_or(""));
    } else if (name == "null" || name == "nullstr") {
      copy.null = value.value_or("");
    } else if (name == "header") {
      copy.header = Truth(value);
    } else if (name == "quote") {
      copy.quote = OneCharacter("quote", value.value_or(""));
    } else if (name == "escape") {
      copy.escape = OneCharacter("escape", value.value_or(""));
    } else {
      throw Unsupported("COPY option " + raw_name + " is not supported");
    }
  };
  // Defaults of the format first, then the options over them.
  std::vector<std::pair<std::string, std::optional<std::string>>> options;
  for (const auto& [name, expression] : info.parsed_options) {
    options.emplace_back(name, OptionText(expression.get()));
  }
  for (const auto& [name, values] : info.options) {
    options.emplace_back(name,
                         values.empty() ? std::nullopt : std::optional<std::string>(values[0].ToString()));
  }
  for (const auto& [name, value] : options) {
    if (StringUtil::Lower(name) == "format") apply(name, value);
  }
  if (copy.csv) {
    copy.delimiter = ',';
    copy.null = "";
  }
  for (const auto& [name, value] : options) {
    if (StringUtil::Lower(name) != "format") apply(name, value);
  }
  return copy;
}

}  // namespace

bool SqlSession::PrepareCopy(SqlStatement& statement, duckdb::CopyStatement& copy) {
  auto& info = *copy.info;
  if (!ClientSide(info)) return false;  // a file: the scope check refuses it
  SqlCopy options;
  try {
    options = OptionsOf(info);
  } catch (const Error& e) {
    Fail(e);
  }
  duckdb::unique_ptr<duckdb::SQLStatement> select;
  if (info.select_statement) {
    auto query = duckdb::make_uniq<duckdb::SelectStatement>();
    query->node = std::move(info.select_statement);
    select = std::move(query);
  } else {
    if (info.is_from && (!info.catalog.empty() || (!info.schema.empty() && info.schema != DEFAULT_SCHEMA))) {
      Fail(Error(ErrorKind::kPermissionDenied, "insufficient_privilege",
                 "COPY FROM STDIN writes tables of the workspace only"));
    }
    std::string columns = "*";
    if (!info.select_list.empty()) {
      columns.clear();
      for (const auto& column : info.select_list)
        columns += (columns.empty() ? "" : ", ") + QuoteIdent(column);
    }
    std::string table = (info.catalog.empty() ? "" : QuoteIdent(info.catalog) + ".") +
                        (info.schema.empty() ? "" : QuoteIdent(info.schema) + ".") + QuoteIdent(info.table);
    duckdb::Parser parser;
    parser.ParseQuery("SELECT " + columns + " FROM " + table);
    select = std::move(parser.statements[0]);
    if (info.is_from) statement.copy_target_ = {info.table, info.select_list};
  }
  // The query (or the target table's columns, which give each field's type) under the session's rules.
  PrepareChecked(statement, std::move(select));
  statement.verb_ = "COPY";
  statement.info_.copy = options;
  return true;
}

std::unique_ptr<SqlCopyIn> SqlStatement::CopyIn() {
  if (!info_.copy || !info_.copy->from_stdin) throw std::logic_error("not a COPY FROM STDIN");
  session_.CheckNotEnded();
  session_.activity_.Started(text_);
  auto& conn = *session_.conn_;
  bool own = conn.context->transaction.IsAutoCommit();
  try {
    if (own) conn.BeginTransaction();
    auto appender =
        std::make_unique<duckdb::Appender>(conn, session_.alias_, DEFAULT_SCHEMA, copy_target_.first);
    for (const auto& column : copy_target_.second) appender->AddColumn(column);
    return std::make_unique<SqlCopyIn>(session_, conn, std::move(appender), own);
  } catch (const std::exception& e) {
    if (own && !conn.context->transaction.IsAutoCommit()) conn.Rollback();
    session_.Fail(duckdb::ErrorData(e));
  }
}

SqlCopyIn::~SqlCopyIn() {
  Abandon();
}

void SqlCopyIn::Row(const duckdb::vector<duckdb::Value>& values) {
  try {
    for (const auto& value : values) appender_->Append(value);
    appender_->EndRow();
    ++rows_;
  } catch (const std::exception& e) {
    Fail(e);
  }
}

std::string SqlCopyIn::Finish() {
  try {
    appender_->Close();
    appender_.reset();
    if (own_transaction_) conn_.Commit();
    finished_ = true;
  } catch (const std::exception& e) {
    Fail(e);
  }
  return "COPY " + std::to_string(rows_);
}

void SqlCopyIn::Abandon() {
  if (finished_) return;
  finished_ = true;
  try {
    appender_.reset();  // flushes into the transaction rolled back below
  } catch (const std::exception&) {
    // The rows are dropped with the transaction anyway.
  }
  if (own_transaction_) {
    try {
      conn_.Rollback();
    } catch (const std::exception&) {
      // Nothing left to undo.
    }
  } else {
    session_.failed_ = true;  // the block fails, as after any error in it
  }
}

void SqlCopyIn::Fail(const std::exception& error) {
  duckdb::ErrorData data(error);
  Abandon();
  session_.Fail(data);
}

}  // namespace duckstore
