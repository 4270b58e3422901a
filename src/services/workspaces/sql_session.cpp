#include "duckstore/services/workspaces/sql_session.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <stdexcept>

#include "duckdb/main/client_context.hpp"
#include "duckdb/parser/parsed_data/create_info.hpp"
#include "duckdb/parser/parsed_data/drop_info.hpp"
#include "duckdb/parser/parser.hpp"
#include "duckdb/parser/statement/list.hpp"

#include "duckstore/common/error.hpp"
#include "duckstore/common/identifiers.hpp"
#include "duckstore/services/query/statement_scope.hpp"
#include "duckstore/services/workspaces/session_parameters.hpp"
#include "duckstore/storage/engine/sql.hpp"

namespace duckstore {
namespace {

using duckdb::StringUtil;

Error Condition(const std::string& code, const std::string& message, nlohmann::json details = nullptr) {
  return Error(ErrorKind::kInvalidArgument, code, message, std::move(details));
}

bool Contains(const std::string& text, const char* part) {
  return StringUtil::Contains(StringUtil::Lower(text), part);
}

// PostgreSQL's condition name for a DuckDB error.
std::string ConditionOf(const duckdb::ErrorData& error) {
  using duckdb::ExceptionType;
  const auto& message = error.RawMessage();
  auto subtype_it = error.ExtraInfo().find("error_subtype");
  std::string subtype = subtype_it == error.ExtraInfo().end() ? "" : subtype_it->second;
  switch (error.Type()) {
    case ExceptionType::PARSER:
    case ExceptionType::SYNTAX:
      return "syntax_error";
    case ExceptionType::CATALOG:
      if (subtype == "ENTRY_ALREADY_EXISTS") return "duplicate_table";
      if (StringUtil::StartsWith(message, "Table") || StringUtil::StartsWith(message, "View"))
        return "undefined_table";
      if (Contains(message, "function") || Contains(message, "macro")) return "undefined_function";
      return "undefined_object";
    case ExceptionType::BINDER:
      if (subtype == "COLUMN_NOT_FOUND" || Contains(message, "referenced column")) return "undefined_column";
      if (Contains(message, "no function matches") || Contains(message, "function with name"))
        return "undefined_function";
      if (Contains(message, "table with name")) return "undefined_table";
      return "syntax_error_or_access_rule_violation";
    case ExceptionType::CONSTRAINT:
      if (Contains(message, "duplicate key") || Contains(message, "unique")) return "unique_violation";
      if (Contains(message, "not null")) return "not_null_violation";
      if (Contains(message, "foreign key")) return "foreign_key_violation";
      return "check_violation";
    case ExceptionType::CONVERSION:
      return "invalid_text_representation";
    case ExceptionType::OUT_OF_RANGE:
      return "numeric_value_out_of_range";
    case ExceptionType::DIVIDE_BY_ZERO:
      return "division_by_zero";
    case ExceptionType::INVALID_INPUT:
      return "invalid_parameter_value";
    case ExceptionType::TRANSACTION:
      return Contains(message, "aborted") ? "in_failed_sql_transaction" : "serialization_failure";
    case ExceptionType::INTERRUPT:
      return "query_canceled";
    case ExceptionType::OUT_OF_MEMORY:
      return "out_of_memory";
    case ExceptionType::PERMISSION:
      return "insufficient_privilege";
    case ExceptionType::NOT_IMPLEMENTED:
      return "feature_not_supported";
    default:
      return "internal_error";
  }
}

Error ConditionError(const duckdb::ErrorData& error) {
  std::string code = ConditionOf(error);
  nlohmann::json details = nlohmann::json::object();
  if (auto it = error.ExtraInfo().find("position"); it != error.ExtraInfo().end()) {
    try {
      details["position"] = std::stoi(it->second) + 1;
    } catch (const std::exception&) {
    }
  }
  std::string message =
      code == "query_canceled" ? "canceling statement due to user request" : error.RawMessage();
  return Condition(code, message, details);
}

bool EndsTransaction(const std::string& sql) {
  static const std::regex kEnd(R"(^\s*(rollback|abort|commit|end)\b[^;]*;?\s*$)", std::regex::icase);
  return std::regex_match(sql, kEnd);
}

// The command tag's verb of a statement.
std::string VerbOf(const duckdb::SQLStatement& statement) {
  using duckdb::StatementType;
  auto object = [](duckdb::CatalogType type) -> std::string {
    switch (type) {
      case duckdb::CatalogType::TABLE_ENTRY:
        return "TABLE";
      case duckdb::CatalogType::VIEW_ENTRY:
        return "VIEW";
      case duckdb::CatalogType::MACRO_ENTRY:
      case duckdb::CatalogType::TABLE_MACRO_ENTRY:
        return "FUNCTION";
      case duckdb::CatalogType::SCHEMA_ENTRY:
        return "SCHEMA";
      case duckdb::CatalogType::INDEX_ENTRY:
        return "INDEX";
      case duckdb::CatalogType::SEQUENCE_ENTRY:
        return "SEQUENCE";
      default:
        return "";
    }
  };
  switch (statement.type) {
    case StatementType::SELECT_STATEMENT:
      return "SELECT";
    case StatementType::INSERT_STATEMENT:
      return "INSERT";
    case StatementType::UPDATE_STATEMENT:
      return "UPDATE";
    case StatementType::DELETE_STATEMENT:
      return "DELETE";
    case StatementType::CREATE_STATEMENT:
    case StatementType::DROP_STATEMENT: {
      auto kind = statement.type == StatementType::CREATE_STATEMENT
                      ? object(statement.Cast<duckdb::CreateStatement>().info->type)
                      : object(statement.Cast<duckdb::DropStatement>().info->type);
      std::string verb = statement.type == StatementType::CREATE_STATEMENT ? "CREATE" : "DROP";
      return kind.empty() ? verb : verb + " " + kind;
    }
    case StatementType::ALTER_STATEMENT:
      return "ALTER TABLE";
    case StatementType::TRANSACTION_STATEMENT:
      switch (statement.Cast<duckdb::TransactionStatement>().info->type) {
        case duckdb::TransactionType::BEGIN_TRANSACTION:
          return "BEGIN";
        case duckdb::TransactionType::COMMIT:
          return "COMMIT";
        default:
          return "ROLLBACK";
      }
    case StatementType::EXPLAIN_STATEMENT:
      return "EXPLAIN";
    default:
      return duckdb::StatementTypeToString(statement.type);
  }
}

// The statements of a simple-query string, split at semicolons outside quotes ('...', "...", $tag$...$tag$)
// and comments (-- and /* */); pieces holding only blanks and comments are dropped.
std::vector<std::string> SplitStatements(const std::string& sql) {
  std::vector<std::string> out;
  size_t start = 0;
  bool content = false;  // the piece has something besides blanks and comments
  auto finish = [&](size_t end) {
    if (content) out.push_back(sql.substr(start, end - start));
    start = end + 1;
    content = false;
  };
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      i = std::min(sql.find('\n', i), sql.size());
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      auto end = sql.find("*/", i + 2);
      i = end == std::string::npos ? sql.size() : end + 1;
    } else if (c == '\'' || c == '"') {
      content = true;
      for (++i; i < sql.size() && sql[i] != c; ++i) {
      }  // a doubled quote is two quoted runs back to back
    } else if (c == '$') {
      content = true;
      auto close = sql.find('$', i + 1);
      std::string tag = close == std::string::npos ? "" : sql.substr(i, close - i + 1);
      bool valid = !tag.empty() && std::all_of(tag.begin() + 1, tag.end() - 1, [](char t) {
        return std::isalnum(static_cast<unsigned char>(t)) || t == '_';
      });
      if (valid) {
        auto end = sql.find(tag, close + 1);
        i = end == std::string::npos ? sql.size() : end + tag.size() - 1;
      }
    } else if (c == ';') {
      finish(i);
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      content = true;
    }
  }
  finish(sql.size());
  return out;
}

}  // namespace

duckdb::unique_ptr<duckdb::DataChunk> SqlRows::Next() {
  if (cursor_) {
    auto chunk = cursor_->Take(cursor_left_);
    cursor_left_ -= chunk ? chunk->size() : cursor_left_;
    return chunk;
  }
  if (fixed_) {
    auto chunk = fixed_->Fetch();
    fixed_.reset();
    return chunk;
  }
  if (!result_) return nullptr;
  try {
    auto chunk = result_->Fetch();
    if (result_->HasError()) session_.Fail(result_->GetErrorObject());
    if (!chunk || chunk->size() == 0) {
      result_.reset();
      return nullptr;
    }
    return chunk;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    session_.Fail(duckdb::ErrorData(e));
  }
}

const duckdb::QueryResult* SqlRows::Current() const {
  return fixed_ ? fixed_.get() : result_.get();
}

std::vector<duckdb::LogicalType> SqlRows::Types() const {
  if (cursor_) return cursor_->types;
  const auto* result = Current();
  if (!result) return {};
  return {result->types.begin(), result->types.end()};
}

std::vector<std::string> SqlRows::Names() const {
  if (cursor_) return cursor_->names;
  const auto* result = Current();
  if (!result) return {};
  return {result->names.begin(), result->names.end()};
}

std::string SqlRows::Tag(uint64_t rows_sent) const {
  uint64_t rows = changed_ ? static_cast<uint64_t>(*changed_) : rows_sent;
  if (verb_ == "SELECT" || verb_ == "UPDATE" || verb_ == "DELETE" || verb_ == "COPY" || verb_ == "FETCH" ||
      verb_ == "MOVE")
    return verb_ + " " + std::to_string(rows);
  if (verb_ == "INSERT") return "INSERT 0 " + std::to_string(rows);
  return verb_;
}

std::unique_ptr<SqlRows> SqlStatement::Run(duckdb::vector<duckdb::Value> parameters) {
  session_.CheckNotEnded();
  session_.activity_.Started(text_);
  if (!storage_.empty()) {
    try {
      session_.storage_.Recheck(storage_);
    } catch (const Error& e) {
      session_.Fail(e);
    }
  }
  if (cursor_) return session_.RunCursor(*this, std::move(parameters));
  std::unique_ptr<SqlRows> rows(new SqlRows(session_, verb_));
  auto& conn = *session_.conn_;
  if (rollback_) {
    if (!conn.context->transaction.IsAutoCommit()) conn.Query("ROLLBACK");
    session_.failed_ = false;
    return rows;
  }
  if (set_) {
    session_.Set(set_->first, set_->second);
    return rows;
  }
  if (show_) {
    rows->fixed_ = conn.Query("SELECT " + QuoteLiteral(session_.parameters_.at(*show_)) + "::VARCHAR AS " +
                              QuoteIdent(SessionParameters().at(*show_).name));
    return rows;
  }
  if (!prepared_) return rows;  // a no-op (SET TRANSACTION ...)
  duckdb::unique_ptr<duckdb::QueryResult> result;
  try {
    auto pending = prepared_->PendingQuery(parameters, /*allow_stream_result=*/true);
    if (pending->HasError()) session_.Fail(pending->GetErrorObject());
    result = pending->Execute();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    session_.Fail(duckdb::ErrorData(e));
  }
  if (result->HasError()) session_.Fail(result->GetErrorObject());
  const auto returns = prepared_->GetStatementProperties().return_type;
  if (returns == duckdb::StatementReturnType::QUERY_RESULT) {
    rows->result_ = std::move(result);
    return rows;
  }
  // Not a query: the info promised no columns, yet DuckDB may answer a row (CREATE TABLE AS its count).
  auto chunk = result->Fetch();
  if (result->HasError()) session_.Fail(result->GetErrorObject());
  if (returns == duckdb::StatementReturnType::CHANGED_ROWS)
    rows->changed_ = chunk && chunk->size() > 0 ? chunk->GetValue(0, 0).GetValue<int64_t>() : 0;
  return rows;
}

SqlSession::SqlSession(std::unique_ptr<BranchView> view, SharingService& sharing, Workspace workspace,
                       std::string user)
    : view_(std::move(view)),
      storage_(sharing, *view_),
      workspace_(std::move(workspace)),
      user_(std::move(user)) {
  alias_ = view_->db().Attach(AttachedKind::kWorkspace, workspace_.id, /*create=*/true);
  conn_ = view_->db().Connect();
  RunDdl(*conn_, "USE " + QuoteIdent(alias_));
  catalog_ = std::make_unique<SessionCatalog>(alias_, workspace_.id, user_);
  catalog_->CreateViews(*conn_);
  for (const auto& [name, parameter] : SessionParameters()) parameters_[name] = parameter.initial;
}

SqlSession::~SqlSession() {
  if (registry_) registry_->Detach(pid_);  // first: the registry no longer reaches this session
}

void SqlSession::Fail(const duckdb::ErrorData& error) {
  if (error.Type() == duckdb::ExceptionType::INTERRUPT) {
    CheckNotEnded();
    if (activity_.timed_out())
      Fail(Condition("query_canceled", "canceling statement due to statement timeout"));
  }
  Fail(ConditionError(error));
}

void SqlSession::Fail(const Error& error) {
  CheckNotEnded();
  if (!conn_->context->transaction.IsAutoCommit()) failed_ = true;
  throw error;
}

void SqlSession::CheckNotEnded() const {
  if (auto reason = activity_.ended()) throw SqlSessionEnded(*reason);
}

char SqlSession::Ready() {
  CheckNotEnded();
  char status = TransactionStatus();
  if (status == 'I' && !cursors_.empty()) CloseTransactionCursors();
  activity_.Ready(status);
  return status;
}

std::vector<std::string> SqlSession::Split(const std::string& sql) {
  auto pieces = SplitStatements(sql);
  // Like PostgreSQL, a syntax error anywhere in the string runs none of it.
  for (const auto& piece : pieces) {
    if (simple_statements_.contains(piece)) continue;  // parsed when it was prepared
    if (ParseSessionCommand(piece))
      continue;  // PostgreSQL-only forms DuckDB cannot parse (SET TIME ZONE ...)
    std::optional<CursorCommand> cursor;
    try {
      cursor = ParseCursorCommand(piece);
    } catch (const Error& e) {
      Fail(e);
    }
    if (cursor) continue;  // the session answers it; DECLARE's query is parsed when it is prepared
    try {
      duckdb::Parser parser;
      parser.ParseQuery(piece);
    } catch (const std::exception& e) {
      Fail(duckdb::ErrorData(e));
    }
  }
  return pieces;
}

std::shared_ptr<SqlStatement> SqlSession::Prepare(const std::string& sql) {
  CheckNotEnded();
  std::shared_ptr<SqlStatement> statement(new SqlStatement(*this));
  statement->text_ = sql;
  if (failed_) {
    if (!EndsTransaction(sql)) {
      throw Condition("in_failed_sql_transaction",
                      "current transaction is aborted, commands ignored until end of transaction block");
    }
    statement->rollback_ = true;
    statement->verb_ = "ROLLBACK";
    return statement;
  }
  if (auto command = ParseSessionCommand(sql)) {
    statement->verb_ = command->kind == SessionCommand::kShow    ? "SHOW"
                       : command->kind == SessionCommand::kReset ? "RESET"
                                                                 : "SET";
    if (command->kind == SessionCommand::kShow) {
      statement->show_ = command->name;
      statement->info_.column_names = {SessionParameters().at(command->name).name};
      statement->info_.column_types = {duckdb::LogicalType::VARCHAR};
    } else if (command->kind != SessionCommand::kNoOp) {
      if (command->name != "all" && !SessionParameters().at(command->name).settable) {
        throw Condition("cant_change_runtime_param", "parameter \"" + command->name + "\" cannot be changed");
      }
      std::optional<std::string> value = command->value;
      if (value)
        value = ValidateSessionParameter(command->name, *value);  // refused at once, as PostgreSQL does
      statement->set_ = std::make_pair(command->name, value);
    }
    return statement;
  }
  if (PrepareCursor(*statement, sql)) return statement;
  duckdb::Parser parser;
  try {
    parser.ParseQuery(sql);
  } catch (const std::exception& e) {
    Fail(duckdb::ErrorData(e));
  }
  if (parser.statements.empty()) {
    statement->info_.empty = true;
    return statement;
  }
  if (parser.statements.size() > 1)
    Fail(Condition("syntax_error", "cannot insert multiple commands into a prepared statement"));
  auto& parsed = parser.statements[0];
  if (parsed->type == duckdb::StatementType::COPY_STATEMENT &&
      PrepareCopy(*statement, parsed->Cast<duckdb::CopyStatement>())) {
    return statement;
  }
  PrepareChecked(*statement, std::move(parsed));
  return statement;
}

std::shared_ptr<SqlStatement> SqlSession::PrepareSimple(const std::string& sql) {
  if (failed_) return Prepare(sql);  // only ROLLBACK may run: Prepare says so
  if (auto it = simple_statements_.find(sql); it != simple_statements_.end()) {
    CheckNotEnded();
    return it->second;
  }
  auto statement = Prepare(sql);
  const auto& verb = statement->verb_;
  bool reusable = statement->prepared_ && !statement->info_.copy &&
                  (verb == "SELECT" || verb == "INSERT" || verb == "UPDATE" || verb == "DELETE");
  if (reusable) {
    if (simple_statements_.size() >= kCachedStatements) simple_statements_.clear();
    simple_statements_[sql] = statement;
  }
  return statement;
}

void SqlSession::PrepareChecked(SqlStatement& target, duckdb::unique_ptr<duckdb::SQLStatement> parsed) {
  auto* statement = &target;
  try {
    try {
      CheckWorkspaceStatement(*parsed);
    } catch (const Error& refused) {
      if (refused.code() != "query_out_of_scope") throw;
      statement->storage_ = storage_.Admit(*parsed, refused);  // it may read granted storage buckets
    }
  } catch (const Error& e) {
    Fail(e);
  }
  try {
    catalog_->Apply(*parsed);
  } catch (const Error& e) {
    Fail(e);
  }
  statement->verb_ = VerbOf(*parsed);
  try {
    statement->prepared_ = conn_->Prepare(std::move(parsed));
  } catch (const std::exception& e) {
    Fail(duckdb::ErrorData(e));
  }
  if (statement->prepared_->HasError()) Fail(statement->prepared_->GetErrorObject());
  auto& info = statement->info_;
  auto expected = statement->prepared_->GetExpectedParameterTypes();
  info.parameter_types.resize(statement->prepared_->named_param_map.size(), duckdb::LogicalType::UNKNOWN);
  for (const auto& [name, index] : statement->prepared_->named_param_map) {
    auto it = expected.find(name);
    if (index >= 1 && index <= info.parameter_types.size() && it != expected.end())
      info.parameter_types[index - 1] = it->second;
  }
  if (statement->prepared_->GetStatementProperties().return_type ==
      duckdb::StatementReturnType::QUERY_RESULT) {
    info.column_names = statement->prepared_->GetNames();
    info.column_types = statement->prepared_->GetTypes();
  }
}

char SqlSession::TransactionStatus() {
  if (failed_) return 'E';
  return conn_->context->transaction.IsAutoCommit() ? 'I' : 'T';
}

std::vector<std::pair<std::string, std::string>> SqlSession::ChangedParameters() {
  return std::exchange(changed_, {});
}

void SqlSession::Interrupt() {
  conn_->Interrupt();
}

void SqlSession::ApplyStartupParameters(const std::vector<std::pair<std::string, std::string>>& parameters) {
  for (const auto& [name, value] : parameters) {
    auto key = StringUtil::Lower(name);
    auto it = SessionParameters().find(key);
    if (it == SessionParameters().end() || !it->second.settable) continue;
    try {
      parameters_[key] = ValidateSessionParameter(key, value);
    } catch (const Error&) {
      // Keep the default.
    }
  }
  ApplyTimeouts();
}

void SqlSession::Set(const std::string& name, const std::optional<std::string>& value) {
  auto assign = [&](const std::string& key, const std::string& v) {
    const auto& parameter = SessionParameters().at(key);
    if (!parameter.settable || parameters_[key] == v) return;
    parameters_[key] = v;
    if (parameter.reported) changed_.emplace_back(parameter.name, v);
  };
  if (name == "all") {
    for (const auto& [key, parameter] : SessionParameters()) assign(key, parameter.initial);
    ApplyTimeouts();
    return;
  }
  assign(name, value.value_or(SessionParameters().at(name).initial));
  ApplyTimeouts();
}

void SqlSession::ApplyTimeouts() {
  auto millis = [&](const char* name) {
    try {
      return std::stoll(parameters_.at(name));
    } catch (const std::exception&) {
      return 0LL;
    }
  };
  activity_.SetTimeouts(millis("statement_timeout"), millis("idle_in_transaction_session_timeout"));
}

}  // namespace duckstore
